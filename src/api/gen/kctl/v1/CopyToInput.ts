// Original file: proto/kctl/v1/kctl.proto


export interface CopyToInput {
  'id'?: (string);
  'path'?: (string);
  'copyUidGid'?: (boolean);
  'data'?: (Buffer | Uint8Array | string);
}

export interface CopyToInput__Output {
  'id': (string);
  'path': (string);
  'copyUidGid': (boolean);
  'data': (Buffer);
}
