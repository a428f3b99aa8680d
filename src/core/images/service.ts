/**
 * The image side of the core as the APIs see it: list, inspect, pull, load, save, tag, remove,
 * and the image a new container runs. It composes the content store (verified blobs), the image
 * store (names), the puller (registries), the layer store (unpacked layers) and the archive codec.
 */
import type { Readable, Writable } from 'node:stream';
import { conflict, notFound } from '../errors.js';
import type { Logger } from '../util/log.js';
import type { RootLayout } from '../paths.js';
import type { ContentStore, ImageConfig, ImageRecord, ImageStore } from './types.js';
import { familiarizeString, normalizeReference, referenceString } from './reference.js';
import type { Puller, ProgressEvent, AuthConfig } from './puller.js';
import type { LayerStore } from './layers.js';
import { loadArchive, saveArchive } from './archive.js';

const MAX_CONFIG_BYTES = 8 * 1024 * 1024;

export interface ImageServiceOptions {
  layout: RootLayout;
  content: ContentStore;
  images: ImageStore;
  puller: Puller;
  layers: LayerStore;
  log: Logger;
  /** Ids of images that containers use (rmi refuses them without -f, as Docker does). */
  inUse: () => Set<string>;
}

export class ImageService {
  constructor(private readonly o: ImageServiceOptions) {}

  list(): Promise<ImageRecord[]> {
    return this.o.images.list();
  }

  /**
   * The images with the size `kctl images` and the APIs show (Docker's SIZE): per layer, its unpacked
   * size once a container has used the image (the layer store records it when it unpacks), and its
   * compressed size before that. Records that carry a size of their own keep it.
   */
  async listWithSizes(): Promise<ImageRecord[]> {
    return this.withSizes(await this.o.images.list());
  }

  /** One image with its size, as listWithSizes gives it (for inspect). */
  async withSize(img: ImageRecord): Promise<ImageRecord> {
    return (await this.withSizes([img]))[0]!;
  }

  private async withSizes(images: ImageRecord[]): Promise<ImageRecord[]> {
    const { chainIds } = await import('./layers.js');
    const unpacked = new Map((await this.o.layers.list()).map((l) => [l.chainId, l.size]));
    return images.map((img) => {
      if (img.size) return img;
      const chains = chainIds(img.diffIds);
      const size = img.layers.reduce((sum, l, i) => sum + (unpacked.get(chains[i] ?? '') ?? l.size ?? 0), 0);
      return { ...img, size };
    });
  }

  async get(refOrId: string): Promise<ImageRecord> {
    const img = await this.find(refOrId);
    if (!img) throw notFound(`No such image: ${refOrId}`);
    return img;
  }

  /** Looks up by id, id prefix, or a reference normalised as Docker does (`busybox` -> docker.io/library/busybox:latest). */
  async find(refOrId: string): Promise<ImageRecord | undefined> {
    const direct = await this.o.images.resolve(refOrId);
    if (direct) return direct;
    try {
      return await this.o.images.resolve(referenceString(normalizeReference(refOrId)));
    } catch {
      return undefined; // not a valid reference: only ids could have matched
    }
  }

  byId(id: string): Promise<ImageRecord | undefined> {
    return this.o.images.resolve(id);
  }

  async config(img: ImageRecord): Promise<ImageConfig> {
    const buf = await this.o.content.readBlob(img.id, MAX_CONFIG_BYTES);
    return JSON.parse(buf.toString('utf8')) as ImageConfig;
  }

  async resolveForCreate(ref: string, o: { pull: boolean; auth?: unknown; onProgress?: (e: unknown) => void }): Promise<{ record: ImageRecord; config: ImageConfig }> {
    let record = await this.find(ref);
    // A name that is not a valid reference is the caller's error (Docker: "invalid reference format"), not a missing image.
    if (!record) normalizeReference(ref);
    if (!record) {
      if (!o.pull) throw notFound(`No such image: ${ref}`, { hint: `pull it first: kctl pull ${ref}` });
      record = await this.pull(ref, { auth: o.auth as AuthConfig | undefined, onProgress: o.onProgress as ((e: ProgressEvent) => void) | undefined });
    }
    return { record, config: await this.config(record) };
  }

  pull(ref: string, o: { platform?: string; auth?: AuthConfig; onProgress?: (e: ProgressEvent) => void; signal?: AbortSignal } = {}): Promise<ImageRecord> {
    return this.o.puller.pull(ref, o);
  }

  pullAllTags(ref: string, o: { platform?: string; auth?: AuthConfig; onProgress?: (e: ProgressEvent) => void; signal?: AbortSignal } = {}): Promise<ImageRecord[]> {
    return this.o.puller.pullAllTags(ref, o);
  }

  /** The image's unpacked layers, lowest first (unpacked on first use, once). */
  lowerDirs(record: ImageRecord): Promise<string[]> {
    return this.o.layers.ensureUnpacked(record);
  }

  load(input: Readable): Promise<ImageRecord[]> {
    return loadArchive(input, { content: this.o.content, images: this.o.images, log: this.o.log, tmpDir: this.o.layout.tmpDir });
  }

  async save(refs: string[], out: Writable, format: 'docker-archive' | 'oci-archive'): Promise<void> {
    const images = await Promise.all(refs.map((r) => this.get(r)));
    await saveArchive(images, out, { format, content: this.o.content, tmpDir: this.o.layout.tmpDir });
  }

  async tag(source: string, target: string): Promise<void> {
    const img = await this.get(source);
    const ref = normalizeReference(target);
    if (ref.digest) throw conflict('refusing to create a tag with a digest reference');
    await this.o.images.put({ ...img, repoTags: [referenceString(ref)], repoDigests: [] });
  }

  /** Docker's rmi: untag the named tag; delete the image when no tag is left (or with force). */
  async remove(refOrId: string, force: boolean): Promise<{ untagged: string[]; deleted: string[] }> {
    const img = await this.get(refOrId);
    const untagged: string[] = [];
    const deleted: string[] = [];
    const byName = !refOrId.startsWith('sha256:') && !img.id.slice(7).startsWith(refOrId);
    if (byName && img.repoTags.length > 1 && !force) {
      const ref = referenceString(normalizeReference(refOrId));
      await this.o.images.untag(ref);
      return { untagged: [familiarizeString(ref)], deleted };
    }
    if (this.o.inUse().has(img.id) && !force) {
      throw conflict(`conflict: unable to remove repository reference "${refOrId}" (must force) - container is using its referenced image ${img.id.slice(7, 19)}`);
    }
    if (!byName && img.repoTags.length > 1 && !force) {
      throw conflict(`conflict: unable to delete ${img.id.slice(7, 19)} (must be forced) - image is referenced in multiple repositories`);
    }
    for (const t of img.repoTags) untagged.push(familiarizeString(t));
    for (const d of img.repoDigests) untagged.push(familiarizeString(d));
    await this.o.images.remove(img.id);
    deleted.push(img.id);
    return { untagged, deleted };
  }
  /** The bytes an image's unpacked layers take (its size once a container used it; 0 before). */
  async unpackedSize(img: ImageRecord): Promise<number> {
    if (img.size) return img.size;
    const { dirSize } = await import('../util/du.js');
    const { chainIds } = await import('./layers.js');
    let total = 0;
    for (const chainId of chainIds(img.diffIds)) {
      const dir = await this.o.layers.lookup(chainId);
      if (dir) total += await dirSize(dir);
    }
    return total;
  }

  /**
   * Docker's `image prune`: removes dangling images (no tag), or with `all` every image no
   * container uses, then the unpacked layers and blobs no remaining image references. Blobs
   * written in the last `graceMs` are kept: they may belong to a pull that has not recorded its
   * image yet.
   */
  async prune(o: { all?: boolean; graceMs?: number } = {}): Promise<{ ImagesDeleted: Array<{ Untagged?: string; Deleted?: string }>; SpaceReclaimed: number }> {
    const { dirSize } = await import('../util/du.js');
    const inUse = this.o.inUse();
    const report: Array<{ Untagged?: string; Deleted?: string }> = [];
    let reclaimed = 0;
    for (const img of await this.o.images.list()) {
      if (inUse.has(img.id) || (!o.all && img.repoTags.length > 0)) continue;
      for (const t of img.repoTags) report.push({ Untagged: familiarizeString(t) });
      for (const d of img.repoDigests) report.push({ Untagged: familiarizeString(d) });
      await this.o.images.remove(img.id);
      report.push({ Deleted: img.id });
    }
    const live = await this.o.images.list();
    const { chainIds } = await import('./layers.js');
    const liveChains = new Set(live.flatMap((i) => chainIds(i.diffIds)));
    const layerSizes = new Map<string, number>();
    for (const { chainId } of await this.o.layers.list()) {
      if (liveChains.has(chainId)) continue;
      const dir = await this.o.layers.lookup(chainId);
      if (dir) layerSizes.set(chainId, await dirSize(dir));
    }
    for (const chainId of await this.o.layers.gc(live)) reclaimed += layerSizes.get(chainId) ?? 0;
    const keep = new Set<string>();
    for (const img of live) {
      keep.add(img.id);
      keep.add(img.manifestDigest);
      for (const l of img.layers) keep.add(l.digest);
      for (const d of img.repoDigests) keep.add(d.slice(d.indexOf('@') + 1));
    }
    const cutoff = Date.now() - (o.graceMs ?? 10 * 60_000);
    const { stat } = await import('node:fs/promises');
    const { join } = await import('node:path');
    for (const digest of await this.o.content.list()) {
      if (keep.has(digest)) continue;
      const file = join(this.o.layout.contentDir, 'blobs', 'sha256', digest.slice(7));
      const st = await stat(file).catch(() => undefined);
      if (!st || st.mtimeMs > cutoff) continue;
      await this.o.content.delete(digest).catch(() => undefined);
      reclaimed += st.size;
    }
    return { ImagesDeleted: report, SpaceReclaimed: reclaimed };
  }
}
