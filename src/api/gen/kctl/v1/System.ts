// Original file: proto/kctl/v1/kctl.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { Empty as _kctl_v1_Empty, Empty__Output as _kctl_v1_Empty__Output } from '../../kctl/v1/Empty.js';
import type { JsonDocument as _kctl_v1_JsonDocument, JsonDocument__Output as _kctl_v1_JsonDocument__Output } from '../../kctl/v1/JsonDocument.js';
import type { PingResponse as _kctl_v1_PingResponse, PingResponse__Output as _kctl_v1_PingResponse__Output } from '../../kctl/v1/PingResponse.js';
import type { VersionResponse as _kctl_v1_VersionResponse, VersionResponse__Output as _kctl_v1_VersionResponse__Output } from '../../kctl/v1/VersionResponse.js';

export interface SystemClient extends grpc.Client {
  DiskUsage(argument: _kctl_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  DiskUsage(argument: _kctl_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  DiskUsage(argument: _kctl_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  DiskUsage(argument: _kctl_v1_Empty, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  diskUsage(argument: _kctl_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  diskUsage(argument: _kctl_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  diskUsage(argument: _kctl_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  diskUsage(argument: _kctl_v1_Empty, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  
  Events(argument: _kctl_v1_Empty, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_kctl_v1_JsonDocument__Output>;
  Events(argument: _kctl_v1_Empty, options?: grpc.CallOptions): grpc.ClientReadableStream<_kctl_v1_JsonDocument__Output>;
  events(argument: _kctl_v1_Empty, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_kctl_v1_JsonDocument__Output>;
  events(argument: _kctl_v1_Empty, options?: grpc.CallOptions): grpc.ClientReadableStream<_kctl_v1_JsonDocument__Output>;
  
  Info(argument: _kctl_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Info(argument: _kctl_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Info(argument: _kctl_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Info(argument: _kctl_v1_Empty, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  info(argument: _kctl_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  info(argument: _kctl_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  info(argument: _kctl_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  info(argument: _kctl_v1_Empty, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  
  Ping(argument: _kctl_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_PingResponse__Output>): grpc.ClientUnaryCall;
  Ping(argument: _kctl_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_PingResponse__Output>): grpc.ClientUnaryCall;
  Ping(argument: _kctl_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_PingResponse__Output>): grpc.ClientUnaryCall;
  Ping(argument: _kctl_v1_Empty, callback: grpc.requestCallback<_kctl_v1_PingResponse__Output>): grpc.ClientUnaryCall;
  ping(argument: _kctl_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_PingResponse__Output>): grpc.ClientUnaryCall;
  ping(argument: _kctl_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_PingResponse__Output>): grpc.ClientUnaryCall;
  ping(argument: _kctl_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_PingResponse__Output>): grpc.ClientUnaryCall;
  ping(argument: _kctl_v1_Empty, callback: grpc.requestCallback<_kctl_v1_PingResponse__Output>): grpc.ClientUnaryCall;
  
  Shutdown(argument: _kctl_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Shutdown(argument: _kctl_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Shutdown(argument: _kctl_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Shutdown(argument: _kctl_v1_Empty, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  shutdown(argument: _kctl_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  shutdown(argument: _kctl_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  shutdown(argument: _kctl_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  shutdown(argument: _kctl_v1_Empty, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  Version(argument: _kctl_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_VersionResponse__Output>): grpc.ClientUnaryCall;
  Version(argument: _kctl_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_VersionResponse__Output>): grpc.ClientUnaryCall;
  Version(argument: _kctl_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_VersionResponse__Output>): grpc.ClientUnaryCall;
  Version(argument: _kctl_v1_Empty, callback: grpc.requestCallback<_kctl_v1_VersionResponse__Output>): grpc.ClientUnaryCall;
  version(argument: _kctl_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_VersionResponse__Output>): grpc.ClientUnaryCall;
  version(argument: _kctl_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_VersionResponse__Output>): grpc.ClientUnaryCall;
  version(argument: _kctl_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_VersionResponse__Output>): grpc.ClientUnaryCall;
  version(argument: _kctl_v1_Empty, callback: grpc.requestCallback<_kctl_v1_VersionResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface SystemHandlers extends grpc.UntypedServiceImplementation {
  DiskUsage: grpc.handleUnaryCall<_kctl_v1_Empty__Output, _kctl_v1_JsonDocument>;
  
  Events: grpc.handleServerStreamingCall<_kctl_v1_Empty__Output, _kctl_v1_JsonDocument>;
  
  Info: grpc.handleUnaryCall<_kctl_v1_Empty__Output, _kctl_v1_JsonDocument>;
  
  Ping: grpc.handleUnaryCall<_kctl_v1_Empty__Output, _kctl_v1_PingResponse>;
  
  Shutdown: grpc.handleUnaryCall<_kctl_v1_Empty__Output, _kctl_v1_Empty>;
  
  Version: grpc.handleUnaryCall<_kctl_v1_Empty__Output, _kctl_v1_VersionResponse>;
  
}

export interface SystemDefinition extends grpc.ServiceDefinition {
  DiskUsage: MethodDefinition<_kctl_v1_Empty, _kctl_v1_JsonDocument, _kctl_v1_Empty__Output, _kctl_v1_JsonDocument__Output>
  Events: MethodDefinition<_kctl_v1_Empty, _kctl_v1_JsonDocument, _kctl_v1_Empty__Output, _kctl_v1_JsonDocument__Output>
  Info: MethodDefinition<_kctl_v1_Empty, _kctl_v1_JsonDocument, _kctl_v1_Empty__Output, _kctl_v1_JsonDocument__Output>
  Ping: MethodDefinition<_kctl_v1_Empty, _kctl_v1_PingResponse, _kctl_v1_Empty__Output, _kctl_v1_PingResponse__Output>
  Shutdown: MethodDefinition<_kctl_v1_Empty, _kctl_v1_Empty, _kctl_v1_Empty__Output, _kctl_v1_Empty__Output>
  Version: MethodDefinition<_kctl_v1_Empty, _kctl_v1_VersionResponse, _kctl_v1_Empty__Output, _kctl_v1_VersionResponse__Output>
}
