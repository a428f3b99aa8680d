// Original file: proto/kctl/v1/kctl.proto


export interface NetworkRef {
  'name'?: (string);
}

export interface NetworkRef__Output {
  'name': (string);
}
