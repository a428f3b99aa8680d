/** Docker-shaped view of an image (`docker image inspect`), shared by the gRPC and Docker APIs. */
import type { ImageConfig, ImageRecord } from './types.js';
import { familiarizeString } from './reference.js';

export function inspectImage(img: ImageRecord, cfg: ImageConfig): Record<string, unknown> {
  const c = cfg.config ?? {};
  return {
    Id: img.id,
    RepoTags: img.repoTags.map(familiarizeString),
    RepoDigests: img.repoDigests.map(familiarizeString),
    Parent: '',
    Comment: '',
    Created: cfg.created ?? img.created,
    DockerVersion: '',
    Author: cfg.author ?? '',
    Config: {
      User: c.User ?? '',
      ExposedPorts: c.ExposedPorts ?? null,
      Env: c.Env ?? null,
      Cmd: c.Cmd ?? null,
      Entrypoint: c.Entrypoint ?? null,
      Volumes: c.Volumes ?? null,
      WorkingDir: c.WorkingDir ?? '',
      Labels: c.Labels ?? null,
      StopSignal: c.StopSignal,
    },
    Architecture: cfg.architecture,
    Variant: cfg.variant,
    Os: cfg.os,
    Size: img.size,
    VirtualSize: img.size,
    GraphDriver: { Name: 'overlay2', Data: null },
    RootFS: { Type: 'layers', Layers: cfg.rootfs?.diff_ids ?? img.diffIds },
    Metadata: { LastTagTime: img.loadedAt },
    Descriptor: { mediaType: img.manifestMediaType, digest: img.manifestDigest },
  };
}
