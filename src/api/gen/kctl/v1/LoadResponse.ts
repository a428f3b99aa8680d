// Original file: proto/kctl/v1/kctl.proto


export interface LoadResponse {
  'loaded'?: (string)[];
}

export interface LoadResponse__Output {
  'loaded': (string)[];
}
