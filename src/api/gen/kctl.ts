import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AttachInput as _kctl_v1_AttachInput, AttachInput__Output as _kctl_v1_AttachInput__Output } from './kctl/v1/AttachInput.js';
import type { AttachOpen as _kctl_v1_AttachOpen, AttachOpen__Output as _kctl_v1_AttachOpen__Output } from './kctl/v1/AttachOpen.js';
import type { AttachOutput as _kctl_v1_AttachOutput, AttachOutput__Output as _kctl_v1_AttachOutput__Output } from './kctl/v1/AttachOutput.js';
import type { AuthConfig as _kctl_v1_AuthConfig, AuthConfig__Output as _kctl_v1_AuthConfig__Output } from './kctl/v1/AuthConfig.js';
import type { ConnectNetworkRequest as _kctl_v1_ConnectNetworkRequest, ConnectNetworkRequest__Output as _kctl_v1_ConnectNetworkRequest__Output } from './kctl/v1/ConnectNetworkRequest.js';
import type { ContainerConfig as _kctl_v1_ContainerConfig, ContainerConfig__Output as _kctl_v1_ContainerConfig__Output } from './kctl/v1/ContainerConfig.js';
import type { ContainerPathRequest as _kctl_v1_ContainerPathRequest, ContainerPathRequest__Output as _kctl_v1_ContainerPathRequest__Output } from './kctl/v1/ContainerPathRequest.js';
import type { ContainerRef as _kctl_v1_ContainerRef, ContainerRef__Output as _kctl_v1_ContainerRef__Output } from './kctl/v1/ContainerRef.js';
import type { ContainerSummary as _kctl_v1_ContainerSummary, ContainerSummary__Output as _kctl_v1_ContainerSummary__Output } from './kctl/v1/ContainerSummary.js';
import type { ContainersClient as _kctl_v1_ContainersClient, ContainersDefinition as _kctl_v1_ContainersDefinition } from './kctl/v1/Containers.js';
import type { CopyToInput as _kctl_v1_CopyToInput, CopyToInput__Output as _kctl_v1_CopyToInput__Output } from './kctl/v1/CopyToInput.js';
import type { CreateContainerRequest as _kctl_v1_CreateContainerRequest, CreateContainerRequest__Output as _kctl_v1_CreateContainerRequest__Output } from './kctl/v1/CreateContainerRequest.js';
import type { CreateContainerResponse as _kctl_v1_CreateContainerResponse, CreateContainerResponse__Output as _kctl_v1_CreateContainerResponse__Output } from './kctl/v1/CreateContainerResponse.js';
import type { CreateNetworkRequest as _kctl_v1_CreateNetworkRequest, CreateNetworkRequest__Output as _kctl_v1_CreateNetworkRequest__Output } from './kctl/v1/CreateNetworkRequest.js';
import type { CreateVolumeRequest as _kctl_v1_CreateVolumeRequest, CreateVolumeRequest__Output as _kctl_v1_CreateVolumeRequest__Output } from './kctl/v1/CreateVolumeRequest.js';
import type { DataChunk as _kctl_v1_DataChunk, DataChunk__Output as _kctl_v1_DataChunk__Output } from './kctl/v1/DataChunk.js';
import type { DisconnectNetworkRequest as _kctl_v1_DisconnectNetworkRequest, DisconnectNetworkRequest__Output as _kctl_v1_DisconnectNetworkRequest__Output } from './kctl/v1/DisconnectNetworkRequest.js';
import type { Empty as _kctl_v1_Empty, Empty__Output as _kctl_v1_Empty__Output } from './kctl/v1/Empty.js';
import type { ExecInput as _kctl_v1_ExecInput, ExecInput__Output as _kctl_v1_ExecInput__Output } from './kctl/v1/ExecInput.js';
import type { ExecOpen as _kctl_v1_ExecOpen, ExecOpen__Output as _kctl_v1_ExecOpen__Output } from './kctl/v1/ExecOpen.js';
import type { ImageRef as _kctl_v1_ImageRef, ImageRef__Output as _kctl_v1_ImageRef__Output } from './kctl/v1/ImageRef.js';
import type { ImageSummary as _kctl_v1_ImageSummary, ImageSummary__Output as _kctl_v1_ImageSummary__Output } from './kctl/v1/ImageSummary.js';
import type { ImagesClient as _kctl_v1_ImagesClient, ImagesDefinition as _kctl_v1_ImagesDefinition } from './kctl/v1/Images.js';
import type { Isolation as _kctl_v1_Isolation, Isolation__Output as _kctl_v1_Isolation__Output } from './kctl/v1/Isolation.js';
import type { JsonDocument as _kctl_v1_JsonDocument, JsonDocument__Output as _kctl_v1_JsonDocument__Output } from './kctl/v1/JsonDocument.js';
import type { KillContainerRequest as _kctl_v1_KillContainerRequest, KillContainerRequest__Output as _kctl_v1_KillContainerRequest__Output } from './kctl/v1/KillContainerRequest.js';
import type { ListContainersRequest as _kctl_v1_ListContainersRequest, ListContainersRequest__Output as _kctl_v1_ListContainersRequest__Output } from './kctl/v1/ListContainersRequest.js';
import type { ListContainersResponse as _kctl_v1_ListContainersResponse, ListContainersResponse__Output as _kctl_v1_ListContainersResponse__Output } from './kctl/v1/ListContainersResponse.js';
import type { ListImagesRequest as _kctl_v1_ListImagesRequest, ListImagesRequest__Output as _kctl_v1_ListImagesRequest__Output } from './kctl/v1/ListImagesRequest.js';
import type { ListImagesResponse as _kctl_v1_ListImagesResponse, ListImagesResponse__Output as _kctl_v1_ListImagesResponse__Output } from './kctl/v1/ListImagesResponse.js';
import type { ListNetworksRequest as _kctl_v1_ListNetworksRequest, ListNetworksRequest__Output as _kctl_v1_ListNetworksRequest__Output } from './kctl/v1/ListNetworksRequest.js';
import type { LoadResponse as _kctl_v1_LoadResponse, LoadResponse__Output as _kctl_v1_LoadResponse__Output } from './kctl/v1/LoadResponse.js';
import type { LogEntry as _kctl_v1_LogEntry, LogEntry__Output as _kctl_v1_LogEntry__Output } from './kctl/v1/LogEntry.js';
import type { LogsRequest as _kctl_v1_LogsRequest, LogsRequest__Output as _kctl_v1_LogsRequest__Output } from './kctl/v1/LogsRequest.js';
import type { NetworkRef as _kctl_v1_NetworkRef, NetworkRef__Output as _kctl_v1_NetworkRef__Output } from './kctl/v1/NetworkRef.js';
import type { NetworksClient as _kctl_v1_NetworksClient, NetworksDefinition as _kctl_v1_NetworksDefinition } from './kctl/v1/Networks.js';
import type { PingResponse as _kctl_v1_PingResponse, PingResponse__Output as _kctl_v1_PingResponse__Output } from './kctl/v1/PingResponse.js';
import type { PortList as _kctl_v1_PortList, PortList__Output as _kctl_v1_PortList__Output } from './kctl/v1/PortList.js';
import type { PortMapping as _kctl_v1_PortMapping, PortMapping__Output as _kctl_v1_PortMapping__Output } from './kctl/v1/PortMapping.js';
import type { ProgressEvent as _kctl_v1_ProgressEvent, ProgressEvent__Output as _kctl_v1_ProgressEvent__Output } from './kctl/v1/ProgressEvent.js';
import type { PruneNetworksRequest as _kctl_v1_PruneNetworksRequest, PruneNetworksRequest__Output as _kctl_v1_PruneNetworksRequest__Output } from './kctl/v1/PruneNetworksRequest.js';
import type { PruneRequest as _kctl_v1_PruneRequest, PruneRequest__Output as _kctl_v1_PruneRequest__Output } from './kctl/v1/PruneRequest.js';
import type { PullRequest as _kctl_v1_PullRequest, PullRequest__Output as _kctl_v1_PullRequest__Output } from './kctl/v1/PullRequest.js';
import type { RemoveContainerRequest as _kctl_v1_RemoveContainerRequest, RemoveContainerRequest__Output as _kctl_v1_RemoveContainerRequest__Output } from './kctl/v1/RemoveContainerRequest.js';
import type { RemoveImageRequest as _kctl_v1_RemoveImageRequest, RemoveImageRequest__Output as _kctl_v1_RemoveImageRequest__Output } from './kctl/v1/RemoveImageRequest.js';
import type { RemoveImageResponse as _kctl_v1_RemoveImageResponse, RemoveImageResponse__Output as _kctl_v1_RemoveImageResponse__Output } from './kctl/v1/RemoveImageResponse.js';
import type { RemoveVolumeRequest as _kctl_v1_RemoveVolumeRequest, RemoveVolumeRequest__Output as _kctl_v1_RemoveVolumeRequest__Output } from './kctl/v1/RemoveVolumeRequest.js';
import type { Resize as _kctl_v1_Resize, Resize__Output as _kctl_v1_Resize__Output } from './kctl/v1/Resize.js';
import type { RestartPolicy as _kctl_v1_RestartPolicy, RestartPolicy__Output as _kctl_v1_RestartPolicy__Output } from './kctl/v1/RestartPolicy.js';
import type { SaveRequest as _kctl_v1_SaveRequest, SaveRequest__Output as _kctl_v1_SaveRequest__Output } from './kctl/v1/SaveRequest.js';
import type { StartContainerResponse as _kctl_v1_StartContainerResponse, StartContainerResponse__Output as _kctl_v1_StartContainerResponse__Output } from './kctl/v1/StartContainerResponse.js';
import type { StopContainerRequest as _kctl_v1_StopContainerRequest, StopContainerRequest__Output as _kctl_v1_StopContainerRequest__Output } from './kctl/v1/StopContainerRequest.js';
import type { StringList as _kctl_v1_StringList, StringList__Output as _kctl_v1_StringList__Output } from './kctl/v1/StringList.js';
import type { SystemClient as _kctl_v1_SystemClient, SystemDefinition as _kctl_v1_SystemDefinition } from './kctl/v1/System.js';
import type { TagRequest as _kctl_v1_TagRequest, TagRequest__Output as _kctl_v1_TagRequest__Output } from './kctl/v1/TagRequest.js';
import type { TopRequest as _kctl_v1_TopRequest, TopRequest__Output as _kctl_v1_TopRequest__Output } from './kctl/v1/TopRequest.js';
import type { UpdateContainerRequest as _kctl_v1_UpdateContainerRequest, UpdateContainerRequest__Output as _kctl_v1_UpdateContainerRequest__Output } from './kctl/v1/UpdateContainerRequest.js';
import type { VersionResponse as _kctl_v1_VersionResponse, VersionResponse__Output as _kctl_v1_VersionResponse__Output } from './kctl/v1/VersionResponse.js';
import type { VolumeRef as _kctl_v1_VolumeRef, VolumeRef__Output as _kctl_v1_VolumeRef__Output } from './kctl/v1/VolumeRef.js';
import type { VolumesClient as _kctl_v1_VolumesClient, VolumesDefinition as _kctl_v1_VolumesDefinition } from './kctl/v1/Volumes.js';
import type { WaitContainerRequest as _kctl_v1_WaitContainerRequest, WaitContainerRequest__Output as _kctl_v1_WaitContainerRequest__Output } from './kctl/v1/WaitContainerRequest.js';
import type { WaitContainerResponse as _kctl_v1_WaitContainerResponse, WaitContainerResponse__Output as _kctl_v1_WaitContainerResponse__Output } from './kctl/v1/WaitContainerResponse.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  kctl: {
    v1: {
      AttachInput: MessageTypeDefinition<_kctl_v1_AttachInput, _kctl_v1_AttachInput__Output>
      AttachOpen: MessageTypeDefinition<_kctl_v1_AttachOpen, _kctl_v1_AttachOpen__Output>
      AttachOutput: MessageTypeDefinition<_kctl_v1_AttachOutput, _kctl_v1_AttachOutput__Output>
      AuthConfig: MessageTypeDefinition<_kctl_v1_AuthConfig, _kctl_v1_AuthConfig__Output>
      ConnectNetworkRequest: MessageTypeDefinition<_kctl_v1_ConnectNetworkRequest, _kctl_v1_ConnectNetworkRequest__Output>
      ContainerConfig: MessageTypeDefinition<_kctl_v1_ContainerConfig, _kctl_v1_ContainerConfig__Output>
      ContainerPathRequest: MessageTypeDefinition<_kctl_v1_ContainerPathRequest, _kctl_v1_ContainerPathRequest__Output>
      ContainerRef: MessageTypeDefinition<_kctl_v1_ContainerRef, _kctl_v1_ContainerRef__Output>
      ContainerSummary: MessageTypeDefinition<_kctl_v1_ContainerSummary, _kctl_v1_ContainerSummary__Output>
      Containers: SubtypeConstructor<typeof grpc.Client, _kctl_v1_ContainersClient> & { service: _kctl_v1_ContainersDefinition }
      CopyToInput: MessageTypeDefinition<_kctl_v1_CopyToInput, _kctl_v1_CopyToInput__Output>
      CreateContainerRequest: MessageTypeDefinition<_kctl_v1_CreateContainerRequest, _kctl_v1_CreateContainerRequest__Output>
      CreateContainerResponse: MessageTypeDefinition<_kctl_v1_CreateContainerResponse, _kctl_v1_CreateContainerResponse__Output>
      CreateNetworkRequest: MessageTypeDefinition<_kctl_v1_CreateNetworkRequest, _kctl_v1_CreateNetworkRequest__Output>
      CreateVolumeRequest: MessageTypeDefinition<_kctl_v1_CreateVolumeRequest, _kctl_v1_CreateVolumeRequest__Output>
      DataChunk: MessageTypeDefinition<_kctl_v1_DataChunk, _kctl_v1_DataChunk__Output>
      DisconnectNetworkRequest: MessageTypeDefinition<_kctl_v1_DisconnectNetworkRequest, _kctl_v1_DisconnectNetworkRequest__Output>
      Empty: MessageTypeDefinition<_kctl_v1_Empty, _kctl_v1_Empty__Output>
      ExecInput: MessageTypeDefinition<_kctl_v1_ExecInput, _kctl_v1_ExecInput__Output>
      ExecOpen: MessageTypeDefinition<_kctl_v1_ExecOpen, _kctl_v1_ExecOpen__Output>
      ImageRef: MessageTypeDefinition<_kctl_v1_ImageRef, _kctl_v1_ImageRef__Output>
      ImageSummary: MessageTypeDefinition<_kctl_v1_ImageSummary, _kctl_v1_ImageSummary__Output>
      Images: SubtypeConstructor<typeof grpc.Client, _kctl_v1_ImagesClient> & { service: _kctl_v1_ImagesDefinition }
      Isolation: MessageTypeDefinition<_kctl_v1_Isolation, _kctl_v1_Isolation__Output>
      JsonDocument: MessageTypeDefinition<_kctl_v1_JsonDocument, _kctl_v1_JsonDocument__Output>
      KillContainerRequest: MessageTypeDefinition<_kctl_v1_KillContainerRequest, _kctl_v1_KillContainerRequest__Output>
      ListContainersRequest: MessageTypeDefinition<_kctl_v1_ListContainersRequest, _kctl_v1_ListContainersRequest__Output>
      ListContainersResponse: MessageTypeDefinition<_kctl_v1_ListContainersResponse, _kctl_v1_ListContainersResponse__Output>
      ListImagesRequest: MessageTypeDefinition<_kctl_v1_ListImagesRequest, _kctl_v1_ListImagesRequest__Output>
      ListImagesResponse: MessageTypeDefinition<_kctl_v1_ListImagesResponse, _kctl_v1_ListImagesResponse__Output>
      ListNetworksRequest: MessageTypeDefinition<_kctl_v1_ListNetworksRequest, _kctl_v1_ListNetworksRequest__Output>
      LoadResponse: MessageTypeDefinition<_kctl_v1_LoadResponse, _kctl_v1_LoadResponse__Output>
      LogEntry: MessageTypeDefinition<_kctl_v1_LogEntry, _kctl_v1_LogEntry__Output>
      LogsRequest: MessageTypeDefinition<_kctl_v1_LogsRequest, _kctl_v1_LogsRequest__Output>
      NetworkRef: MessageTypeDefinition<_kctl_v1_NetworkRef, _kctl_v1_NetworkRef__Output>
      Networks: SubtypeConstructor<typeof grpc.Client, _kctl_v1_NetworksClient> & { service: _kctl_v1_NetworksDefinition }
      PingResponse: MessageTypeDefinition<_kctl_v1_PingResponse, _kctl_v1_PingResponse__Output>
      PortList: MessageTypeDefinition<_kctl_v1_PortList, _kctl_v1_PortList__Output>
      PortMapping: MessageTypeDefinition<_kctl_v1_PortMapping, _kctl_v1_PortMapping__Output>
      ProgressEvent: MessageTypeDefinition<_kctl_v1_ProgressEvent, _kctl_v1_ProgressEvent__Output>
      PruneNetworksRequest: MessageTypeDefinition<_kctl_v1_PruneNetworksRequest, _kctl_v1_PruneNetworksRequest__Output>
      PruneRequest: MessageTypeDefinition<_kctl_v1_PruneRequest, _kctl_v1_PruneRequest__Output>
      PullRequest: MessageTypeDefinition<_kctl_v1_PullRequest, _kctl_v1_PullRequest__Output>
      RemoveContainerRequest: MessageTypeDefinition<_kctl_v1_RemoveContainerRequest, _kctl_v1_RemoveContainerRequest__Output>
      RemoveImageRequest: MessageTypeDefinition<_kctl_v1_RemoveImageRequest, _kctl_v1_RemoveImageRequest__Output>
      RemoveImageResponse: MessageTypeDefinition<_kctl_v1_RemoveImageResponse, _kctl_v1_RemoveImageResponse__Output>
      RemoveVolumeRequest: MessageTypeDefinition<_kctl_v1_RemoveVolumeRequest, _kctl_v1_RemoveVolumeRequest__Output>
      Resize: MessageTypeDefinition<_kctl_v1_Resize, _kctl_v1_Resize__Output>
      RestartPolicy: MessageTypeDefinition<_kctl_v1_RestartPolicy, _kctl_v1_RestartPolicy__Output>
      SaveRequest: MessageTypeDefinition<_kctl_v1_SaveRequest, _kctl_v1_SaveRequest__Output>
      StartContainerResponse: MessageTypeDefinition<_kctl_v1_StartContainerResponse, _kctl_v1_StartContainerResponse__Output>
      StopContainerRequest: MessageTypeDefinition<_kctl_v1_StopContainerRequest, _kctl_v1_StopContainerRequest__Output>
      StringList: MessageTypeDefinition<_kctl_v1_StringList, _kctl_v1_StringList__Output>
      System: SubtypeConstructor<typeof grpc.Client, _kctl_v1_SystemClient> & { service: _kctl_v1_SystemDefinition }
      TagRequest: MessageTypeDefinition<_kctl_v1_TagRequest, _kctl_v1_TagRequest__Output>
      TopRequest: MessageTypeDefinition<_kctl_v1_TopRequest, _kctl_v1_TopRequest__Output>
      UpdateContainerRequest: MessageTypeDefinition<_kctl_v1_UpdateContainerRequest, _kctl_v1_UpdateContainerRequest__Output>
      VersionResponse: MessageTypeDefinition<_kctl_v1_VersionResponse, _kctl_v1_VersionResponse__Output>
      VolumeRef: MessageTypeDefinition<_kctl_v1_VolumeRef, _kctl_v1_VolumeRef__Output>
      Volumes: SubtypeConstructor<typeof grpc.Client, _kctl_v1_VolumesClient> & { service: _kctl_v1_VolumesDefinition }
      WaitContainerRequest: MessageTypeDefinition<_kctl_v1_WaitContainerRequest, _kctl_v1_WaitContainerRequest__Output>
      WaitContainerResponse: MessageTypeDefinition<_kctl_v1_WaitContainerResponse, _kctl_v1_WaitContainerResponse__Output>
    }
  }
}

