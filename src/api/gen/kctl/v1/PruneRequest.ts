// Original file: proto/kctl/v1/kctl.proto


export interface PruneRequest {
  'all'?: (boolean);
}

export interface PruneRequest__Output {
  'all': (boolean);
}
