// Original file: proto/kctl/v1/kctl.proto

import type { AttachOpen as _kctl_v1_AttachOpen, AttachOpen__Output as _kctl_v1_AttachOpen__Output } from '../../kctl/v1/AttachOpen.js';
import type { Resize as _kctl_v1_Resize, Resize__Output as _kctl_v1_Resize__Output } from '../../kctl/v1/Resize.js';

export interface AttachInput {
  'open'?: (_kctl_v1_AttachOpen | null);
  'stdin'?: (Buffer | Uint8Array | string);
  'stdinClose'?: (boolean);
  'resize'?: (_kctl_v1_Resize | null);
  'signal'?: (number);
  'msg'?: "open"|"stdin"|"stdinClose"|"resize"|"signal";
}

export interface AttachInput__Output {
  'open'?: (_kctl_v1_AttachOpen__Output | null);
  'stdin'?: (Buffer);
  'stdinClose'?: (boolean);
  'resize'?: (_kctl_v1_Resize__Output | null);
  'signal'?: (number);
  'msg'?: "open"|"stdin"|"stdinClose"|"resize"|"signal";
}
