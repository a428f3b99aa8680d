// Original file: proto/kctl/v1/kctl.proto


export interface SaveRequest {
  'references'?: (string)[];
  'format'?: (string);
}

export interface SaveRequest__Output {
  'references': (string)[];
  'format': (string);
}
