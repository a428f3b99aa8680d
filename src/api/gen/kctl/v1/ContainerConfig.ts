// Original file: proto/kctl/v1/kctl.proto

import type { StringList as _kctl_v1_StringList, StringList__Output as _kctl_v1_StringList__Output } from '../../kctl/v1/StringList.js';
import type { AuthConfig as _kctl_v1_AuthConfig, AuthConfig__Output as _kctl_v1_AuthConfig__Output } from '../../kctl/v1/AuthConfig.js';
import type { RestartPolicy as _kctl_v1_RestartPolicy, RestartPolicy__Output as _kctl_v1_RestartPolicy__Output } from '../../kctl/v1/RestartPolicy.js';
import type { Long } from '@grpc/proto-loader';

export interface ContainerConfig {
  'image'?: (string);
  'name'?: (string);
  'cmd'?: (_kctl_v1_StringList | null);
  'entrypoint'?: (_kctl_v1_StringList | null);
  'env'?: (string)[];
  'workingDir'?: (string);
  'user'?: (string);
  'hostname'?: (string);
  'labels'?: ({[key: string]: string});
  'tty'?: (boolean);
  'openStdin'?: (boolean);
  'memoryBytes'?: (number | string | Long);
  'cpus'?: (number | string);
  'autoRemove'?: (boolean);
  'stopSignal'?: (string);
  'stopTimeout'?: (number);
  'pullMissing'?: (boolean);
  'auth'?: (_kctl_v1_AuthConfig | null);
  'publish'?: (string)[];
  'publishAll'?: (boolean);
  'network'?: (string);
  'networkAliases'?: (string)[];
  'volumes'?: (string)[];
  'mounts'?: (string)[];
  'tmpfs'?: (string)[];
  'readOnly'?: (boolean);
  'dns'?: (string)[];
  'addHosts'?: (string)[];
  'ip'?: (string);
  'restartPolicy'?: (_kctl_v1_RestartPolicy | null);
  'logOpts'?: ({[key: string]: string});
  'init'?: (boolean);
}

export interface ContainerConfig__Output {
  'image': (string);
  'name': (string);
  'cmd': (_kctl_v1_StringList__Output | null);
  'entrypoint': (_kctl_v1_StringList__Output | null);
  'env': (string)[];
  'workingDir': (string);
  'user': (string);
  'hostname': (string);
  'labels': ({[key: string]: string});
  'tty': (boolean);
  'openStdin': (boolean);
  'memoryBytes': (number);
  'cpus': (number);
  'autoRemove': (boolean);
  'stopSignal': (string);
  'stopTimeout': (number);
  'pullMissing': (boolean);
  'auth': (_kctl_v1_AuthConfig__Output | null);
  'publish': (string)[];
  'publishAll': (boolean);
  'network': (string);
  'networkAliases': (string)[];
  'volumes': (string)[];
  'mounts': (string)[];
  'tmpfs': (string)[];
  'readOnly': (boolean);
  'dns': (string)[];
  'addHosts': (string)[];
  'ip': (string);
  'restartPolicy': (_kctl_v1_RestartPolicy__Output | null);
  'logOpts': ({[key: string]: string});
  'init': (boolean);
}
