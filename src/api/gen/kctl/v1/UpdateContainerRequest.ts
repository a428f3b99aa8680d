// Original file: proto/kctl/v1/kctl.proto

import type { RestartPolicy as _kctl_v1_RestartPolicy, RestartPolicy__Output as _kctl_v1_RestartPolicy__Output } from '../../kctl/v1/RestartPolicy.js';

export interface UpdateContainerRequest {
  'id'?: (string);
  'restartPolicy'?: (_kctl_v1_RestartPolicy | null);
}

export interface UpdateContainerRequest__Output {
  'id': (string);
  'restartPolicy': (_kctl_v1_RestartPolicy__Output | null);
}
