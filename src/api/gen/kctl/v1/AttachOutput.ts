// Original file: proto/kctl/v1/kctl.proto

import type { Isolation as _kctl_v1_Isolation, Isolation__Output as _kctl_v1_Isolation__Output } from '../../kctl/v1/Isolation.js';

export interface AttachOutput {
  'started'?: (_kctl_v1_Isolation | null);
  'stdout'?: (Buffer | Uint8Array | string);
  'stderr'?: (Buffer | Uint8Array | string);
  'exitCode'?: (number);
  'msg'?: "started"|"stdout"|"stderr"|"exitCode";
}

export interface AttachOutput__Output {
  'started'?: (_kctl_v1_Isolation__Output | null);
  'stdout'?: (Buffer);
  'stderr'?: (Buffer);
  'exitCode'?: (number);
  'msg'?: "started"|"stdout"|"stderr"|"exitCode";
}
