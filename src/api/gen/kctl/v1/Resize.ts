// Original file: proto/kctl/v1/kctl.proto


export interface Resize {
  'rows'?: (number);
  'cols'?: (number);
}

export interface Resize__Output {
  'rows': (number);
  'cols': (number);
}
