// Original file: proto/kctl/v1/kctl.proto


export interface KillContainerRequest {
  'id'?: (string);
  'signal'?: (string);
}

export interface KillContainerRequest__Output {
  'id': (string);
  'signal': (string);
}
