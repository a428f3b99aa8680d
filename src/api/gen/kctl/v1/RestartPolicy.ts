// Original file: proto/kctl/v1/kctl.proto


export interface RestartPolicy {
  'name'?: (string);
  'maximumRetryCount'?: (number);
}

export interface RestartPolicy__Output {
  'name': (string);
  'maximumRetryCount': (number);
}
