// Original file: proto/kctl/v1/kctl.proto


export interface TopRequest {
  'id'?: (string);
  'psArgs'?: (string)[];
}

export interface TopRequest__Output {
  'id': (string);
  'psArgs': (string)[];
}
