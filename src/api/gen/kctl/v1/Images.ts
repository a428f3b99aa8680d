// Original file: proto/kctl/v1/kctl.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { DataChunk as _kctl_v1_DataChunk, DataChunk__Output as _kctl_v1_DataChunk__Output } from '../../kctl/v1/DataChunk.js';
import type { Empty as _kctl_v1_Empty, Empty__Output as _kctl_v1_Empty__Output } from '../../kctl/v1/Empty.js';
import type { ImageRef as _kctl_v1_ImageRef, ImageRef__Output as _kctl_v1_ImageRef__Output } from '../../kctl/v1/ImageRef.js';
import type { JsonDocument as _kctl_v1_JsonDocument, JsonDocument__Output as _kctl_v1_JsonDocument__Output } from '../../kctl/v1/JsonDocument.js';
import type { ListImagesRequest as _kctl_v1_ListImagesRequest, ListImagesRequest__Output as _kctl_v1_ListImagesRequest__Output } from '../../kctl/v1/ListImagesRequest.js';
import type { ListImagesResponse as _kctl_v1_ListImagesResponse, ListImagesResponse__Output as _kctl_v1_ListImagesResponse__Output } from '../../kctl/v1/ListImagesResponse.js';
import type { LoadResponse as _kctl_v1_LoadResponse, LoadResponse__Output as _kctl_v1_LoadResponse__Output } from '../../kctl/v1/LoadResponse.js';
import type { ProgressEvent as _kctl_v1_ProgressEvent, ProgressEvent__Output as _kctl_v1_ProgressEvent__Output } from '../../kctl/v1/ProgressEvent.js';
import type { PruneRequest as _kctl_v1_PruneRequest, PruneRequest__Output as _kctl_v1_PruneRequest__Output } from '../../kctl/v1/PruneRequest.js';
import type { PullRequest as _kctl_v1_PullRequest, PullRequest__Output as _kctl_v1_PullRequest__Output } from '../../kctl/v1/PullRequest.js';
import type { RemoveImageRequest as _kctl_v1_RemoveImageRequest, RemoveImageRequest__Output as _kctl_v1_RemoveImageRequest__Output } from '../../kctl/v1/RemoveImageRequest.js';
import type { RemoveImageResponse as _kctl_v1_RemoveImageResponse, RemoveImageResponse__Output as _kctl_v1_RemoveImageResponse__Output } from '../../kctl/v1/RemoveImageResponse.js';
import type { SaveRequest as _kctl_v1_SaveRequest, SaveRequest__Output as _kctl_v1_SaveRequest__Output } from '../../kctl/v1/SaveRequest.js';
import type { TagRequest as _kctl_v1_TagRequest, TagRequest__Output as _kctl_v1_TagRequest__Output } from '../../kctl/v1/TagRequest.js';

export interface ImagesClient extends grpc.Client {
  Inspect(argument: _kctl_v1_ImageRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Inspect(argument: _kctl_v1_ImageRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Inspect(argument: _kctl_v1_ImageRef, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Inspect(argument: _kctl_v1_ImageRef, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  inspect(argument: _kctl_v1_ImageRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  inspect(argument: _kctl_v1_ImageRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  inspect(argument: _kctl_v1_ImageRef, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  inspect(argument: _kctl_v1_ImageRef, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  
  List(argument: _kctl_v1_ListImagesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_ListImagesResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _kctl_v1_ListImagesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_ListImagesResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _kctl_v1_ListImagesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_ListImagesResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _kctl_v1_ListImagesRequest, callback: grpc.requestCallback<_kctl_v1_ListImagesResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _kctl_v1_ListImagesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_ListImagesResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _kctl_v1_ListImagesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_ListImagesResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _kctl_v1_ListImagesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_ListImagesResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _kctl_v1_ListImagesRequest, callback: grpc.requestCallback<_kctl_v1_ListImagesResponse__Output>): grpc.ClientUnaryCall;
  
  Load(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_LoadResponse__Output>): grpc.ClientWritableStream<_kctl_v1_DataChunk>;
  Load(metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_LoadResponse__Output>): grpc.ClientWritableStream<_kctl_v1_DataChunk>;
  Load(options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_LoadResponse__Output>): grpc.ClientWritableStream<_kctl_v1_DataChunk>;
  Load(callback: grpc.requestCallback<_kctl_v1_LoadResponse__Output>): grpc.ClientWritableStream<_kctl_v1_DataChunk>;
  load(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_LoadResponse__Output>): grpc.ClientWritableStream<_kctl_v1_DataChunk>;
  load(metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_LoadResponse__Output>): grpc.ClientWritableStream<_kctl_v1_DataChunk>;
  load(options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_LoadResponse__Output>): grpc.ClientWritableStream<_kctl_v1_DataChunk>;
  load(callback: grpc.requestCallback<_kctl_v1_LoadResponse__Output>): grpc.ClientWritableStream<_kctl_v1_DataChunk>;
  
  Prune(argument: _kctl_v1_PruneRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Prune(argument: _kctl_v1_PruneRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Prune(argument: _kctl_v1_PruneRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  Prune(argument: _kctl_v1_PruneRequest, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  prune(argument: _kctl_v1_PruneRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  prune(argument: _kctl_v1_PruneRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  prune(argument: _kctl_v1_PruneRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  prune(argument: _kctl_v1_PruneRequest, callback: grpc.requestCallback<_kctl_v1_JsonDocument__Output>): grpc.ClientUnaryCall;
  
  Pull(argument: _kctl_v1_PullRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_kctl_v1_ProgressEvent__Output>;
  Pull(argument: _kctl_v1_PullRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_kctl_v1_ProgressEvent__Output>;
  pull(argument: _kctl_v1_PullRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_kctl_v1_ProgressEvent__Output>;
  pull(argument: _kctl_v1_PullRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_kctl_v1_ProgressEvent__Output>;
  
  Remove(argument: _kctl_v1_RemoveImageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_RemoveImageResponse__Output>): grpc.ClientUnaryCall;
  Remove(argument: _kctl_v1_RemoveImageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_RemoveImageResponse__Output>): grpc.ClientUnaryCall;
  Remove(argument: _kctl_v1_RemoveImageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_RemoveImageResponse__Output>): grpc.ClientUnaryCall;
  Remove(argument: _kctl_v1_RemoveImageRequest, callback: grpc.requestCallback<_kctl_v1_RemoveImageResponse__Output>): grpc.ClientUnaryCall;
  remove(argument: _kctl_v1_RemoveImageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_RemoveImageResponse__Output>): grpc.ClientUnaryCall;
  remove(argument: _kctl_v1_RemoveImageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_RemoveImageResponse__Output>): grpc.ClientUnaryCall;
  remove(argument: _kctl_v1_RemoveImageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_RemoveImageResponse__Output>): grpc.ClientUnaryCall;
  remove(argument: _kctl_v1_RemoveImageRequest, callback: grpc.requestCallback<_kctl_v1_RemoveImageResponse__Output>): grpc.ClientUnaryCall;
  
  Save(argument: _kctl_v1_SaveRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_kctl_v1_DataChunk__Output>;
  Save(argument: _kctl_v1_SaveRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_kctl_v1_DataChunk__Output>;
  save(argument: _kctl_v1_SaveRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_kctl_v1_DataChunk__Output>;
  save(argument: _kctl_v1_SaveRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_kctl_v1_DataChunk__Output>;
  
  Tag(argument: _kctl_v1_TagRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Tag(argument: _kctl_v1_TagRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Tag(argument: _kctl_v1_TagRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  Tag(argument: _kctl_v1_TagRequest, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  tag(argument: _kctl_v1_TagRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  tag(argument: _kctl_v1_TagRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  tag(argument: _kctl_v1_TagRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  tag(argument: _kctl_v1_TagRequest, callback: grpc.requestCallback<_kctl_v1_Empty__Output>): grpc.ClientUnaryCall;
  
}

export interface ImagesHandlers extends grpc.UntypedServiceImplementation {
  Inspect: grpc.handleUnaryCall<_kctl_v1_ImageRef__Output, _kctl_v1_JsonDocument>;
  
  List: grpc.handleUnaryCall<_kctl_v1_ListImagesRequest__Output, _kctl_v1_ListImagesResponse>;
  
  Load: grpc.handleClientStreamingCall<_kctl_v1_DataChunk__Output, _kctl_v1_LoadResponse>;
  
  Prune: grpc.handleUnaryCall<_kctl_v1_PruneRequest__Output, _kctl_v1_JsonDocument>;
  
  Pull: grpc.handleServerStreamingCall<_kctl_v1_PullRequest__Output, _kctl_v1_ProgressEvent>;
  
  Remove: grpc.handleUnaryCall<_kctl_v1_RemoveImageRequest__Output, _kctl_v1_RemoveImageResponse>;
  
  Save: grpc.handleServerStreamingCall<_kctl_v1_SaveRequest__Output, _kctl_v1_DataChunk>;
  
  Tag: grpc.handleUnaryCall<_kctl_v1_TagRequest__Output, _kctl_v1_Empty>;
  
}

export interface ImagesDefinition extends grpc.ServiceDefinition {
  Inspect: MethodDefinition<_kctl_v1_ImageRef, _kctl_v1_JsonDocument, _kctl_v1_ImageRef__Output, _kctl_v1_JsonDocument__Output>
  List: MethodDefinition<_kctl_v1_ListImagesRequest, _kctl_v1_ListImagesResponse, _kctl_v1_ListImagesRequest__Output, _kctl_v1_ListImagesResponse__Output>
  Load: MethodDefinition<_kctl_v1_DataChunk, _kctl_v1_LoadResponse, _kctl_v1_DataChunk__Output, _kctl_v1_LoadResponse__Output>
  Prune: MethodDefinition<_kctl_v1_PruneRequest, _kctl_v1_JsonDocument, _kctl_v1_PruneRequest__Output, _kctl_v1_JsonDocument__Output>
  Pull: MethodDefinition<_kctl_v1_PullRequest, _kctl_v1_ProgressEvent, _kctl_v1_PullRequest__Output, _kctl_v1_ProgressEvent__Output>
  Remove: MethodDefinition<_kctl_v1_RemoveImageRequest, _kctl_v1_RemoveImageResponse, _kctl_v1_RemoveImageRequest__Output, _kctl_v1_RemoveImageResponse__Output>
  Save: MethodDefinition<_kctl_v1_SaveRequest, _kctl_v1_DataChunk, _kctl_v1_SaveRequest__Output, _kctl_v1_DataChunk__Output>
  Tag: MethodDefinition<_kctl_v1_TagRequest, _kctl_v1_Empty, _kctl_v1_TagRequest__Output, _kctl_v1_Empty__Output>
}
