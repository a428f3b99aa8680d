// Original file: proto/kctl/v1/kctl.proto


export interface RemoveVolumeRequest {
  'name'?: (string);
  'force'?: (boolean);
}

export interface RemoveVolumeRequest__Output {
  'name': (string);
  'force': (boolean);
}
