// Original file: proto/kctl/v1/kctl.proto

import type { Isolation as _kctl_v1_Isolation, Isolation__Output as _kctl_v1_Isolation__Output } from '../../kctl/v1/Isolation.js';

export interface StartContainerResponse {
  'isolation'?: (_kctl_v1_Isolation | null);
}

export interface StartContainerResponse__Output {
  'isolation': (_kctl_v1_Isolation__Output | null);
}
