// Original file: proto/kctl/v1/kctl.proto

import type { Long } from '@grpc/proto-loader';

export interface ProgressEvent {
  'id'?: (string);
  'status'?: (string);
  'current'?: (number | string | Long);
  'total'?: (number | string | Long);
  'imageId'?: (string);
}

export interface ProgressEvent__Output {
  'id': (string);
  'status': (string);
  'current': (number);
  'total': (number);
  'imageId': (string);
}
