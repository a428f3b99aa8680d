// Original file: proto/kctl/v1/kctl.proto


export interface CreateVolumeRequest {
  'name'?: (string);
  'labels'?: ({[key: string]: string});
}

export interface CreateVolumeRequest__Output {
  'name': (string);
  'labels': ({[key: string]: string});
}
