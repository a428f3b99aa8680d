// Original file: proto/kctl/v1/kctl.proto


export interface DataChunk {
  'data'?: (Buffer | Uint8Array | string);
}

export interface DataChunk__Output {
  'data': (Buffer);
}
