// Original file: proto/kctl/v1/kctl.proto


export interface LogsRequest {
  'id'?: (string);
  'follow'?: (boolean);
  'stdout'?: (boolean);
  'stderr'?: (boolean);
  'since'?: (string);
  'until'?: (string);
  'tail'?: (string);
  'timestamps'?: (boolean);
}

export interface LogsRequest__Output {
  'id': (string);
  'follow': (boolean);
  'stdout': (boolean);
  'stderr': (boolean);
  'since': (string);
  'until': (string);
  'tail': (string);
  'timestamps': (boolean);
}
