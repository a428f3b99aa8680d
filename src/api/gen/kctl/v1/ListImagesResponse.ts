// Original file: proto/kctl/v1/kctl.proto

import type { ImageSummary as _kctl_v1_ImageSummary, ImageSummary__Output as _kctl_v1_ImageSummary__Output } from '../../kctl/v1/ImageSummary.js';

export interface ListImagesResponse {
  'images'?: (_kctl_v1_ImageSummary)[];
}

export interface ListImagesResponse__Output {
  'images': (_kctl_v1_ImageSummary__Output)[];
}
