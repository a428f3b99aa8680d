// Original file: proto/kctl/v1/kctl.proto

import type { ContainerSummary as _kctl_v1_ContainerSummary, ContainerSummary__Output as _kctl_v1_ContainerSummary__Output } from '../../kctl/v1/ContainerSummary.js';

export interface ListContainersResponse {
  'containers'?: (_kctl_v1_ContainerSummary)[];
}

export interface ListContainersResponse__Output {
  'containers': (_kctl_v1_ContainerSummary__Output)[];
}
