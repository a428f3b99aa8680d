// Original file: proto/kctl/v1/kctl.proto


export interface RemoveContainerRequest {
  'id'?: (string);
  'force'?: (boolean);
}

export interface RemoveContainerRequest__Output {
  'id': (string);
  'force': (boolean);
}
