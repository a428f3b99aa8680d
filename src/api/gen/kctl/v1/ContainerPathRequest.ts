// Original file: proto/kctl/v1/kctl.proto


export interface ContainerPathRequest {
  'id'?: (string);
  'path'?: (string);
  'followLink'?: (boolean);
}

export interface ContainerPathRequest__Output {
  'id': (string);
  'path': (string);
  'followLink': (boolean);
}
