// Original file: proto/kctl/v1/kctl.proto


export interface PruneNetworksRequest {
  'filters'?: (string)[];
}

export interface PruneNetworksRequest__Output {
  'filters': (string)[];
}
