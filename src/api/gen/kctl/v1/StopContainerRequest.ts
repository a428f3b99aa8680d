// Original file: proto/kctl/v1/kctl.proto


export interface StopContainerRequest {
  'id'?: (string);
  'timeout'?: (number);
}

export interface StopContainerRequest__Output {
  'id': (string);
  'timeout': (number);
}
