// Original file: proto/kctl/v1/kctl.proto


export interface CreateContainerResponse {
  'id'?: (string);
  'warnings'?: (string)[];
}

export interface CreateContainerResponse__Output {
  'id': (string);
  'warnings': (string)[];
}
