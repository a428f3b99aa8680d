// Original file: proto/kctl/v1/kctl.proto


export interface PortMapping {
  'containerPort'?: (number);
  'protocol'?: (string);
  'hostIp'?: (string);
  'hostPort'?: (number);
}

export interface PortMapping__Output {
  'containerPort': (number);
  'protocol': (string);
  'hostIp': (string);
  'hostPort': (number);
}
