// Original file: proto/kctl/v1/kctl.proto


export interface PingResponse {
  'version'?: (string);
  'pid'?: (number);
  'root'?: (string);
}

export interface PingResponse__Output {
  'version': (string);
  'pid': (number);
  'root': (string);
}
