// Original file: proto/kctl/v1/kctl.proto


export interface RemoveImageResponse {
  'untagged'?: (string)[];
  'deleted'?: (string)[];
}

export interface RemoveImageResponse__Output {
  'untagged': (string)[];
  'deleted': (string)[];
}
