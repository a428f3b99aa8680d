// Original file: proto/kctl/v1/kctl.proto


export interface DisconnectNetworkRequest {
  'network'?: (string);
  'container'?: (string);
  'force'?: (boolean);
}

export interface DisconnectNetworkRequest__Output {
  'network': (string);
  'container': (string);
  'force': (boolean);
}
