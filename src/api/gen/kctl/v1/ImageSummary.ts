// Original file: proto/kctl/v1/kctl.proto

import type { Long } from '@grpc/proto-loader';

export interface ImageSummary {
  'id'?: (string);
  'repoTags'?: (string)[];
  'repoDigests'?: (string)[];
  'size'?: (number | string | Long);
  'created'?: (string);
}

export interface ImageSummary__Output {
  'id': (string);
  'repoTags': (string)[];
  'repoDigests': (string)[];
  'size': (number);
  'created': (string);
}
