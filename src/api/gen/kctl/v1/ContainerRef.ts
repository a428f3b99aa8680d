// Original file: proto/kctl/v1/kctl.proto


export interface ContainerRef {
  'id'?: (string);
}

export interface ContainerRef__Output {
  'id': (string);
}
