// Original file: proto/kctl/v1/kctl.proto


export interface AuthConfig {
  'username'?: (string);
  'password'?: (string);
  'identityToken'?: (string);
  'registryToken'?: (string);
  'serverAddress'?: (string);
}

export interface AuthConfig__Output {
  'username': (string);
  'password': (string);
  'identityToken': (string);
  'registryToken': (string);
  'serverAddress': (string);
}
