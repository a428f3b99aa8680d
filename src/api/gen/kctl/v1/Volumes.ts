// Original file: proto/kctl/v1/kctl.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CreateVolumeRequest as _kctl_v1_CreateVolumeRequest, CreateVolumeRequest__Output as _kctl_v1_CreateVolumeRequest__Output } from '../../kctl/v1/CreateVolumeRequest.js';
import type { Empty as _kctl_v1_Empty, Empty__Output as _kctl_v1_Empty__Output } from '../../kctl/v1/Empty.js';
import type { JsonDocument as _kctl_v1_JsonDocument, JsonDocument__Output as _kctl_v1_JsonDocument__Output } from '../../kctl/v1/JsonDocument.js';
import type { PruneRequest as _kctl_v1_PruneRequest, PruneRequest__Output as _kctl_v1_PruneRequest__Output } from '../../kctl/v1/PruneRequest.js';
import type { RemoveVolumeRequest as _kctl_v1_RemoveVolumeRequest, RemoveVolumeRequest__Output as _kctl_v1_RemoveVolumeRequest__Output } from '../../kctl/v1/RemoveVolumeRequest.js';
import type { VolumeRef as _kctl_v1_VolumeRef, VolumeRef__Output as _kctl_v1_VolumeRef__Output } from '../../kctl/v1/VolumeRef.js';

export interface VolumesClient extends grpc.Client {
  Create(argument: _kctl_v1_CreateVolumeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Create(argument: _kctl_v1_CreateVolumeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Create(argument: _kctl_v1_CreateVolumeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Create(argument: _kctl_v1_CreateVolumeRequest, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  create(argument: _kctl_v1_CreateVolumeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  create(argument: _kctl_v1_CreateVolumeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  create(argument: _kctl_v1_CreateVolumeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  create(argument: _kctl_v1_CreateVolumeRequest, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  
  Inspect(argument: _kctl_v1_VolumeRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Inspect(argument: _kctl_v1_VolumeRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Inspect(argument: _kctl_v1_VolumeRef, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Inspect(argument: _kctl_v1_VolumeRef, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  inspect(argument: _kctl_v1_VolumeRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  inspect(argument: _kctl_v1_VolumeRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  inspect(argument: _kctl_v1_VolumeRef, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  inspect(argument: _kctl_v1_VolumeRef, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  
  List(argument: _kctl_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  List(argument: _kctl_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  List(argument: _kctl_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  List(argument: _kctl_v1_Empty, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  list(argument: _kctl_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  list(argument: _kctl_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  list(argument: _kctl_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  list(argument: _kctl_v1_Empty, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  
  Prune(argument: _kctl_v1_PruneRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Prune(argument: _kctl_v1_PruneRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Prune(argument: _kctl_v1_PruneRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Prune(argument: _kctl_v1_PruneRequest, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  prune(argument: _kctl_v1_PruneRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  prune(argument: _kctl_v1_PruneRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  prune(argument: _kctl_v1_PruneRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  prune(argument: _kctl_v1_PruneRequest, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  
  Remove(argument: _kctl_v1_RemoveVolumeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Remove(argument: _kctl_v1_RemoveVolumeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Remove(argument: _kctl_v1_RemoveVolumeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Remove(argument: _kctl_v1_RemoveVolumeRequest, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  remove(argument: _kctl_v1_RemoveVolumeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  remove(argument: _kctl_v1_RemoveVolumeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  remove(argument: _kctl_v1_RemoveVolumeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  remove(argument: _kctl_v1_RemoveVolumeRequest, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  
}

export interface VolumesHandlers extends grpc.UntypedServiceImplementation {
  Create: grpc.handleUnaryCall<_kctl_v1_CreateVolumeRequest__Output, _kctl_v1_JsonDocument>;
  
  Inspect: grpc.handleUnaryCall<_kctl_v1_VolumeRef__Output, _kctl_v1_JsonDocument>;
  
  List: grpc.handleUnaryCall<_kctl_v1_Empty__Output, _kctl_v1_JsonDocument>;
  
  Prune: grpc.handleUnaryCall<_kctl_v1_PruneRequest__Output, _kctl_v1_JsonDocument>;
  
  Remove: grpc.handleUnaryCall<_kctl_v1_RemoveVolumeRequest__Output, _kctl_v1_Empty>;
  
}

export interface VolumesDefinition extends grpc.ServiceDefinition {
  Create: MethodDefinition<_kctl_v1_CreateVolumeRequest, _kctl_v1_JsonDocument, _kctl_v1_CreateVolumeRequest__Output, _kctl_v1_JsonDocument__Output>
  Inspect: MethodDefinition<_kctl_v1_VolumeRef, _kctl_v1_JsonDocument, _kctl_v1_VolumeRef__Output, _kctl_v1_JsonDocument__Output>
  List: MethodDefinition<_kctl_v1_Empty, _kctl_v1_JsonDocument, _kctl_v1_Empty__Output, _kctl_v1_JsonDocument__Output>
  Prune: MethodDefinition<_kctl_v1_PruneRequest, _kctl_v1_JsonDocument, _kctl_v1_PruneRequest__Output, _kctl_v1_JsonDocument__Output>
  Remove: MethodDefinition<_kctl_v1_RemoveVolumeRequest, _kctl_v1_Empty, _kctl_v1_RemoveVolumeRequest__Output, _kctl_v1_Empty__Output>
}
