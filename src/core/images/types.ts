/**
 * Types shared by the image pipeline: the content store (verified blobs), the image store (names
 * and records), the layer store (unpacked layers) and container root filesystems. The registry
 * client (pull) and the archive importer (load) both write through these, so an image that was
 * pulled and one that was loaded are the same kind of thing.
 */
import type { Readable } from 'node:stream';

export const MediaTypes = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
}

export interface Descriptor {
  mediaType: string;
  /** Always validated as sha256:<64 hex> (or sha512:<128 hex>) before any path or URL use. */
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

/** The OCI image configuration (the parts kctl reads). */
export interface ImageConfig {
  architecture: string;
  os: string;
  variant?: string;
  created?: string;
  author?: string;
  config?: {
    User?: string;
    ExposedPorts?: Record<string, object>;
    Env?: string[];
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    Volumes?: Record<string, object>;
    WorkingDir?: string;
    Labels?: Record<string, string>;
    StopSignal?: string;
  };
  rootfs: { type: 'layers'; diff_ids: string[] };
  history?: Array<{ created?: string; created_by?: string; empty_layer?: boolean; comment?: string }>;
}

/** What kctl knows about one image. The id is the config digest, as in Docker. */
export interface ImageRecord {
  id: string; // sha256:... of the config blob
  repoTags: string[]; // normalised, e.g. docker.io/library/busybox:latest
  repoDigests: string[]; // e.g. docker.io/library/busybox@sha256:...
  manifestDigest: string; // the platform manifest the image was resolved to
  manifestMediaType: string;
  /** Compressed layer blobs, lowest first (as in the manifest). */
  layers: Descriptor[];
  /** Uncompressed layer digests, lowest first (config rootfs.diff_ids). */
  diffIds: string[];
  size: number; // unpacked size in bytes, when known (0 before unpack)
  created: string; // from the config, ISO 8601
  loadedAt: string; // when kctl stored it
  platform: Platform;
}

export interface IngestExpectation {
  digest: string;
  size: number; // -1 when unknown (then the digest alone decides)
}

/**
 * Content-addressed blob store. A blob becomes visible under its digest only after its bytes were
 * streamed, hashed and counted, and matched the expectation (verify-then-commit, atomic rename).
 */
export interface ContentStore {
  has(digest: string): Promise<boolean>;
  /** Path of a committed blob. Throws invalid_argument on a malformed digest. */
  blobPath(digest: string): string;
  /** Reads a whole committed blob, refusing more than maxBytes. */
  readBlob(digest: string, maxBytes: number): Promise<Buffer>;
  /** A stream of the blob; `chunkBytes` is the read size (the stream's highWaterMark). */
  openBlob(digest: string, o?: { chunkBytes?: number }): Readable;
  /**
   * Streams `open(offset)` into the store. `open` is called with the number of bytes already
   * verified in a previous, interrupted ingest of the same digest (resume); it must then return
   * the rest of the blob. Concurrent ingests of one digest share one download.
   */
  ingest(expect: IngestExpectation, open: (offset: number) => Promise<Readable>, onProgress?: (done: number) => void): Promise<void>;
  /** Stores a buffer, verifying it against `expect` when given; returns its sha256 digest. */
  putBuffer(data: Uint8Array, expect?: IngestExpectation): Promise<string>;
  delete(digest: string): Promise<void>;
  list(): Promise<string[]>;
}

/** Where image records live; names are normalised references (see reference.ts). */
export interface ImageStore {
  list(): Promise<ImageRecord[]>;
  /** Looks up by normalised name:tag, name@digest, full id, or an unambiguous id prefix. */
  resolve(refOrId: string): Promise<ImageRecord | undefined>;
  put(record: ImageRecord): Promise<void>; // adds or merges tags/digests; a tag moves to the new id
  untag(ref: string): Promise<ImageRecord | undefined>;
  remove(id: string): Promise<void>;
}

/** A container's root filesystem: the image's unpacked layers under a per-container upper dir. */
export interface RootfsPlan {
  lowerDirs: string[]; // top-most first, as overlayfs wants them
  upperDir: string;
  workDir: string;
  mergedDir: string; // the directory shared into the VM
}
