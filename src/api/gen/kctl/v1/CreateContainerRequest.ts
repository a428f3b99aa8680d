// Original file: proto/kctl/v1/kctl.proto

import type { ContainerConfig as _kctl_v1_ContainerConfig, ContainerConfig__Output as _kctl_v1_ContainerConfig__Output } from '../../kctl/v1/ContainerConfig.js';

export interface CreateContainerRequest {
  'config'?: (_kctl_v1_ContainerConfig | null);
}

export interface CreateContainerRequest__Output {
  'config': (_kctl_v1_ContainerConfig__Output | null);
}
