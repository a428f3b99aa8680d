// Original file: proto/kctl/v1/kctl.proto


export interface LogEntry {
  'stream'?: (string);
  'data'?: (Buffer | Uint8Array | string);
  'time'?: (string);
}

export interface LogEntry__Output {
  'stream': (string);
  'data': (Buffer);
  'time': (string);
}
