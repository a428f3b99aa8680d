// Original file: proto/kctl/v1/kctl.proto


export interface ListNetworksRequest {
  'filters'?: (string)[];
}

export interface ListNetworksRequest__Output {
  'filters': (string)[];
}
