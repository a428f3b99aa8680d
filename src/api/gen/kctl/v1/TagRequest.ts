// Original file: proto/kctl/v1/kctl.proto


export interface TagRequest {
  'source'?: (string);
  'target'?: (string);
}

export interface TagRequest__Output {
  'source': (string);
  'target': (string);
}
