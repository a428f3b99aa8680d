/**
 * Image archives: `kctl load` and `kctl save`.
 *
 * Two formats, detected by content:
 *   docker-archive  `docker save` output: manifest.json ([{Config, RepoTags, Layers}]) and blobs,
 *                   either the legacy layout (<id>.json, <id>/layer.tar, repositories; duplicate
 *                   layers as symlinks) or the Docker 25+ OCI-layout-inside form (blobs/sha256/..)
 *   oci-archive     an OCI image layout in a tar: oci-layout, index.json, blobs/sha256/<hex>
 *
 * The archive is hostile input. It is parsed with tar-stream as a stream; a guard in front of the
 * parser bounds the archive's entry count, total bytes and every PAX/GNU header (1 MiB), so the
 * parser never buffers more than that. Archive paths are never used as file system paths: every
 * regular file is hashed into a randomly named scratch file and known only by its archive name
 * (a map key) and digest. Blobs enter the content store by digest (verified again there); images
 * are recorded only after all their blobs are stored.
 */
import fs from 'node:fs/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { Readable, Transform, Writable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { spawn } from 'node:child_process';
import tarStream from 'tar-stream';
import type { ContentStore, Descriptor, ImageConfig, ImageManifest, ImageRecord, ImageStore, Platform } from './types.js';
import { MediaTypes } from './types.js';
import type { Logger } from '../util/log.js';
import { KctlError, failedPrecondition, internal, invalidArgument, resourceExhausted, tail } from '../errors.js';
import { isDigest } from './digest.js';
import { familiarString, normalizeReference, parseReference, referenceString } from './reference.js';
import { layerCompression } from './unpack.js';

export type ArchiveFormat = 'docker-archive' | 'oci-archive';

export interface ArchiveLimits {
  /** Entries in the archive. Default 100,000. */
  maxEntries?: number;
  /** Bytes of the whole archive stream. Default 64 GiB. */
  maxBytes?: number;
  /** Bytes of one JSON document (manifest.json, index.json, manifests, configs). Default 4 MiB. */
  maxJsonBytes?: number;
  /** Images in one archive. Default 1,000. */
  maxImages?: number;
}

const defaults: Required<ArchiveLimits> = { maxEntries: 100_000, maxBytes: 64 * 1024 ** 3, maxJsonBytes: 4 * 1024 * 1024, maxImages: 1000 };
const MAX_TAR_META = 1024 * 1024;

interface Scratch { file: string; digest: string; size: number }

/* ------------------------------------------------------------------ load */

export interface LoadOptions {
  content: ContentStore;
  images: ImageStore;
  log: Logger;
  /** Scratch space for the archive's files (the state root's tmp/); default the OS temp dir. */
  tmpDir?: string;
  limits?: ArchiveLimits;
  signal?: AbortSignal;
  /** The platform to pick from multi-platform indexes; default this host's. */
  platform?: Platform;
}

/** Reads a docker-archive or OCI archive and records its images; returns them. */
export async function loadArchive(input: Readable, o: LoadOptions): Promise<ImageRecord[]> {
  const limits = { ...defaults, ...o.limits };
  await fs.mkdir(o.tmpDir ?? os.tmpdir(), { recursive: true });
  const scratch = await fs.mkdtemp(path.join(o.tmpDir ?? os.tmpdir(), 'kctl-load-'));
  try {
    const { files, links } = await readArchive(input, scratch, limits, o.signal);
    const lookup = (name: string): Scratch | undefined => {
      let n = cleanName(name);
      for (let hops = 0; n !== undefined && hops < 16; hops++) {
        const f = files.get(n);
        if (f) return f;
        const target = links.get(n);
        if (target === undefined) return undefined;
        n = cleanName(path.posix.join(path.posix.dirname(n), target));
      }
      return undefined;
    };
    const json = async <T>(name: string, what: string): Promise<T> => {
      const f = lookup(name);
      if (!f) throw invalidArgument(`the archive has no ${what} (${printable(name)})`);
      return parseJson<T>(await readScratch(f, limits.maxJsonBytes, what), what);
    };
    let planned: Planned[];
    if (lookup('manifest.json')) {
      planned = await planDockerArchive(await json<unknown>('manifest.json', 'manifest.json'), lookup, json, limits);
    } else if (lookup('oci-layout') && lookup('index.json')) {
      planned = await planOciArchive(await json<unknown>('index.json', 'index.json'), lookup, limits, o.platform ?? hostPlatform());
    } else {
      throw invalidArgument('not an image archive: no manifest.json (docker-archive) and no oci-layout + index.json (OCI archive)', {
        hint: 'kctl load reads the output of `docker save`, `kctl save` or `skopeo copy ... docker-archive:/oci-archive:`',
      });
    }

    // Store every blob, then record the images: a failure leaves no image without its blobs.
    const stored = new Set<string>();
    for (const p of planned) {
      for (const b of p.blobs) {
        if (stored.has(b.digest)) continue;
        if (b.data) await o.content.putBuffer(b.data, { digest: b.digest, size: b.data.length });
        else await o.content.ingest({ digest: b.digest, size: b.scratch!.size }, async () => createReadStream(b.scratch!.file));
        stored.add(b.digest);
      }
    }
    const now = new Date().toISOString();
    const out: ImageRecord[] = [];
    for (const p of planned) {
      const rec: ImageRecord = { ...p.record, loadedAt: now };
      await o.images.put(rec);
      o.log.info('image loaded', { image: rec.id, tags: rec.repoTags });
      out.push(rec);
    }
    return out;
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
}

interface Planned {
  record: ImageRecord;
  blobs: Array<{ digest: string; scratch?: Scratch; data?: Buffer }>;
}

type Lookup = (name: string) => Scratch | undefined;
type JsonReader = <T>(name: string, what: string) => Promise<T>;

async function planDockerArchive(doc: unknown, lookup: Lookup, json: JsonReader, limits: Required<ArchiveLimits>): Promise<Planned[]> {
  if (!Array.isArray(doc)) throw invalidArgument('manifest.json of the archive is not a list');
  if (doc.length > limits.maxImages) throw resourceExhausted(`the archive holds more than ${limits.maxImages} images`);
  const planned: Planned[] = [];
  for (const [i, raw] of doc.entries()) {
    const m = raw as { Config?: unknown; RepoTags?: unknown; Layers?: unknown };
    if (typeof m?.Config !== 'string' || !Array.isArray(m.Layers) || !m.Layers.every((l) => typeof l === 'string')) {
      throw invalidArgument(`manifest.json entry ${i} needs Config (string) and Layers (list of strings)`);
    }
    if (m.RepoTags !== undefined && m.RepoTags !== null && !(Array.isArray(m.RepoTags) && m.RepoTags.every((t) => typeof t === 'string'))) {
      throw invalidArgument(`manifest.json entry ${i}: RepoTags must be a list of strings`);
    }
    const cfgFile = lookup(m.Config);
    if (!cfgFile) throw invalidArgument(`the archive has no image config ${printable(m.Config)}`);
    const cfgBytes = await readScratch(cfgFile, limits.maxJsonBytes, 'image config');
    const config = validateConfig(parseJson<ImageConfig>(cfgBytes, 'image config'), cfgFile.digest);
    const layerNames = m.Layers as string[];
    if (config.rootfs.diff_ids.length !== layerNames.length) {
      throw invalidArgument(`image ${cfgFile.digest}: ${layerNames.length} layers in manifest.json but ${config.rootfs.diff_ids.length} diff_ids in its config`);
    }
    const layers: Descriptor[] = [];
    const blobs: Planned['blobs'] = [{ digest: cfgFile.digest, data: cfgBytes }];
    for (const [j, name] of layerNames.entries()) {
      const f = lookup(name);
      if (!f) throw invalidArgument(`the archive has no layer ${printable(name)}`);
      const compression = await sniffCompression(f);
      const mediaType = compression === 'gzip' ? MediaTypes.ociLayerGzip : compression === 'zstd' ? MediaTypes.ociLayerZstd : MediaTypes.ociLayer;
      if (compression === 'none' && f.digest !== config.rootfs.diff_ids[j]) {
        throw failedPrecondition(`layer ${j + 1} of image ${cfgFile.digest} does not match its config: content ${f.digest}, diff_id ${config.rootfs.diff_ids[j]}`, {
          hint: 'the archive is corrupt or was tampered with',
        });
      }
      layers.push({ mediaType, digest: f.digest, size: f.size });
      blobs.push({ digest: f.digest, scratch: f });
    }
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      config: { mediaType: MediaTypes.ociConfig, digest: cfgFile.digest, size: cfgBytes.length },
      layers,
    };
    const mbytes = Buffer.from(JSON.stringify(manifest));
    const mdigest = sha256(mbytes);
    blobs.push({ digest: mdigest, data: mbytes });
    const tags = ((m.RepoTags as string[] | null | undefined) ?? []).map((t) => normalizeTag(t));
    planned.push({ record: recordFor(cfgFile.digest, config, mdigest, MediaTypes.ociManifest, layers, tags), blobs });
  }
  return planned;
}

async function planOciArchive(doc: unknown, lookup: Lookup, limits: Required<ArchiveLimits>, want: Platform): Promise<Planned[]> {
  const index = doc as { manifests?: unknown };
  if (!index || !Array.isArray(index.manifests)) throw invalidArgument('index.json of the archive has no manifests list');
  if (index.manifests.length > limits.maxImages) throw resourceExhausted(`the archive holds more than ${limits.maxImages} images`);
  const blob = (d: Descriptor, what: string): Scratch => {
    if (!isDigest(d.digest) || !d.digest.startsWith('sha256:')) throw invalidArgument(`${what} has an invalid digest ${printable(String(d.digest))}`);
    const f = lookup(`blobs/sha256/${d.digest.slice(7)}`);
    if (!f) throw invalidArgument(`the archive has no blob ${d.digest} (${what})`);
    if (f.digest !== d.digest) throw failedPrecondition(`blob ${d.digest} (${what}) has the wrong content: ${f.digest}`, { hint: 'the archive is corrupt or was tampered with' });
    if (typeof d.size === 'number' && d.size !== f.size) throw failedPrecondition(`blob ${d.digest} (${what}) is ${f.size} bytes, its descriptor says ${d.size}`);
    return f;
  };
  const byId = new Map<string, Planned>();
  for (const raw of index.manifests as Descriptor[]) {
    let desc = raw;
    const name = raw.annotations?.['io.containerd.image.name'] ?? raw.annotations?.['org.opencontainers.image.ref.name'];
    for (let depth = 0; isIndexType(desc.mediaType); depth++) {
      if (depth > 2) throw invalidArgument('image indexes in the archive are nested too deeply');
      const sub = parseJson<{ manifests?: Descriptor[] }>(await readScratch(blob(desc, 'image index'), limits.maxJsonBytes, 'image index'), 'image index');
      const pick = (sub.manifests ?? []).find((m) => m.platform?.os === want.os && m.platform?.architecture === want.architecture && (!want.variant || m.platform?.variant === want.variant));
      if (!pick) throw failedPrecondition(`the archive has no image for ${want.os}/${want.architecture}`);
      desc = pick;
    }
    const mf = blob(desc, 'image manifest');
    const mbytes = await readScratch(mf, limits.maxJsonBytes, 'image manifest');
    const manifest = parseJson<ImageManifest>(mbytes, 'image manifest');
    if (!manifest?.config || !Array.isArray(manifest.layers)) throw invalidArgument(`manifest ${mf.digest} has no config or layers`);
    const cf = blob(manifest.config, 'image config');
    const cbytes = await readScratch(cf, limits.maxJsonBytes, 'image config');
    const config = validateConfig(parseJson<ImageConfig>(cbytes, 'image config'), cf.digest);
    if (config.rootfs.diff_ids.length !== manifest.layers.length) throw invalidArgument(`image ${cf.digest}: layer count differs from its diff_ids`);
    const blobs: Planned['blobs'] = [{ digest: mf.digest, data: mbytes }, { digest: cf.digest, data: cbytes }];
    for (const l of manifest.layers) {
      layerCompression(l.mediaType);
      blobs.push({ digest: l.digest, scratch: blob(l, 'layer') });
    }
    const tags = name && !/^[\w][\w.-]{0,127}$/.test(name) ? [normalizeTag(name)] : [];
    const prev = byId.get(cf.digest);
    if (prev) prev.record.repoTags.push(...tags.filter((t) => !prev.record.repoTags.includes(t)));
    else byId.set(cf.digest, { record: recordFor(cf.digest, config, mf.digest, manifest.mediaType ?? MediaTypes.ociManifest, manifest.layers, tags), blobs });
  }
  return [...byId.values()];
}

function recordFor(id: string, config: ImageConfig, manifestDigest: string, manifestMediaType: string, layers: Descriptor[], tags: string[]): ImageRecord {
  return {
    id, repoTags: tags, repoDigests: [], manifestDigest, manifestMediaType,
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
    diffIds: config.rootfs.diff_ids, size: 0, created: typeof config.created === 'string' ? config.created : '', loadedAt: '',
    platform: { architecture: config.architecture, os: config.os, ...(config.variant ? { variant: config.variant } : {}) },
  };
}

function validateConfig(c: ImageConfig, digest: string): ImageConfig {
  const ok = c && typeof c === 'object' && typeof c.architecture === 'string' && typeof c.os === 'string' &&
    c.rootfs?.type === 'layers' && Array.isArray(c.rootfs.diff_ids) && c.rootfs.diff_ids.every((d) => typeof d === 'string' && isDigest(d) && d.startsWith('sha256:'));
  if (!ok) throw invalidArgument(`image config ${digest} is not a valid OCI image config (architecture, os, rootfs.diff_ids)`);
  return c;
}

function normalizeTag(t: string): string {
  const r = normalizeReference(t);
  if (r.digest) throw invalidArgument(`archive tag ${printable(t)} must not carry a digest`);
  return referenceString(r);
}

function isIndexType(mt: string | undefined): boolean {
  return mt === MediaTypes.ociIndex || mt === MediaTypes.dockerManifestList;
}

export function hostPlatform(): Platform {
  const arch = ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' } as Record<string, string>)[process.arch] ?? process.arch;
  return { os: 'linux', architecture: arch };
}

/** Archive names as map keys: `./a//b` -> `a/b`; names that climb out (`..`) or are empty -> undefined. */
function cleanName(name: string): string | undefined {
  if (name.includes('\0')) return undefined;
  const parts: string[] = [];
  for (const p of name.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (!parts.length) return undefined;
      parts.pop();
      continue;
    }
    parts.push(p);
  }
  return parts.length ? parts.join('/') : undefined;
}

function printable(s: string): string {
  return JSON.stringify(s.length > 120 ? s.slice(0, 120) + '...' : s);
}

function parseJson<T>(b: Buffer, what: string): T {
  try {
    return JSON.parse(b.toString('utf8')) as T;
  } catch (err) {
    throw invalidArgument(`${what} in the archive is not valid JSON: ${(err as Error).message}`);
  }
}

async function readScratch(f: Scratch, max: number, what: string): Promise<Buffer> {
  if (f.size > max) throw resourceExhausted(`${what} in the archive is ${f.size} bytes, more than the limit of ${max}`);
  return fs.readFile(f.file);
}

async function sniffCompression(f: Scratch): Promise<'none' | 'gzip' | 'zstd'> {
  const fh = await fs.open(f.file, 'r');
  try {
    const b = Buffer.alloc(4);
    const { bytesRead } = await fh.read(b, 0, 4, 0);
    if (bytesRead >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
    if (bytesRead === 4 && b.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
    return 'none';
  } finally {
    await fh.close();
  }
}

function sha256(b: Buffer): string {
  return 'sha256:' + createHash('sha256').update(b).digest('hex');
}

/**
 * Observes the raw tar stream in front of the parser: counts entries and bytes, and refuses any
 * PAX or GNU long-name header over 1 MiB before the parser would buffer it. Data passes unchanged.
 */
class TarGuard extends Transform {
  private header = Buffer.alloc(0);
  private skip = 0; // bytes of entry data (+ padding) still to pass
  private meta: Buffer[] | null = null; // collecting a PAX header's records
  private metaLeft = 0;
  private metaPad = 0;
  private paxSize: number | undefined;
  private entries = 0;
  private total = 0;
  private ended = false;

  constructor(private readonly limits: Required<ArchiveLimits>) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.total += chunk.length;
    if (this.total > this.limits.maxBytes) return cb(resourceExhausted(`the archive is larger than ${this.limits.maxBytes} bytes`));
    try {
      this.observe(chunk);
    } catch (err) {
      return cb(err as Error);
    }
    cb(null, chunk);
  }

  private observe(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length && !this.ended) {
      if (this.meta) {
        const k = Math.min(this.metaLeft, chunk.length - i);
        this.meta.push(chunk.subarray(i, i + k));
        this.metaLeft -= k;
        i += k;
        if (this.metaLeft === 0) {
          const m = /(?:^|\n)\d+ size=(\d+)\n/.exec(Buffer.concat(this.meta).toString('latin1'));
          if (m) this.paxSize = Number(m[1]);
          this.meta = null;
          this.skip = this.metaPad;
        }
        continue;
      }
      if (this.skip > 0) {
        const k = Math.min(this.skip, chunk.length - i);
        this.skip -= k;
        i += k;
        continue;
      }
      const k = Math.min(512 - this.header.length, chunk.length - i);
      this.header = Buffer.concat([this.header, chunk.subarray(i, i + k)]);
      i += k;
      if (this.header.length < 512) continue;
      const h = this.header;
      this.header = Buffer.alloc(0);
      if (h.every((b) => b === 0)) {
        this.ended = true; // end of archive: the rest is padding
        break;
      }
      const type = String.fromCharCode(h[156]!);
      let size = tarNumber(h.subarray(124, 136));
      const pad = (512 - (size % 512)) % 512;
      if (type === 'x' || type === 'g' || type === 'L' || type === 'K') {
        if (size > MAX_TAR_META) throw resourceExhausted(`the archive has a ${size}-byte tar header; the limit is ${MAX_TAR_META}`);
        if (type === 'x') {
          this.meta = [];
          this.metaLeft = size;
          this.metaPad = pad;
          if (size === 0) { this.meta = null; this.skip = pad; }
          continue;
        }
        this.skip = size + pad;
        continue;
      }
      if (++this.entries > this.limits.maxEntries) throw resourceExhausted(`the archive has more than ${this.limits.maxEntries} entries`);
      if (this.paxSize !== undefined) {
        size = this.paxSize;
        this.paxSize = undefined;
      }
      this.skip = size + ((512 - (size % 512)) % 512);
    }
  }
}

function tarNumber(f: Buffer): number {
  if (f[0]! & 0x80) {
    let v = f[0]! & 0x7f;
    for (let i = 1; i < f.length; i++) v = v * 256 + f[i]!;
    if (!Number.isSafeInteger(v)) throw invalidArgument('the archive has a tar size field out of range');
    return v;
  }
  const s = f.toString('latin1').replace(/[\0 ]+$/g, '').trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw invalidArgument('the archive has a malformed tar header (not a tar file?)');
  return parseInt(s, 8);
}

async function readArchive(input: Readable, scratch: string, limits: Required<ArchiveLimits>, signal?: AbortSignal) {
  const files = new Map<string, Scratch>();
  const links = new Map<string, string>();
  const extract = tarStream.extract();
  const feeding = pipeline(input, new TarGuard(limits), extract, signal ? { signal } : {});
  feeding.catch(() => {}); // surfaced through the iterator below and awaited at the end
  try {
    for await (const entry of extract) {
      const h = entry.header;
      const name = cleanName(h.name);
      if (name && (h.type === 'file' || h.type === 'contiguous-file')) {
        const file = path.join(scratch, randomBytes(8).toString('hex'));
        const hash = createHash('sha256');
        let size = 0;
        await pipeline(entry, new Transform({
          transform(c: Buffer, _e, cb) { hash.update(c); size += c.length; cb(null, c); },
        }), createWriteStream(file, { flags: 'wx', mode: 0o600 }));
        files.set(name, { file, digest: 'sha256:' + hash.digest('hex'), size });
      } else {
        if (name && h.type === 'symlink' && h.linkname) links.set(name, h.linkname);
        else if (name && h.type === 'link' && h.linkname) links.set(name, '/' + h.linkname);
        entry.resume();
        await new Promise<void>((resolve, reject) => { entry.once('end', resolve); entry.once('error', reject); });
      }
    }
    await feeding;
  } catch (err) {
    if (err instanceof KctlError) throw err;
    if (signal?.aborted) throw new KctlError('canceled', 'loading the archive was canceled');
    throw invalidArgument(`cannot read the image archive: ${(err as Error).message}`, { cause: err });
  }
  // Hard links name archive-root paths; symlinks are relative to their directory. Absolute
  // targets resolve against the archive root (cleanName strips the leading slash).
  return { files, links };
}

/* ------------------------------------------------------------------ save */

export interface SaveOptions {
  format: ArchiveFormat;
  content: ContentStore;
  /** Scratch space for decompressed layers (docker-archive); default the OS temp dir. */
  tmpDir?: string;
  signal?: AbortSignal;
}

/**
 * Writes `images` as a docker-archive (uncompressed layers, legacy layout that `docker load` and
 * skopeo read) or an OCI archive (blobs as stored), tagged with each image's repoTags.
 */
export async function saveArchive(images: ImageRecord[], out: Writable, o: SaveOptions): Promise<void> {
  if (images.length === 0) throw invalidArgument('nothing to save: no images given');
  const pack = tarStream.pack();
  const writing = pipeline(pack, out, o.signal ? { signal: o.signal } : {});
  writing.catch(() => {});
  await fs.mkdir(o.tmpDir ?? os.tmpdir(), { recursive: true });
  const scratch = await fs.mkdtemp(path.join(o.tmpDir ?? os.tmpdir(), 'kctl-save-'));
  const written = new Set<string>();
  const add = async (name: string, src: Buffer | { file: string; size: number }) => {
    if (written.has(name)) return;
    written.add(name);
    const mtime = new Date(0);
    if (Buffer.isBuffer(src)) {
      await new Promise<void>((resolve, reject) => pack.entry({ name, size: src.length, mode: 0o644, mtime }, src, (err) => (err ? reject(err) : resolve())));
      return;
    }
    const entry = pack.entry({ name, size: src.size, mode: 0o644, mtime });
    await pipeline(createReadStream(src.file), entry);
  };
  const dir = (name: string) => {
    if (written.has(name)) return Promise.resolve();
    written.add(name);
    return new Promise<void>((resolve, reject) => pack.entry({ name, type: 'directory', mode: 0o755, mtime: new Date(0) }, (err) => (err ? reject(err) : resolve())));
  };
  const blobFile = async (digest: string) => {
    const file = o.content.blobPath(digest);
    try {
      return { file, size: (await fs.stat(file)).size };
    } catch {
      throw failedPrecondition(`blob ${digest} is missing from the content store`, { hint: 'pull the image again' });
    }
  };
  try {
    if (o.format === 'docker-archive') {
      const manifest: Array<{ Config: string; RepoTags: string[] | null; Layers: string[] }> = [];
      const repositories: Record<string, Record<string, string>> = {};
      for (const img of images) {
        const cfgName = `${img.id.slice(7)}.json`;
        await add(cfgName, await o.content.readBlob(img.id, defaults.maxJsonBytes));
        const layerNames: string[] = [];
        for (const [i, l] of img.layers.entries()) {
          const diffId = img.diffIds[i]!;
          const name = `${diffId.slice(7)}/layer.tar`;
          layerNames.push(name);
          if (written.has(name)) continue;
          await dir(`${diffId.slice(7)}/`);
          const compression = layerCompression(l.mediaType);
          if (compression === 'none') {
            await add(name, await blobFile(l.digest));
          } else {
            const file = path.join(scratch, randomBytes(8).toString('hex'));
            const got = await decompressTo(createReadStream((await blobFile(l.digest)).file), compression, file);
            if (got.digest !== diffId) throw failedPrecondition(`layer ${l.digest} of image ${img.id} does not match its diff_id`, { hint: 'remove the image and pull it again' });
            await add(name, { file, size: got.size });
            await fs.rm(file, { force: true });
          }
        }
        const top = img.diffIds[img.diffIds.length - 1];
        const tags = img.repoTags.map((t) => familiarString(parseReference(t)));
        for (const t of img.repoTags) {
          const r = parseReference(t);
          const repo = familiarString({ ...r, tag: undefined, digest: undefined });
          if (top && r.tag) (repositories[repo] ??= {})[r.tag] = top.slice(7);
        }
        manifest.push({ Config: cfgName, RepoTags: tags.length ? tags : null, Layers: layerNames });
      }
      await add('manifest.json', Buffer.from(JSON.stringify(manifest)));
      await add('repositories', Buffer.from(JSON.stringify(repositories)));
    } else {
      const index: { schemaVersion: 2; mediaType: string; manifests: Descriptor[] } = { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [] };
      await add('oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })));
      await dir('blobs/');
      await dir('blobs/sha256/');
      for (const img of images) {
        let mdigest = img.manifestDigest;
        let mtype = img.manifestMediaType;
        let msize: number;
        if (mdigest && (await o.content.has(mdigest))) {
          msize = (await blobFile(mdigest)).size;
        } else {
          const cfg = await o.content.readBlob(img.id, defaults.maxJsonBytes);
          const m: ImageManifest = { schemaVersion: 2, mediaType: MediaTypes.ociManifest, config: { mediaType: MediaTypes.ociConfig, digest: img.id, size: cfg.length }, layers: img.layers };
          const b = Buffer.from(JSON.stringify(m));
          mdigest = await o.content.putBuffer(b);
          mtype = MediaTypes.ociManifest;
          msize = b.length;
        }
        for (const d of [mdigest, img.id, ...img.layers.map((l) => l.digest)]) await add(`blobs/sha256/${d.slice(7)}`, await blobFile(d));
        const base: Descriptor = { mediaType: mtype, digest: mdigest, size: msize, platform: img.platform };
        if (img.repoTags.length === 0) index.manifests.push(base);
        for (const t of img.repoTags) {
          index.manifests.push({ ...base, annotations: { 'io.containerd.image.name': t, 'org.opencontainers.image.ref.name': parseReference(t).tag ?? 'latest' } });
        }
      }
      await add('index.json', Buffer.from(JSON.stringify(index)));
    }
    pack.finalize();
    await writing;
  } catch (err) {
    pack.destroy(err as Error);
    await writing.catch(() => {});
    throw err instanceof KctlError ? err : internal(`writing the archive failed: ${(err as Error).message}`, { cause: err });
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
}

async function decompressTo(src: Readable, compression: 'gzip' | 'zstd', file: string): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({ transform(c: Buffer, _e, cb) { hash.update(c); size += c.length; cb(null, c); } });
  if (compression === 'gzip') {
    await pipeline(src, createGunzip(), meter, createWriteStream(file, { flags: 'wx', mode: 0o600 }));
  } else {
    const z = spawn('zstd', ['-d', '-c', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    z.stderr!.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-4096); });
    const exit = new Promise<number | null>((resolve) => { z.once('error', () => resolve(127)); z.once('close', resolve); });
    await Promise.all([pipeline(src, z.stdin!), pipeline(z.stdout!, meter, createWriteStream(file, { flags: 'wx', mode: 0o600 }))]);
    if ((await exit) !== 0) throw invalidArgument('zstd could not decompress a layer', { detail: tail(err) });
  }
  return { digest: 'sha256:' + hash.digest('hex'), size };
}
