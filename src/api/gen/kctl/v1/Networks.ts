// Original file: proto/kctl/v1/kctl.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ConnectNetworkRequest as _kctl_v1_ConnectNetworkRequest, ConnectNetworkRequest__Output as _kctl_v1_ConnectNetworkRequest__Output } from '../../kctl/v1/ConnectNetworkRequest.js';
import type { CreateNetworkRequest as _kctl_v1_CreateNetworkRequest, CreateNetworkRequest__Output as _kctl_v1_CreateNetworkRequest__Output } from '../../kctl/v1/CreateNetworkRequest.js';
import type { DisconnectNetworkRequest as _kctl_v1_DisconnectNetworkRequest, DisconnectNetworkRequest__Output as _kctl_v1_DisconnectNetworkRequest__Output } from '../../kctl/v1/DisconnectNetworkRequest.js';
import type { Empty as _kctl_v1_Empty, Empty__Output as _kctl_v1_Empty__Output } from '../../kctl/v1/Empty.js';
import type { JsonDocument as _kctl_v1_JsonDocument, JsonDocument__Output as _kctl_v1_JsonDocument__Output } from '../../kctl/v1/JsonDocument.js';
import type { ListNetworksRequest as _kctl_v1_ListNetworksRequest, ListNetworksRequest__Output as _kctl_v1_ListNetworksRequest__Output } from '../../kctl/v1/ListNetworksRequest.js';
import type { NetworkRef as _kctl_v1_NetworkRef, NetworkRef__Output as _kctl_v1_NetworkRef__Output } from '../../kctl/v1/NetworkRef.js';
import type { PruneNetworksRequest as _kctl_v1_PruneNetworksRequest, PruneNetworksRequest__Output as _kctl_v1_PruneNetworksRequest__Output } from '../../kctl/v1/PruneNetworksRequest.js';

export interface NetworksClient extends grpc.Client {
  Connect(argument: _kctl_v1_ConnectNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Connect(argument: _kctl_v1_ConnectNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Connect(argument: _kctl_v1_ConnectNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Connect(argument: _kctl_v1_ConnectNetworkRequest, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  connect(argument: _kctl_v1_ConnectNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  connect(argument: _kctl_v1_ConnectNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  connect(argument: _kctl_v1_ConnectNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  connect(argument: _kctl_v1_ConnectNetworkRequest, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  Create(argument: _kctl_v1_CreateNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Create(argument: _kctl_v1_CreateNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Create(argument: _kctl_v1_CreateNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Create(argument: _kctl_v1_CreateNetworkRequest, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  create(argument: _kctl_v1_CreateNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  create(argument: _kctl_v1_CreateNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  create(argument: _kctl_v1_CreateNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  create(argument: _kctl_v1_CreateNetworkRequest, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  
  Disconnect(argument: _kctl_v1_DisconnectNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Disconnect(argument: _kctl_v1_DisconnectNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Disconnect(argument: _kctl_v1_DisconnectNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Disconnect(argument: _kctl_v1_DisconnectNetworkRequest, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  disconnect(argument: _kctl_v1_DisconnectNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  disconnect(argument: _kctl_v1_DisconnectNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  disconnect(argument: _kctl_v1_DisconnectNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  disconnect(argument: _kctl_v1_DisconnectNetworkRequest, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  Inspect(argument: _kctl_v1_NetworkRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Inspect(argument: _kctl_v1_NetworkRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Inspect(argument: _kctl_v1_NetworkRef, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Inspect(argument: _kctl_v1_NetworkRef, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  inspect(argument: _kctl_v1_NetworkRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  inspect(argument: _kctl_v1_NetworkRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  inspect(argument: _kctl_v1_NetworkRef, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  inspect(argument: _kctl_v1_NetworkRef, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  
  List(argument: _kctl_v1_ListNetworksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  List(argument: _kctl_v1_ListNetworksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  List(argument: _kctl_v1_ListNetworksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  List(argument: _kctl_v1_ListNetworksRequest, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  list(argument: _kctl_v1_ListNetworksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  list(argument: _kctl_v1_ListNetworksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  list(argument: _kctl_v1_ListNetworksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  list(argument: _kctl_v1_ListNetworksRequest, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  
  Prune(argument: _kctl_v1_PruneNetworksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Prune(argument: _kctl_v1_PruneNetworksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Prune(argument: _kctl_v1_PruneNetworksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Prune(argument: _kctl_v1_PruneNetworksRequest, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  prune(argument: _kctl_v1_PruneNetworksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  prune(argument: _kctl_v1_PruneNetworksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  prune(argument: _kctl_v1_PruneNetworksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  prune(argument: _kctl_v1_PruneNetworksRequest, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  
  Remove(argument: _kctl_v1_NetworkRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Remove(argument: _kctl_v1_NetworkRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Remove(argument: _kctl_v1_NetworkRef, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Remove(argument: _kctl_v1_NetworkRef, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  remove(argument: _kctl_v1_NetworkRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  remove(argument: _kctl_v1_NetworkRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  remove(argument: _kctl_v1_NetworkRef, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  remove(argument: _kctl_v1_NetworkRef, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  
}

export interface NetworksHandlers extends grpc.UntypedServiceImplementation {
  Connect: grpc.handleUnaryCall<_kctl_v1_ConnectNetworkRequest__Output, _kctl_v1_Empty>;
  
  Create: grpc.handleUnaryCall<_kctl_v1_CreateNetworkRequest__Output, _kctl_v1_JsonDocument>;
  
  Disconnect: grpc.handleUnaryCall<_kctl_v1_DisconnectNetworkRequest__Output, _kctl_v1_Empty>;
  
  Inspect: grpc.handleUnaryCall<_kctl_v1_NetworkRef__Output, _kctl_v1_JsonDocument>;
  
  List: grpc.handleUnaryCall<_kctl_v1_ListNetworksRequest__Output, _kctl_v1_JsonDocument>;
  
  Prune: grpc.handleUnaryCall<_kctl_v1_PruneNetworksRequest__Output, _kctl_v1_JsonDocument>;
  
  Remove: grpc.handleUnaryCall<_kctl_v1_NetworkRef__Output, _kctl_v1_Empty>;
  
}

export interface NetworksDefinition extends grpc.ServiceDefinition {
  Connect: MethodDefinition<_kctl_v1_ConnectNetworkRequest, _kctl_v1_Empty, _kctl_v1_ConnectNetworkRequest__Output, _kctl_v1_Empty__Output>
  Create: MethodDefinition<_kctl_v1_CreateNetworkRequest, _kctl_v1_JsonDocument, _kctl_v1_CreateNetworkRequest__Output, _kctl_v1_JsonDocument__Output>
  Disconnect: MethodDefinition<_kctl_v1_DisconnectNetworkRequest, _kctl_v1_Empty, _kctl_v1_DisconnectNetworkRequest__Output, _kctl_v1_Empty__Output>
  Inspect: MethodDefinition<_kctl_v1_NetworkRef, _kctl_v1_JsonDocument, _kctl_v1_NetworkRef__Output, _kctl_v1_JsonDocument__Output>
  List: MethodDefinition<_kctl_v1_ListNetworksRequest, _kctl_v1_JsonDocument, _kctl_v1_ListNetworksRequest__Output, _kctl_v1_JsonDocument__Output>
  Prune: MethodDefinition<_kctl_v1_PruneNetworksRequest, _kctl_v1_JsonDocument, _kctl_v1_PruneNetworksRequest__Output, _kctl_v1_JsonDocument__Output>
  Remove: MethodDefinition<_kctl_v1_NetworkRef, _kctl_v1_Empty, _kctl_v1_NetworkRef__Output, _kctl_v1_Empty__Output>
}
