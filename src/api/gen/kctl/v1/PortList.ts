// Original file: proto/kctl/v1/kctl.proto

import type { PortMapping as _kctl_v1_PortMapping, PortMapping__Output as _kctl_v1_PortMapping__Output } from '../../kctl/v1/PortMapping.js';

export interface PortList {
  'ports'?: (_kctl_v1_PortMapping)[];
}

export interface PortList__Output {
  'ports': (_kctl_v1_PortMapping__Output)[];
}
