// Original file: proto/kctl/v1/kctl.proto


export interface WaitContainerResponse {
  'exitCode'?: (number);
  'error'?: (string);
}

export interface WaitContainerResponse__Output {
  'exitCode': (number);
  'error': (string);
}
