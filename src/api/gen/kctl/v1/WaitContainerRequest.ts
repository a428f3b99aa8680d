// Original file: proto/kctl/v1/kctl.proto


export interface WaitContainerRequest {
  'id'?: (string);
  'condition'?: (string);
}

export interface WaitContainerRequest__Output {
  'id': (string);
  'condition': (string);
}
