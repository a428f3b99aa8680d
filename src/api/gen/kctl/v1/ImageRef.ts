// Original file: proto/kctl/v1/kctl.proto


export interface ImageRef {
  'reference'?: (string);
}

export interface ImageRef__Output {
  'reference': (string);
}
