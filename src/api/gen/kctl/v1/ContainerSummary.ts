// Original file: proto/kctl/v1/kctl.proto

import type { PortMapping as _kctl_v1_PortMapping, PortMapping__Output as _kctl_v1_PortMapping__Output } from '../../kctl/v1/PortMapping.js';
import type { Long } from '@grpc/proto-loader';

export interface ContainerSummary {
  'id'?: (string);
  'names'?: (string)[];
  'image'?: (string);
  'imageId'?: (string);
  'command'?: (string);
  'created'?: (number | string | Long);
  'state'?: (string);
  'status'?: (string);
  'labels'?: ({[key: string]: string});
  'isolation'?: (string);
  'ports'?: (_kctl_v1_PortMapping)[];
}

export interface ContainerSummary__Output {
  'id': (string);
  'names': (string)[];
  'image': (string);
  'imageId': (string);
  'command': (string);
  'created': (number);
  'state': (string);
  'status': (string);
  'labels': ({[key: string]: string});
  'isolation': (string);
  'ports': (_kctl_v1_PortMapping__Output)[];
}
