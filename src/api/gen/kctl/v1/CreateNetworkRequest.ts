// Original file: proto/kctl/v1/kctl.proto


export interface CreateNetworkRequest {
  'name'?: (string);
  'driver'?: (string);
  'subnet'?: (string);
  'gateway'?: (string);
  'internal'?: (boolean);
  'attachable'?: (boolean);
  'labels'?: ({[key: string]: string});
}

export interface CreateNetworkRequest__Output {
  'name': (string);
  'driver': (string);
  'subnet': (string);
  'gateway': (string);
  'internal': (boolean);
  'attachable': (boolean);
  'labels': ({[key: string]: string});
}
