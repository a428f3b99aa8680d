// Original file: proto/kctl/v1/kctl.proto


export interface RemoveImageRequest {
  'reference'?: (string);
  'force'?: (boolean);
}

export interface RemoveImageRequest__Output {
  'reference': (string);
  'force': (boolean);
}
