// Original file: proto/kctl/v1/kctl.proto


export interface AttachOpen {
  'id'?: (string);
  'stdin'?: (boolean);
  'stdout'?: (boolean);
  'stderr'?: (boolean);
  'start'?: (boolean);
  'rows'?: (number);
  'cols'?: (number);
  'stdinOnce'?: (boolean);
}

export interface AttachOpen__Output {
  'id': (string);
  'stdin': (boolean);
  'stdout': (boolean);
  'stderr': (boolean);
  'start': (boolean);
  'rows': (number);
  'cols': (number);
  'stdinOnce': (boolean);
}
