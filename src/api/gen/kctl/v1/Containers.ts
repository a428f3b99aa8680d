// Original file: proto/kctl/v1/kctl.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AttachInput as _kctl_v1_AttachInput, AttachInput__Output as _kctl_v1_AttachInput__Output } from '../../kctl/v1/AttachInput.js';
import type { AttachOutput as _kctl_v1_AttachOutput, AttachOutput__Output as _kctl_v1_AttachOutput__Output } from '../../kctl/v1/AttachOutput.js';
import type { ContainerPathRequest as _kctl_v1_ContainerPathRequest, ContainerPathRequest__Output as _kctl_v1_ContainerPathRequest__Output } from '../../kctl/v1/ContainerPathRequest.js';
import type { ContainerRef as _kctl_v1_ContainerRef, ContainerRef__Output as _kctl_v1_ContainerRef__Output } from '../../kctl/v1/ContainerRef.js';
import type { CopyToInput as _kctl_v1_CopyToInput, CopyToInput__Output as _kctl_v1_CopyToInput__Output } from '../../kctl/v1/CopyToInput.js';
import type { CreateContainerRequest as _kctl_v1_CreateContainerRequest, CreateContainerRequest__Output as _kctl_v1_CreateContainerRequest__Output } from '../../kctl/v1/CreateContainerRequest.js';
import type { CreateContainerResponse as _kctl_v1_CreateContainerResponse, CreateContainerResponse__Output as _kctl_v1_CreateContainerResponse__Output } from '../../kctl/v1/CreateContainerResponse.js';
import type { DataChunk as _kctl_v1_DataChunk, DataChunk__Output as _kctl_v1_DataChunk__Output } from '../../kctl/v1/DataChunk.js';
import type { Empty as _kctl_v1_Empty, Empty__Output as _kctl_v1_Empty__Output } from '../../kctl/v1/Empty.js';
import type { ExecInput as _kctl_v1_ExecInput, ExecInput__Output as _kctl_v1_ExecInput__Output } from '../../kctl/v1/ExecInput.js';
import type { JsonDocument as _kctl_v1_JsonDocument, JsonDocument__Output as _kctl_v1_JsonDocument__Output } from '../../kctl/v1/JsonDocument.js';
import type { KillContainerRequest as _kctl_v1_KillContainerRequest, KillContainerRequest__Output as _kctl_v1_KillContainerRequest__Output } from '../../kctl/v1/KillContainerRequest.js';
import type { ListContainersRequest as _kctl_v1_ListContainersRequest, ListContainersRequest__Output as _kctl_v1_ListContainersRequest__Output } from '../../kctl/v1/ListContainersRequest.js';
import type { ListContainersResponse as _kctl_v1_ListContainersResponse, ListContainersResponse__Output as _kctl_v1_ListContainersResponse__Output } from '../../kctl/v1/ListContainersResponse.js';
import type { LogEntry as _kctl_v1_LogEntry, LogEntry__Output as _kctl_v1_LogEntry__Output } from '../../kctl/v1/LogEntry.js';
import type { LogsRequest as _kctl_v1_LogsRequest, LogsRequest__Output as _kctl_v1_LogsRequest__Output } from '../../kctl/v1/LogsRequest.js';
import type { PortList as _kctl_v1_PortList, PortList__Output as _kctl_v1_PortList__Output } from '../../kctl/v1/PortList.js';
import type { PruneRequest as _kctl_v1_PruneRequest, PruneRequest__Output as _kctl_v1_PruneRequest__Output } from '../../kctl/v1/PruneRequest.js';
import type { RemoveContainerRequest as _kctl_v1_RemoveContainerRequest, RemoveContainerRequest__Output as _kctl_v1_RemoveContainerRequest__Output } from '../../kctl/v1/RemoveContainerRequest.js';
import type { StartContainerResponse as _kctl_v1_StartContainerResponse, StartContainerResponse__Output as _kctl_v1_StartContainerResponse__Output } from '../../kctl/v1/StartContainerResponse.js';
import type { StopContainerRequest as _kctl_v1_StopContainerRequest, StopContainerRequest__Output as _kctl_v1_StopContainerRequest__Output } from '../../kctl/v1/StopContainerRequest.js';
import type { TopRequest as _kctl_v1_TopRequest, TopRequest__Output as _kctl_v1_TopRequest__Output } from '../../kctl/v1/TopRequest.js';
import type { UpdateContainerRequest as _kctl_v1_UpdateContainerRequest, UpdateContainerRequest__Output as _kctl_v1_UpdateContainerRequest__Output } from '../../kctl/v1/UpdateContainerRequest.js';
import type { WaitContainerRequest as _kctl_v1_WaitContainerRequest, WaitContainerRequest__Output as _kctl_v1_WaitContainerRequest__Output } from '../../kctl/v1/WaitContainerRequest.js';
import type { WaitContainerResponse as _kctl_v1_WaitContainerResponse, WaitContainerResponse__Output as _kctl_v1_WaitContainerResponse__Output } from '../../kctl/v1/WaitContainerResponse.js';

export interface ContainersClient extends grpc.Client {
  Attach(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_kctl_v1_AttachInput, _kctl_v1_AttachOutput__Output>;
  Attach(options?: grpc.CallOptions): grpc.ClientDuplexStream<_kctl_v1_AttachInput, _kctl_v1_AttachOutput__Output>;
  attach(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_kctl_v1_AttachInput, _kctl_v1_AttachOutput__Output>;
  attach(options?: grpc.CallOptions): grpc.ClientDuplexStream<_kctl_v1_AttachInput, _kctl_v1_AttachOutput__Output>;
  
  CopyFrom(argument: _kctl_v1_ContainerPathRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_kctl_v1_DataChunk__Output>;
  CopyFrom(argument: _kctl_v1_ContainerPathRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_kctl_v1_DataChunk__Output>;
  copyFrom(argument: _kctl_v1_ContainerPathRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_kctl_v1_DataChunk__Output>;
  copyFrom(argument: _kctl_v1_ContainerPathRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_kctl_v1_DataChunk__Output>;
  
  CopyTo(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientWritableStream<_kctl_v1_CopyToInput>;
  CopyTo(metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientWritableStream<_kctl_v1_CopyToInput>;
  CopyTo(options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientWritableStream<_kctl_v1_CopyToInput>;
  CopyTo(callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientWritableStream<_kctl_v1_CopyToInput>;
  copyTo(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientWritableStream<_kctl_v1_CopyToInput>;
  copyTo(metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientWritableStream<_kctl_v1_CopyToInput>;
  copyTo(options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientWritableStream<_kctl_v1_CopyToInput>;
  copyTo(callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientWritableStream<_kctl_v1_CopyToInput>;
  
  Create(argument: _kctl_v1_CreateContainerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_CreateContainerResponse__Output>): grpc.ClientUnaryCall;
  Create(argument: _kctl_v1_CreateContainerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_CreateContainerResponse__Output>): grpc.ClientUnaryCall;
  Create(argument: _kctl_v1_CreateContainerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_CreateContainerResponse__Output>): grpc.ClientUnaryCall;
  Create(argument: _kctl_v1_CreateContainerRequest, callback: grpc.requestCallback<_kctl_v1_CreateContainerResponse__Output>): grpc.ClientUnaryCall;
  create(argument: _kctl_v1_CreateContainerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_CreateContainerResponse__Output>): grpc.ClientUnaryCall;
  create(argument: _kctl_v1_CreateContainerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_CreateContainerResponse__Output>): grpc.ClientUnaryCall;
  create(argument: _kctl_v1_CreateContainerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_CreateContainerResponse__Output>): grpc.ClientUnaryCall;
  create(argument: _kctl_v1_CreateContainerRequest, callback: grpc.requestCallback<_kctl_v1_CreateContainerResponse__Output>): grpc.ClientUnaryCall;
  
  Exec(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_kctl_v1_ExecInput, _kctl_v1_AttachOutput__Output>;
  Exec(options?: grpc.CallOptions): grpc.ClientDuplexStream<_kctl_v1_ExecInput, _kctl_v1_AttachOutput__Output>;
  exec(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_kctl_v1_ExecInput, _kctl_v1_AttachOutput__Output>;
  exec(options?: grpc.CallOptions): grpc.ClientDuplexStream<_kctl_v1_ExecInput, _kctl_v1_AttachOutput__Output>;
  
  Inspect(argument: _kctl_v1_ContainerRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Inspect(argument: _kctl_v1_ContainerRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Inspect(argument: _kctl_v1_ContainerRef, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Inspect(argument: _kctl_v1_ContainerRef, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  inspect(argument: _kctl_v1_ContainerRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  inspect(argument: _kctl_v1_ContainerRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  inspect(argument: _kctl_v1_ContainerRef, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  inspect(argument: _kctl_v1_ContainerRef, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  
  Kill(argument: _kctl_v1_KillContainerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Kill(argument: _kctl_v1_KillContainerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Kill(argument: _kctl_v1_KillContainerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Kill(argument: _kctl_v1_KillContainerRequest, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  kill(argument: _kctl_v1_KillContainerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  kill(argument: _kctl_v1_KillContainerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  kill(argument: _kctl_v1_KillContainerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  kill(argument: _kctl_v1_KillContainerRequest, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  List(argument: _kctl_v1_ListContainersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_ListContainersResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _kctl_v1_ListContainersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_ListContainersResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _kctl_v1_ListContainersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_ListContainersResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _kctl_v1_ListContainersRequest, callback: grpc.requestCallback<_kctl_v1_ListContainersResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _kctl_v1_ListContainersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_ListContainersResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _kctl_v1_ListContainersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_ListContainersResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _kctl_v1_ListContainersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_ListContainersResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _kctl_v1_ListContainersRequest, callback: grpc.requestCallback<_kctl_v1_ListContainersResponse__Output>): grpc.ClientUnaryCall;
  
  Logs(argument: _kctl_v1_LogsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_kctl_v1_LogEntry__Output>;
  Logs(argument: _kctl_v1_LogsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_kctl_v1_LogEntry__Output>;
  logs(argument: _kctl_v1_LogsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_kctl_v1_LogEntry__Output>;
  logs(argument: _kctl_v1_LogsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_kctl_v1_LogEntry__Output>;
  
  Pause(argument: _kctl_v1_ContainerRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Pause(argument: _kctl_v1_ContainerRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Pause(argument: _kctl_v1_ContainerRef, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Pause(argument: _kctl_v1_ContainerRef, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  pause(argument: _kctl_v1_ContainerRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  pause(argument: _kctl_v1_ContainerRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  pause(argument: _kctl_v1_ContainerRef, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  pause(argument: _kctl_v1_ContainerRef, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  Port(argument: _kctl_v1_ContainerRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_PortList__Output>): grpc.ClientUnaryCall;
  Port(argument: _kctl_v1_ContainerRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_PortList__Output>): grpc.ClientUnaryCall;
  Port(argument: _kctl_v1_ContainerRef, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_PortList__Output>): grpc.ClientUnaryCall;
  Port(argument: _kctl_v1_ContainerRef, callback: grpc.requestCallback<_kctl_v1_PortList__Output>): grpc.ClientUnaryCall;
  port(argument: _kctl_v1_ContainerRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_PortList__Output>): grpc.ClientUnaryCall;
  port(argument: _kctl_v1_ContainerRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_PortList__Output>): grpc.ClientUnaryCall;
  port(argument: _kctl_v1_ContainerRef, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_PortList__Output>): grpc.ClientUnaryCall;
  port(argument: _kctl_v1_ContainerRef, callback: grpc.requestCallback<_kctl_v1_PortList__Output>): grpc.ClientUnaryCall;
  
  Prune(argument: _kctl_v1_PruneRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Prune(argument: _kctl_v1_PruneRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Prune(argument: _kctl_v1_PruneRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Prune(argument: _kctl_v1_PruneRequest, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  prune(argument: _kctl_v1_PruneRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  prune(argument: _kctl_v1_PruneRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  prune(argument: _kctl_v1_PruneRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  prune(argument: _kctl_v1_PruneRequest, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  
  Remove(argument: _kctl_v1_RemoveContainerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Remove(argument: _kctl_v1_RemoveContainerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Remove(argument: _kctl_v1_RemoveContainerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Remove(argument: _kctl_v1_RemoveContainerRequest, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  remove(argument: _kctl_v1_RemoveContainerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  remove(argument: _kctl_v1_RemoveContainerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  remove(argument: _kctl_v1_RemoveContainerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  remove(argument: _kctl_v1_RemoveContainerRequest, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  Restart(argument: _kctl_v1_StopContainerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Restart(argument: _kctl_v1_StopContainerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Restart(argument: _kctl_v1_StopContainerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Restart(argument: _kctl_v1_StopContainerRequest, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  restart(argument: _kctl_v1_StopContainerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  restart(argument: _kctl_v1_StopContainerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  restart(argument: _kctl_v1_StopContainerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  restart(argument: _kctl_v1_StopContainerRequest, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  Start(argument: _kctl_v1_ContainerRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_StartContainerResponse__Output>): grpc.ClientUnaryCall;
  Start(argument: _kctl_v1_ContainerRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_StartContainerResponse__Output>): grpc.ClientUnaryCall;
  Start(argument: _kctl_v1_ContainerRef, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_StartContainerResponse__Output>): grpc.ClientUnaryCall;
  Start(argument: _kctl_v1_ContainerRef, callback: grpc.requestCallback<_kctl_v1_StartContainerResponse__Output>): grpc.ClientUnaryCall;
  start(argument: _kctl_v1_ContainerRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_StartContainerResponse__Output>): grpc.ClientUnaryCall;
  start(argument: _kctl_v1_ContainerRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_StartContainerResponse__Output>): grpc.ClientUnaryCall;
  start(argument: _kctl_v1_ContainerRef, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_StartContainerResponse__Output>): grpc.ClientUnaryCall;
  start(argument: _kctl_v1_ContainerRef, callback: grpc.requestCallback<_kctl_v1_StartContainerResponse__Output>): grpc.ClientUnaryCall;
  
  StatPath(argument: _kctl_v1_ContainerPathRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  StatPath(argument: _kctl_v1_ContainerPathRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  StatPath(argument: _kctl_v1_ContainerPathRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  StatPath(argument: _kctl_v1_ContainerPathRequest, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  statPath(argument: _kctl_v1_ContainerPathRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  statPath(argument: _kctl_v1_ContainerPathRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  statPath(argument: _kctl_v1_ContainerPathRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  statPath(argument: _kctl_v1_ContainerPathRequest, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  
  Stats(argument: _kctl_v1_ContainerRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Stats(argument: _kctl_v1_ContainerRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Stats(argument: _kctl_v1_ContainerRef, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Stats(argument: _kctl_v1_ContainerRef, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  stats(argument: _kctl_v1_ContainerRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  stats(argument: _kctl_v1_ContainerRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  stats(argument: _kctl_v1_ContainerRef, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  stats(argument: _kctl_v1_ContainerRef, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  
  Stop(argument: _kctl_v1_StopContainerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Stop(argument: _kctl_v1_StopContainerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Stop(argument: _kctl_v1_StopContainerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Stop(argument: _kctl_v1_StopContainerRequest, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  stop(argument: _kctl_v1_StopContainerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  stop(argument: _kctl_v1_StopContainerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  stop(argument: _kctl_v1_StopContainerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  stop(argument: _kctl_v1_StopContainerRequest, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  Top(argument: _kctl_v1_TopRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Top(argument: _kctl_v1_TopRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Top(argument: _kctl_v1_TopRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Top(argument: _kctl_v1_TopRequest, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  top(argument: _kctl_v1_TopRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  top(argument: _kctl_v1_TopRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  top(argument: _kctl_v1_TopRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  top(argument: _kctl_v1_TopRequest, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  
  Unpause(argument: _kctl_v1_ContainerRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Unpause(argument: _kctl_v1_ContainerRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Unpause(argument: _kctl_v1_ContainerRef, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Unpause(argument: _kctl_v1_ContainerRef, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  unpause(argument: _kctl_v1_ContainerRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  unpause(argument: _kctl_v1_ContainerRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  unpause(argument: _kctl_v1_ContainerRef, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  unpause(argument: _kctl_v1_ContainerRef, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  Update(argument: _kctl_v1_UpdateContainerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Update(argument: _kctl_v1_UpdateContainerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Update(argument: _kctl_v1_UpdateContainerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Update(argument: _kctl_v1_UpdateContainerRequest, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  update(argument: _kctl_v1_UpdateContainerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  update(argument: _kctl_v1_UpdateContainerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  update(argument: _kctl_v1_UpdateContainerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  update(argument: _kctl_v1_UpdateContainerRequest, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  Wait(argument: _kctl_v1_WaitContainerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_WaitContainerResponse__Output>): grpc.ClientUnaryCall;
  Wait(argument: _kctl_v1_WaitContainerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_WaitContainerResponse__Output>): grpc.ClientUnaryCall;
  Wait(argument: _kctl_v1_WaitContainerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_WaitContainerResponse__Output>): grpc.ClientUnaryCall;
  Wait(argument: _kctl_v1_WaitContainerRequest, callback: grpc.requestCallback<_kctl_v1_WaitContainerResponse__Output>): grpc.ClientUnaryCall;
  wait(argument: _kctl_v1_WaitContainerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_WaitContainerResponse__Output>): grpc.ClientUnaryCall;
  wait(argument: _kctl_v1_WaitContainerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_WaitContainerResponse__Output>): grpc.ClientUnaryCall;
  wait(argument: _kctl_v1_WaitContainerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_WaitContainerResponse__Output>): grpc.ClientUnaryCall;
  wait(argument: _kctl_v1_WaitContainerRequest, callback: grpc.requestCallback<_kctl_v1_WaitContainerResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface ContainersHandlers extends grpc.UntypedServiceImplementation {
  Attach: grpc.handleBidiStreamingCall<_kctl_v1_AttachInput__Output, _kctl_v1_AttachOutput>;
  
  CopyFrom: grpc.handleServerStreamingCall<_kctl_v1_ContainerPathRequest__Output, _kctl_v1_DataChunk>;
  
  CopyTo: grpc.handleClientStreamingCall<_kctl_v1_CopyToInput__Output, _kctl_v1_Empty>;
  
  Create: grpc.handleUnaryCall<_kctl_v1_CreateContainerRequest__Output, _kctl_v1_CreateContainerResponse>;
  
  Exec: grpc.handleBidiStreamingCall<_kctl_v1_ExecInput__Output, _kctl_v1_AttachOutput>;
  
  Inspect: grpc.handleUnaryCall<_kctl_v1_ContainerRef__Output, _kctl_v1_JsonDocument>;
  
  Kill: grpc.handleUnaryCall<_kctl_v1_KillContainerRequest__Output, _kctl_v1_Empty>;
  
  List: grpc.handleUnaryCall<_kctl_v1_ListContainersRequest__Output, _kctl_v1_ListContainersResponse>;
  
  Logs: grpc.handleServerStreamingCall<_kctl_v1_LogsRequest__Output, _kctl_v1_LogEntry>;
  
  Pause: grpc.handleUnaryCall<_kctl_v1_ContainerRef__Output, _kctl_v1_Empty>;
  
  Port: grpc.handleUnaryCall<_kctl_v1_ContainerRef__Output, _kctl_v1_PortList>;
  
  Prune: grpc.handleUnaryCall<_kctl_v1_PruneRequest__Output, _kctl_v1_JsonDocument>;
  
  Remove: grpc.handleUnaryCall<_kctl_v1_RemoveContainerRequest__Output, _kctl_v1_Empty>;
  
  Restart: grpc.handleUnaryCall<_kctl_v1_StopContainerRequest__Output, _kctl_v1_Empty>;
  
  Start: grpc.handleUnaryCall<_kctl_v1_ContainerRef__Output, _kctl_v1_StartContainerResponse>;
  
  StatPath: grpc.handleUnaryCall<_kctl_v1_ContainerPathRequest__Output, _kctl_v1_JsonDocument>;
  
  Stats: grpc.handleUnaryCall<_kctl_v1_ContainerRef__Output, _kctl_v1_JsonDocument>;
  
  Stop: grpc.handleUnaryCall<_kctl_v1_StopContainerRequest__Output, _kctl_v1_Empty>;
  
  Top: grpc.handleUnaryCall<_kctl_v1_TopRequest__Output, _kctl_v1_JsonDocument>;
  
  Unpause: grpc.handleUnaryCall<_kctl_v1_ContainerRef__Output, _kctl_v1_Empty>;
  
  Update: grpc.handleUnaryCall<_kctl_v1_UpdateContainerRequest__Output, _kctl_v1_Empty>;
  
  Wait: grpc.handleUnaryCall<_kctl_v1_WaitContainerRequest__Output, _kctl_v1_WaitContainerResponse>;
  
}

export interface ContainersDefinition extends grpc.ServiceDefinition {
  Attach: MethodDefinition<_kctl_v1_AttachInput, _kctl_v1_AttachOutput, _kctl_v1_AttachInput__Output, _kctl_v1_AttachOutput__Output>
  CopyFrom: MethodDefinition<_kctl_v1_ContainerPathRequest, _kctl_v1_DataChunk, _kctl_v1_ContainerPathRequest__Output, _kctl_v1_DataChunk__Output>
  CopyTo: MethodDefinition<_kctl_v1_CopyToInput, _kctl_v1_Empty, _kctl_v1_CopyToInput__Output, _kctl_v1_Empty__Output>
  Create: MethodDefinition<_kctl_v1_CreateContainerRequest, _kctl_v1_CreateContainerResponse, _kctl_v1_CreateContainerRequest__Output, _kctl_v1_CreateContainerResponse__Output>
  Exec: MethodDefinition<_kctl_v1_ExecInput, _kctl_v1_AttachOutput, _kctl_v1_ExecInput__Output, _kctl_v1_AttachOutput__Output>
  Inspect: MethodDefinition<_kctl_v1_ContainerRef, _kctl_v1_JsonDocument, _kctl_v1_ContainerRef__Output, _kctl_v1_JsonDocument__Output>
  Kill: MethodDefinition<_kctl_v1_KillContainerRequest, _kctl_v1_Empty, _kctl_v1_KillContainerRequest__Output, _kctl_v1_Empty__Output>
  List: MethodDefinition<_kctl_v1_ListContainersRequest, _kctl_v1_ListContainersResponse, _kctl_v1_ListContainersRequest__Output, _kctl_v1_ListContainersResponse__Output>
  Logs: MethodDefinition<_kctl_v1_LogsRequest, _kctl_v1_LogEntry, _kctl_v1_LogsRequest__Output, _kctl_v1_LogEntry__Output>
  Pause: MethodDefinition<_kctl_v1_ContainerRef, _kctl_v1_Empty, _kctl_v1_ContainerRef__Output, _kctl_v1_Empty__Output>
  Port: MethodDefinition<_kctl_v1_ContainerRef, _kctl_v1_PortList, _kctl_v1_ContainerRef__Output, _kctl_v1_PortList__Output>
  Prune: MethodDefinition<_kctl_v1_PruneRequest, _kctl_v1_JsonDocument, _kctl_v1_PruneRequest__Output, _kctl_v1_JsonDocument__Output>
  Remove: MethodDefinition<_kctl_v1_RemoveContainerRequest, _kctl_v1_Empty, _kctl_v1_RemoveContainerRequest__Output, _kctl_v1_Empty__Output>
  Restart: MethodDefinition<_kctl_v1_StopContainerRequest, _kctl_v1_Empty, _kctl_v1_StopContainerRequest__Output, _kctl_v1_Empty__Output>
  Start: MethodDefinition<_kctl_v1_ContainerRef, _kctl_v1_StartContainerResponse, _kctl_v1_ContainerRef__Output, _kctl_v1_StartContainerResponse__Output>
  StatPath: MethodDefinition<_kctl_v1_ContainerPathRequest, _kctl_v1_JsonDocument, _kctl_v1_ContainerPathRequest__Output, _kctl_v1_JsonDocument__Output>
  Stats: MethodDefinition<_kctl_v1_ContainerRef, _kctl_v1_JsonDocument, _kctl_v1_ContainerRef__Output, _kctl_v1_JsonDocument__Output>
  Stop: MethodDefinition<_kctl_v1_StopContainerRequest, _kctl_v1_Empty, _kctl_v1_StopContainerRequest__Output, _kctl_v1_Empty__Output>
  Top: MethodDefinition<_kctl_v1_TopRequest, _kctl_v1_JsonDocument, _kctl_v1_TopRequest__Output, _kctl_v1_JsonDocument__Output>
  Unpause: MethodDefinition<_kctl_v1_ContainerRef, _kctl_v1_Empty, _kctl_v1_ContainerRef__Output, _kctl_v1_Empty__Output>
  Update: MethodDefinition<_kctl_v1_UpdateContainerRequest, _kctl_v1_Empty, _kctl_v1_UpdateContainerRequest__Output, _kctl_v1_Empty__Output>
  Wait: MethodDefinition<_kctl_v1_WaitContainerRequest, _kctl_v1_WaitContainerResponse, _kctl_v1_WaitContainerRequest__Output, _kctl_v1_WaitContainerResponse__Output>
}
