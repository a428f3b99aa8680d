// Original file: proto/kctl/v1/kctl.proto


export interface Isolation {
  'kind'?: (string);
  'hypervisor'?: (string);
  'hypervisorVersion'?: (string);
  'machine'?: (string);
  'accelerator'?: (string);
  'acceleratorReason'?: (string);
  'guestKernel'?: (string);
  'vcpus'?: (number);
  'memoryMib'?: (number);
  'rootfsShare'?: (string);
  'agentChannel'?: (string);
  'vmPid'?: (number);
  'bootMs'?: (number);
  'fromPool'?: (boolean);
  'vmUid'?: (number);
  'poolMiss'?: (string);
}

export interface Isolation__Output {
  'kind': (string);
  'hypervisor': (string);
  'hypervisorVersion': (string);
  'machine': (string);
  'accelerator': (string);
  'acceleratorReason': (string);
  'guestKernel': (string);
  'vcpus': (number);
  'memoryMib': (number);
  'rootfsShare': (string);
  'agentChannel': (string);
  'vmPid': (number);
  'bootMs': (number);
  'fromPool': (boolean);
  'vmUid': (number);
  'poolMiss': (string);
}
