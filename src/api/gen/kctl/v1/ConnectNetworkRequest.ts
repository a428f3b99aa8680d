// Original file: proto/kctl/v1/kctl.proto


export interface ConnectNetworkRequest {
  'network'?: (string);
  'container'?: (string);
  'aliases'?: (string)[];
  'ip'?: (string);
}

export interface ConnectNetworkRequest__Output {
  'network': (string);
  'container': (string);
  'aliases': (string)[];
  'ip': (string);
}
