// Original file: proto/kctl/v1/kctl.proto


export interface ListContainersRequest {
  'all'?: (boolean);
  'last'?: (number);
}

export interface ListContainersRequest__Output {
  'all': (boolean);
  'last': (number);
}
