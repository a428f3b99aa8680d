/**
 * Manifests, indexes and image configs: fetched, verified and validated before anything else is
 * derived from them (all of it comes from the registry and is treated as hostile).
 *
 *  - at most 4 MiB is read; the digest is computed over the exact bytes that are then parsed;
 *  - by digest: the bytes must hash to it; by tag: Docker-Content-Digest, when sent, must match;
 *  - schema 1 is refused; a document with both `manifests` and `layers`/`config`, or whose
 *    `mediaType` disagrees with the Content-Type or with its own shape, is refused (CVE-2021-41190);
 *  - duplicate JSON keys are refused (no parser differential between what is hashed and read);
 *  - an index is resolved to one platform; the config is capped at 8 MiB and validated
 *    (one diff_id per layer, each a valid digest);
 *  - layers with foreign `urls` are refused: kctl never fetches from places the registry names.
 */
import { failedPrecondition, invalidArgument, notFound } from '../errors.js';
import { digestOf, parseDigest, printable, validateDigest } from './digest.js';
import { MediaTypes, type Descriptor, type ImageConfig, type ImageManifest, type Platform } from './types.js';
import type { RegistryClient } from './registry/client.js';

export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
export const MAX_CONFIG_BYTES = 8 * 1024 * 1024;
const MAX_LAYERS = 1000;
const MAX_INDEX_ENTRIES = 1000;

export const MANIFEST_ACCEPT = [
  MediaTypes.ociIndex,
  MediaTypes.ociManifest,
  MediaTypes.dockerManifestList,
  MediaTypes.dockerManifest,
  // Asked for only so that a registry holding nothing newer says so, and kctl can explain.
  MediaTypes.dockerSchema1Signed,
  MediaTypes.dockerSchema1,
];

const INDEX_TYPES = new Set<string>([MediaTypes.ociIndex, MediaTypes.dockerManifestList]);
const MANIFEST_TYPES = new Set<string>([MediaTypes.ociManifest, MediaTypes.dockerManifest]);
const SCHEMA1_TYPES = new Set<string>([MediaTypes.dockerSchema1, MediaTypes.dockerSchema1Signed, 'application/json']);
const LAYER_TYPES = new Set<string>([MediaTypes.ociLayer, MediaTypes.ociLayerGzip, MediaTypes.ociLayerZstd, MediaTypes.dockerLayerGzip]);
const CONFIG_TYPES = new Set<string>([MediaTypes.ociConfig, MediaTypes.dockerConfig]);

export type ParsedManifest =
  | { kind: 'index'; mediaType: string; digest: string; bytes: Buffer; manifests: Descriptor[] }
  | { kind: 'manifest'; mediaType: string; digest: string; bytes: Buffer; manifest: ImageManifest };

export interface ParseManifestOptions {
  /** Content-Type the registry sent. */
  contentType?: string;
  /** The digest the manifest was requested by: the bytes must hash to it. */
  expectedDigest?: string;
  /** Docker-Content-Digest the registry sent (checked when not fetched by digest). */
  headerDigest?: string;
  /** What to call it in messages: `docker.io/library/busybox:latest`. */
  source?: string;
}

function bad(source: string, why: string, hint?: string) {
  return failedPrecondition(`invalid manifest for ${source}: ${why}`, hint ? { hint } : undefined);
}

/** Verifies and validates a manifest or index from its exact bytes. */
export function parseManifest(bytes: Buffer, o: ParseManifestOptions = {}): ParsedManifest {
  const source = o.source ?? 'image';
  if (bytes.length > MAX_MANIFEST_BYTES) throw bad(source, `larger than ${MAX_MANIFEST_BYTES} bytes`);
  const digest = digestOf(bytes);
  if (o.expectedDigest) {
    const want = parseDigest(o.expectedDigest);
    const got = want.algorithm === 'sha256' ? digest : digestOf(bytes, want.algorithm);
    if (got !== o.expectedDigest) throw failedPrecondition(`manifest digest mismatch for ${source}: requested ${o.expectedDigest}, content is ${got}`, { hint: 'the registry sent content that is not what was asked for; nothing was stored' });
  } else if (o.headerDigest) {
    let hd: ReturnType<typeof parseDigest>;
    try {
      hd = parseDigest(o.headerDigest);
    } catch {
      throw bad(source, `the registry sent a malformed Docker-Content-Digest header (${printable(o.headerDigest, 80)})`);
    }
    const got = hd.algorithm === 'sha256' ? digest : digestOf(bytes, hd.algorithm);
    if (got !== o.headerDigest) throw failedPrecondition(`manifest digest mismatch for ${source}: the registry says ${o.headerDigest}, content is ${got}`);
  }

  const ct = (o.contentType ?? '').split(';')[0].trim().toLowerCase();
  const doc = parseStrictJson(bytes, source) as Record<string, unknown>;
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw bad(source, 'not a JSON object');
  const mt = doc.mediaType;
  if (mt !== undefined && typeof mt !== 'string') throw bad(source, 'mediaType is not a string');
  if (doc.schemaVersion === 1 || (typeof mt === 'string' && SCHEMA1_TYPES.has(mt) && mt !== 'application/json') || ct === MediaTypes.dockerSchema1 || ct === MediaTypes.dockerSchema1Signed) {
    throw failedPrecondition(`${source} uses image manifest schema 1, which kctl does not support`, { hint: 'schema 1 images are deprecated; ask the publisher to push the image again with a current client' });
  }
  if (doc.schemaVersion !== 2) throw bad(source, `unsupported schemaVersion ${printable(String(doc.schemaVersion), 20)}`);
  const hasManifests = 'manifests' in doc;
  const hasImageParts = 'layers' in doc || 'config' in doc;
  if (hasManifests && hasImageParts) throw bad(source, 'the document is both an index and a manifest (it has "manifests" and "layers"/"config"); refusing an ambiguous document');
  if (!hasManifests && !hasImageParts) throw bad(source, 'neither an index nor an image manifest');
  const shape: 'index' | 'manifest' = hasManifests ? 'index' : 'manifest';
  const ctKnown = INDEX_TYPES.has(ct) || MANIFEST_TYPES.has(ct);
  if (typeof mt === 'string' && ctKnown && mt !== ct) throw bad(source, `mediaType ${printable(mt, 80)} disagrees with Content-Type ${printable(ct, 80)}`);
  const declared = typeof mt === 'string' ? mt : ctKnown ? ct : shape === 'index' ? MediaTypes.ociIndex : MediaTypes.ociManifest;
  const declaredShape = INDEX_TYPES.has(declared) ? 'index' : MANIFEST_TYPES.has(declared) ? 'manifest' : undefined;
  if (!declaredShape) throw bad(source, `unsupported media type ${printable(declared, 80)}`, 'kctl runs container images (OCI or Docker v2 manifests)');
  if (declaredShape !== shape) throw bad(source, `mediaType ${declared} does not match the document's content`);

  if (shape === 'index') {
    if (!Array.isArray(doc.manifests)) throw bad(source, '"manifests" is not a list');
    if (doc.manifests.length > MAX_INDEX_ENTRIES) throw bad(source, `more than ${MAX_INDEX_ENTRIES} index entries`);
    const manifests = doc.manifests.map((d, i) => validateDescriptor(d, `${source} manifests[${i}]`));
    return { kind: 'index', mediaType: declared, digest, bytes, manifests };
  }
  const config = validateDescriptor(doc.config, `${source} config`);
  if (!CONFIG_TYPES.has(config.mediaType)) {
    throw failedPrecondition(`${source} is not a container image (config media type ${printable(config.mediaType, 80)})`);
  }
  if (!Array.isArray(doc.layers)) throw bad(source, '"layers" is not a list');
  if (doc.layers.length > MAX_LAYERS) throw bad(source, `more than ${MAX_LAYERS} layers`);
  const layers = doc.layers.map((d, i) => {
    const l = validateDescriptor(d, `${source} layers[${i}]`);
    if (l.mediaType === MediaTypes.dockerForeignLayerGzip || (l.urls && l.urls.length > 0)) {
      throw failedPrecondition(`${source} has a foreign layer (${l.digest}) that would be downloaded from outside the registry; kctl does not fetch foreign layers`, { hint: 'foreign layers are used by Windows base images, which kctl cannot run' });
    }
    if (!LAYER_TYPES.has(l.mediaType)) throw failedPrecondition(`${source} has a layer of unsupported media type ${printable(l.mediaType, 80)}`);
    return l;
  });
  const manifest: ImageManifest = { schemaVersion: 2, mediaType: declared, config, layers };
  if (doc.annotations && typeof doc.annotations === 'object') manifest.annotations = stringMap(doc.annotations, `${source} annotations`);
  return { kind: 'manifest', mediaType: declared, digest, bytes, manifest };
}

/** Validates one descriptor; the digest is checked before anyone can use it in a path or URL. */
export function validateDescriptor(d: unknown, where: string): Descriptor {
  if (d === null || typeof d !== 'object' || Array.isArray(d)) throw failedPrecondition(`${where}: not a descriptor object`);
  const o = d as Record<string, unknown>;
  if (typeof o.mediaType !== 'string' || o.mediaType.length === 0 || o.mediaType.length > 255) throw failedPrecondition(`${where}: missing or invalid mediaType`);
  try {
    validateDigest(o.digest);
  } catch (err) {
    throw failedPrecondition(`${where}: ${(err as Error).message}`);
  }
  if (typeof o.size !== 'number' || !Number.isSafeInteger(o.size) || o.size < 0) throw failedPrecondition(`${where}: invalid size`);
  const out: Descriptor = { mediaType: o.mediaType, digest: o.digest as string, size: o.size };
  if (o.urls !== undefined) {
    if (!Array.isArray(o.urls) || o.urls.some((u) => typeof u !== 'string')) throw failedPrecondition(`${where}: invalid urls`);
    out.urls = o.urls as string[];
  }
  if (o.annotations !== undefined) out.annotations = stringMap(o.annotations, `${where} annotations`);
  if (o.platform !== undefined) {
    const p = o.platform as Record<string, unknown>;
    if (p === null || typeof p !== 'object' || typeof p.os !== 'string' || typeof p.architecture !== 'string' || (p.variant !== undefined && typeof p.variant !== 'string')) {
      throw failedPrecondition(`${where}: invalid platform`);
    }
    out.platform = { os: p.os, architecture: p.architecture, ...(typeof p.variant === 'string' ? { variant: p.variant } : {}), ...(typeof p['os.version'] === 'string' ? { 'os.version': p['os.version'] } : {}) };
  }
  return out;
}

function stringMap(v: unknown, where: string): Record<string, string> {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) throw failedPrecondition(`${where}: not a map of strings`);
  return v as Record<string, string>;
}

/** The platform kctl runs: the host's (linux/amd64 on x86-64 hosts). */
export function hostPlatform(): Platform {
  const arch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return { os: 'linux', architecture: arch[process.arch] ?? process.arch };
}

/** Parses `--platform os/arch[/variant]` (also `arch` alone, meaning linux/arch). */
export function parsePlatform(s: string): Platform {
  const parts = s.trim().toLowerCase().split('/');
  if (parts.some((p) => !/^[a-z0-9][a-z0-9._-]*$/.test(p)) || parts.length > 3) throw invalidArgument(`invalid platform "${printable(s, 60)}"`, { hint: 'write it as os/arch[/variant], e.g. linux/amd64' });
  const [os, architecture, variant] = parts.length === 1 ? ['linux', parts[0]] : parts;
  const norm: Record<string, string> = { x86_64: 'amd64', 'x86-64': 'amd64', aarch64: 'arm64', armhf: 'arm', armel: 'arm', i386: '386' };
  return { os, architecture: norm[architecture] ?? architecture, ...(variant ? { variant } : {}) };
}

export function platformString(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

function normVariant(arch: string, variant: string | undefined): string | undefined {
  if (arch === 'arm64' && (!variant || variant === 'v8')) return 'v8';
  if (arch === 'arm' && !variant) return 'v7';
  if (arch === 'amd64' && variant === 'v1') return undefined;
  return variant;
}

/** Picks the index entry for `want`, as containerd's platform matcher does for one platform. */
export function selectPlatform(manifests: Descriptor[], want: Platform, source = 'image'): Descriptor {
  const wantVariant = normVariant(want.architecture, want.variant);
  const candidates = manifests.filter((m) => MANIFEST_TYPES.has(m.mediaType) && m.platform && m.platform.os === want.os && m.platform.architecture === want.architecture);
  const exact = candidates.find((m) => normVariant(m.platform!.architecture, m.platform!.variant) === wantVariant);
  if (exact) return exact;
  if (!want.variant) {
    const any = candidates[0];
    if (any && want.architecture !== 'amd64') return any;
  }
  throw notFound(`no matching manifest for ${platformString(want)} in the manifest list entries`, {
    detail: `${source} offers: ${manifests.filter((m) => m.platform).map((m) => platformString(m.platform!)).join(', ') || 'no platforms'}`,
    hint: 'choose another image or pass --platform for one it offers',
  });
}

/** Parses and validates an image config blob; `layerCount` is the manifest's layer count. */
export function parseImageConfig(bytes: Buffer, layerCount: number, source = 'image'): ImageConfig {
  const c = parseStrictJson(bytes, `${source} config`) as Record<string, unknown>;
  const badCfg = (why: string) => failedPrecondition(`invalid image config for ${source}: ${why}`);
  if (c === null || typeof c !== 'object' || Array.isArray(c)) throw badCfg('not a JSON object');
  if (typeof c.architecture !== 'string' || typeof c.os !== 'string') throw badCfg('missing os or architecture');
  const rootfs = c.rootfs as Record<string, unknown> | undefined;
  if (!rootfs || rootfs.type !== 'layers' || !Array.isArray(rootfs.diff_ids)) throw badCfg('missing rootfs.diff_ids');
  if (rootfs.diff_ids.length !== layerCount) throw badCfg(`${rootfs.diff_ids.length} diff_ids for ${layerCount} layers`);
  for (const d of rootfs.diff_ids) {
    try {
      validateDigest(d);
    } catch (err) {
      throw badCfg(`rootfs.diff_ids: ${(err as Error).message}`);
    }
  }
  const cfg = c.config as Record<string, unknown> | undefined | null;
  if (cfg !== undefined && cfg !== null) {
    if (typeof cfg !== 'object' || Array.isArray(cfg)) throw badCfg('"config" is not an object');
    const strList = (k: string, nullable: boolean) => {
      const v = cfg[k];
      if (v === undefined || (nullable && v === null)) return;
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw badCfg(`config.${k} is not a list of strings`);
    };
    strList('Env', true);
    strList('Entrypoint', true);
    strList('Cmd', true);
    for (const k of ['User', 'WorkingDir', 'StopSignal']) if (cfg[k] !== undefined && cfg[k] !== null && typeof cfg[k] !== 'string') throw badCfg(`config.${k} is not a string`);
    for (const k of ['ExposedPorts', 'Volumes', 'Labels']) if (cfg[k] !== undefined && cfg[k] !== null && (typeof cfg[k] !== 'object' || Array.isArray(cfg[k]))) throw badCfg(`config.${k} is not an object`);
  }
  if (c.created !== undefined && typeof c.created !== 'string') throw badCfg('"created" is not a string');
  return c as unknown as ImageConfig;
}

/** Fetches a manifest or index by tag or digest and verifies it (see parseManifest). */
export async function fetchManifest(client: RegistryClient, repo: string, reference: string, source: string): Promise<ParsedManifest> {
  const byDigest = reference.includes(':');
  if (byDigest) validateDigest(reference);
  const { bytes, contentType, dockerContentDigest } = await client.getManifest(repo, reference, MANIFEST_ACCEPT, MAX_MANIFEST_BYTES);
  return parseManifest(bytes, { contentType, source, ...(byDigest ? { expectedDigest: reference } : { headerDigest: dockerContentDigest }) });
}

/**
 * Resolves a tag or digest to the image manifest for `platform`: the top-level document (what a
 * repo digest names) and the platform manifest (what the image is made of).
 */
export async function resolveManifest(client: RegistryClient, repo: string, reference: string, platform: Platform, source: string): Promise<{ top: ParsedManifest; manifest: Extract<ParsedManifest, { kind: 'manifest' }> }> {
  const top = await fetchManifest(client, repo, reference, source);
  if (top.kind === 'manifest') return { top, manifest: top };
  const entry = selectPlatform(top.manifests, platform, source);
  const inner = await fetchManifest(client, repo, entry.digest, source);
  if (inner.kind !== 'manifest') throw bad(source, 'an index entry points to another index; nested indexes are not supported');
  if (inner.bytes.length !== entry.size) throw failedPrecondition(`size mismatch for manifest ${entry.digest} of ${source}: index says ${entry.size}, got ${inner.bytes.length}`);
  return { top, manifest: inner };
}

/**
 * JSON.parse, but refusing duplicate object keys: a document must mean one thing to every
 * reader (JS keeps the last duplicate, other parsers the first).
 */
export function parseStrictJson(bytes: Buffer, what: string): unknown {
  const text = bytes.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw failedPrecondition(`invalid JSON in ${what}: ${printable((err as Error).message, 120)}`);
  }
  const dup = findDuplicateKey(text);
  if (dup !== undefined) throw failedPrecondition(`invalid JSON in ${what}: duplicate key ${JSON.stringify(printable(dup, 60))}`);
  return value;
}

/** Scans valid JSON text for an object with a repeated key. */
function findDuplicateKey(text: string): string | undefined {
  const stack: Array<Set<string> | null> = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (top && expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.has(key)) return key;
        top.add(key);
        expectKey = false;
      }
      i = j;
    } else if (ch === '{') {
      stack.push(new Set());
      expectKey = true;
    } else if (ch === '[') {
      stack.push(null);
    } else if (ch === '}' || ch === ']') {
      stack.pop();
    } else if (ch === ',') {
      expectKey = stack[stack.length - 1] !== null && stack.length > 0;
    }
  }
  return undefined;
}
