/**
 * Pull: reference -> registry (mirrors first for docker.io) -> verified manifest -> config and
 * layer blobs in the content store -> image record. Layers are not unpacked here; the layer store
 * does that on first use (or as soon as each blob is committed, through `onLayerBlob`).
 *
 * Progress events mirror Docker's JSON progress messages, so the Docker API can pass them on and
 * the CLI can draw the familiar per-layer lines.
 */
import type { ContentStore, Descriptor, ImageRecord, ImageStore, Platform } from './types.js';
import type { RootLayout } from '../paths.js';
import type { DaemonConfig } from '../config.js';
import { isInsecureRegistry } from '../config.js';
import type { Logger } from '../util/log.js';
import { KctlError, invalidArgument, isKctlError, notFound, toKctlError } from '../errors.js';
import { DEFAULT_DOMAIN, familiarName, familiarString, normalizeReference, parseNormalizedReference, referenceName, referenceString, type Reference } from './reference.js';
import { shortId } from './digest.js';
import { RegistryClient } from './registry/client.js';
import type { AuthConfig } from './registry/auth.js';
import { MAX_CONFIG_BYTES, hostPlatform, parseImageConfig, parsePlatform, platformString, resolveManifest } from './manifest.js';

export type { AuthConfig } from './registry/auth.js';

export interface ProgressEvent {
  id?: string;
  status: string;
  progressDetail?: { current: number; total: number };
}

export interface PullOptions {
  /** `os/arch[/variant]`; the host platform (linux/amd64) by default. */
  platform?: string;
  auth?: AuthConfig;
  onProgress?: (e: ProgressEvent) => void;
  signal?: AbortSignal;
  /** Called as soon as a layer blob is committed (e.g. to start unpacking it). */
  onLayerBlob?: (desc: Descriptor, committedPath: string) => void | Promise<void>;
}

export interface PullerOptions {
  layout: RootLayout;
  content: ContentStore;
  images: ImageStore;
  config: () => DaemonConfig;
  log: Logger;
  /** Overrides for the registry client (tests use short backoffs). */
  client?: { retries?: number; backoffBaseMs?: number; backoffMaxMs?: number; retryAfterMaxMs?: number; timeoutMs?: number };
}

/** An endpoint to pull from: a mirror or the registry itself. */
interface Endpoint {
  base: string;
  mirror: boolean;
}

const LAYER_CONCURRENCY = 3;
const BLOB_ATTEMPTS = 3;

export class Puller {
  constructor(private readonly o: PullerOptions) {}

  async pull(ref: string, po: PullOptions = {}): Promise<ImageRecord> {
    const r = normalizeReference(ref);
    if (po.signal?.aborted) throw new KctlError('canceled', 'pull canceled');
    const platform: Platform = po.platform ? parsePlatform(po.platform) : hostPlatform();
    const cfg = this.o.config();
    const endpoints = this.endpoints(r, cfg);
    const log = this.o.log.with({ ref: referenceString(r) });
    let lastErr: unknown;
    for (const ep of endpoints) {
      try {
        return await this.pullFrom(ep, r, platform, po, cfg, log);
      } catch (err) {
        lastErr = err;
        if (isKctlError(err, 'canceled') || !ep.mirror) throw err;
        log.warn('mirror failed, trying the next source', { mirror: ep.base, error: (err as Error).message });
      }
    }
    throw lastErr;
  }

  /** `docker pull --all-tags`: every tag of the repository, pulled one after the other. */
  async pullAllTags(ref: string, po: PullOptions = {}): Promise<ImageRecord[]> {
    const r = parseNormalizedReference(ref);
    if (r.tag || r.digest) throw invalidArgument('tag can\'t be used with --all-tags/-a');
    const cfg = this.o.config();
    let tags: string[] | undefined;
    let lastErr: unknown;
    for (const ep of this.endpoints(r, cfg)) {
      try {
        tags = await this.client(ep, po.auth, cfg, po.signal, this.o.log).listTags(r.path);
        break;
      } catch (err) {
        lastErr = err;
        if (!ep.mirror) throw err;
      }
    }
    if (!tags) throw lastErr;
    if (tags.length === 0) throw notFound(`no tags found for ${familiarString({ ...r, tag: undefined })}`);
    const out: ImageRecord[] = [];
    for (const tag of [...new Set(tags)].sort()) out.push(await this.pull(referenceString({ ...r, tag, digest: undefined }), po));
    return out;
  }

  /** docker.io: each registry mirror first, then Docker Hub itself (registry-1.docker.io). */
  private endpoints(r: Reference, cfg: DaemonConfig): Endpoint[] {
    const eps: Endpoint[] = [];
    if (r.domain === DEFAULT_DOMAIN) {
      for (const m of cfg['registry-mirrors']) eps.push({ base: m, mirror: true });
      eps.push({ base: 'https://registry-1.docker.io', mirror: false });
      return eps;
    }
    const scheme = isInsecureRegistry(r.domain, cfg) ? 'http' : 'https';
    return [{ base: `${scheme}://${r.domain}`, mirror: false }];
  }

  private client(ep: Endpoint, auth: AuthConfig | undefined, cfg: DaemonConfig, signal: AbortSignal | undefined, log: Logger): RegistryClient {
    const host = new URL(ep.base).host;
    return new RegistryClient({
      base: ep.base,
      // A mirror is not the registry the credentials were given for: it gets none.
      auth: ep.mirror ? undefined : auth,
      insecureTls: isInsecureRegistry(host, cfg),
      allowHttp: (h) => isInsecureRegistry(h, cfg),
      log,
      signal,
      ...this.o.client,
    });
  }

  private async pullFrom(ep: Endpoint, r: Reference, platform: Platform, po: PullOptions, cfg: DaemonConfig, log: Logger): Promise<ImageRecord> {
    const emit = po.onProgress ?? (() => {});
    const client = this.client(ep, po.auth, cfg, po.signal, log);
    const repo = r.path;
    const source = referenceString(r);
    const tagOrDigest = r.digest ?? r.tag!;
    emit({ id: r.digest ? r.digest : r.tag, status: `Pulling from ${r.path}` });
    log.info('pull started', { from: ep.base, platform: platformString(platform) });

    const { top, manifest } = await resolveManifest(client, repo, tagOrDigest, platform, source);
    const m = manifest.manifest;

    // Config first: it is small, and it decides whether the manifest's layers are believable.
    await this.fetchBlob(client, repo, m.config, po.signal);
    const configBytes = await this.o.content.readBlob(m.config.digest, MAX_CONFIG_BYTES);
    const config = parseImageConfig(configBytes, m.layers.length, source);
    if (po.platform && (config.os !== platform.os || config.architecture !== platform.architecture)) {
      throw notFound(`image ${familiarString(r)} is for ${config.os}/${config.architecture}, not the requested ${platformString(platform)}`);
    }
    if (config.os !== 'linux') throw invalidArgument(`image ${familiarString(r)} is for ${config.os}; kctl runs linux images`);

    const existing = await this.o.images.resolve(referenceString(r)).catch(() => undefined);
    await this.downloadLayers(client, repo, m.layers, po, emit);

    // Manifests are stored too, so the image can be saved and inspected offline.
    await this.o.content.putBuffer(manifest.bytes, { digest: manifest.digest, size: manifest.bytes.length });
    if (top !== manifest) await this.o.content.putBuffer(top.bytes, { digest: top.digest, size: top.bytes.length });

    const name = referenceName(r);
    const record: ImageRecord = {
      id: m.config.digest,
      repoTags: r.tag && !r.digest ? [`${name}:${r.tag}`] : [],
      repoDigests: [`${name}@${r.digest ?? top.digest}`],
      manifestDigest: manifest.digest,
      manifestMediaType: manifest.mediaType,
      layers: m.layers,
      diffIds: config.rootfs.diff_ids,
      size: 0,
      created: typeof config.created === 'string' ? config.created : '',
      loadedAt: new Date().toISOString(),
      platform: { os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) },
    };
    await this.o.images.put(record);
    const stored = (await this.o.images.resolve(record.id)) ?? record;
    emit({ status: `Digest: ${r.digest ?? top.digest}` });
    const upToDate = existing?.id === record.id;
    emit({ status: `Status: ${upToDate ? 'Image is up to date' : 'Downloaded newer image'} for ${familiarString(r)}` });
    log.info('pull finished', { id: record.id, upToDate });
    return stored;
  }

  private async downloadLayers(client: RegistryClient, repo: string, layers: Descriptor[], po: PullOptions, emit: (e: ProgressEvent) => void): Promise<void> {
    const todo: Descriptor[] = [];
    const seen = new Set<string>();
    for (const l of layers) {
      if (seen.has(l.digest)) continue;
      seen.add(l.digest);
      if (await this.o.content.has(l.digest)) {
        emit({ id: shortId(l.digest), status: 'Already exists' });
        await po.onLayerBlob?.(l, this.o.content.blobPath(l.digest));
      } else {
        emit({ id: shortId(l.digest), status: 'Pulling fs layer' });
        todo.push(l);
      }
    }
    let next = 0;
    let failed: unknown;
    const worker = async () => {
      while (next < todo.length && failed === undefined) {
        const l = todo[next++];
        const id = shortId(l.digest);
        try {
          let last = -1;
          await this.fetchBlob(client, repo, l, po.signal, (done) => {
            // At most ~100 progress events per layer.
            const step = Math.max(1, Math.floor(l.size / 100));
            if (done === l.size || done - last >= step) {
              last = done;
              emit({ id, status: 'Downloading', progressDetail: { current: done, total: l.size } });
            }
          });
          emit({ id, status: 'Verifying Checksum' });
          emit({ id, status: 'Download complete' });
          await po.onLayerBlob?.(l, this.o.content.blobPath(l.digest));
        } catch (err) {
          // Name the image and the layer: "no space left on device" alone does not say what was being written.
          const e = toKctlError(err);
          failed ??= e.kind === 'canceled' ? e : new KctlError(e.kind, `pulling ${repo}: layer ${l.digest}: ${e.message}`, { hint: e.hint, detail: e.detail, cause: err });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(LAYER_CONCURRENCY, todo.length) }, worker));
    if (failed !== undefined) throw failed;
  }

  /** Downloads one blob into the content store, resuming after broken connections. */
  private async fetchBlob(client: RegistryClient, repo: string, d: Descriptor, signal: AbortSignal | undefined, onProgress?: (done: number) => void): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw new KctlError('canceled', 'pull canceled');
      try {
        await this.o.content.ingest({ digest: d.digest, size: d.size }, (offset) => client.openBlob(repo, d.digest, offset), onProgress);
        return;
      } catch (err) {
        if (signal?.aborted) throw new KctlError('canceled', 'pull canceled', { cause: err });
        const retry = attempt < BLOB_ATTEMPTS && (isKctlError(err, 'unavailable') || isKctlError(err, 'deadline_exceeded'));
        if (!retry) throw err;
        this.o.log.debug('blob download interrupted, resuming', { digest: d.digest, attempt, error: (err as Error).message });
      }
    }
  }
}
