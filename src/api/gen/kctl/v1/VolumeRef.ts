// Original file: proto/kctl/v1/kctl.proto


export interface VolumeRef {
  'name'?: (string);
}

export interface VolumeRef__Output {
  'name': (string);
}
