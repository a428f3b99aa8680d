// Original file: proto/kctl/v1/kctl.proto

import type { AuthConfig as _kctl_v1_AuthConfig, AuthConfig__Output as _kctl_v1_AuthConfig__Output } from '../../kctl/v1/AuthConfig.js';

export interface PullRequest {
  'reference'?: (string);
  'platform'?: (string);
  'auth'?: (_kctl_v1_AuthConfig | null);
  'allTags'?: (boolean);
}

export interface PullRequest__Output {
  'reference': (string);
  'platform': (string);
  'auth': (_kctl_v1_AuthConfig__Output | null);
  'allTags': (boolean);
}
