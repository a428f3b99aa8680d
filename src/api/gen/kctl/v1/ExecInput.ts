// Original file: proto/kctl/v1/kctl.proto

import type { ExecOpen as _kctl_v1_ExecOpen, ExecOpen__Output as _kctl_v1_ExecOpen__Output } from '../../kctl/v1/ExecOpen.js';
import type { Resize as _kctl_v1_Resize, Resize__Output as _kctl_v1_Resize__Output } from '../../kctl/v1/Resize.js';

export interface ExecInput {
  'open'?: (_kctl_v1_ExecOpen | null);
  'stdin'?: (Buffer | Uint8Array | string);
  'stdinClose'?: (boolean);
  'resize'?: (_kctl_v1_Resize | null);
  'signal'?: (number);
  'msg'?: "open"|"stdin"|"stdinClose"|"resize"|"signal";
}

export interface ExecInput__Output {
  'open'?: (_kctl_v1_ExecOpen__Output | null);
  'stdin'?: (Buffer);
  'stdinClose'?: (boolean);
  'resize'?: (_kctl_v1_Resize__Output | null);
  'signal'?: (number);
  'msg'?: "open"|"stdin"|"stdinClose"|"resize"|"signal";
}
