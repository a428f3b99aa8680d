// Original file: proto/kctl/v1/kctl.proto


export interface ExecOpen {
  'container'?: (string);
  'cmd'?: (string)[];
  'env'?: (string)[];
  'workingDir'?: (string);
  'user'?: (string);
  'tty'?: (boolean);
  'stdin'?: (boolean);
  'detach'?: (boolean);
  'rows'?: (number);
  'cols'?: (number);
  'privileged'?: (boolean);
}

export interface ExecOpen__Output {
  'container': (string);
  'cmd': (string)[];
  'env': (string)[];
  'workingDir': (string);
  'user': (string);
  'tty': (boolean);
  'stdin': (boolean);
  'detach': (boolean);
  'rows': (number);
  'cols': (number);
  'privileged': (boolean);
}
