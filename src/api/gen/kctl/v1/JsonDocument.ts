// Original file: proto/kctl/v1/kctl.proto


export interface JsonDocument {
  'json'?: (string);
}

export interface JsonDocument__Output {
  'json': (string);
}
