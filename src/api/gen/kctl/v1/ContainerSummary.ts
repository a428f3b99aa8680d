// Original file: proto/kctl/v1/kctl.proto

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
}
