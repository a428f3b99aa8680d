// Original file: proto/kctl/v1/kctl.proto


export interface ListImagesRequest {
  'all'?: (boolean);
}

export interface ListImagesRequest__Output {
  'all': (boolean);
}
