// Original file: proto/kctl/v1/kctl.proto


export interface Empty {
}

export interface Empty__Output {
}
