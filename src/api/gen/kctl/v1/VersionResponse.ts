// Original file: proto/kctl/v1/kctl.proto


export interface VersionResponse {
  'version'?: (string);
  'apiVersion'?: (string);
  'nodeVersion'?: (string);
  'os'?: (string);
  'arch'?: (string);
  'kernelVersion'?: (string);
  'hypervisor'?: (string);
  'hypervisorVersion'?: (string);
}

export interface VersionResponse__Output {
  'version': (string);
  'apiVersion': (string);
  'nodeVersion': (string);
  'os': (string);
  'arch': (string);
  'kernelVersion': (string);
  'hypervisor': (string);
  'hypervisorVersion': (string);
}
