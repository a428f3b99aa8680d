/**
 * Shared pieces of the unpack integration tests: the fixture index, importing an image from an
 * OCI layout directory into a content store, and a comparable description of a directory tree.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { ContentStore, ImageConfig, ImageManifest, ImageRecord } from '../../../src/core/images/types.js';

export function fixtures(): Record<string, string> | undefined {
  const base = process.env.KCTL_FIXTURES ?? '/var/cache/kctl/fixtures';
  try {
    return JSON.parse(fs.readFileSync(path.join(base, 'current', 'fixtures.json'), 'utf8')) as Record<string, string>;
  } catch {
    return undefined;
  }
}

/** Copies the image `layout:tag` (a single-platform manifest) into `content` and describes it. */
export async function importLayout(ref: string, content: ContentStore): Promise<ImageRecord> {
  const i = ref.lastIndexOf(':');
  const dir = ref.slice(0, i);
  const tag = ref.slice(i + 1);
  const index = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string; annotations?: Record<string, string> }> };
  const desc = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (!desc) throw new Error(`no tag ${tag} in ${dir}`);
  const blob = (d: string) => fs.readFileSync(path.join(dir, 'blobs', 'sha256', d.slice(7)));
  const mbytes = blob(desc.digest);
  const manifest = JSON.parse(mbytes.toString()) as ImageManifest;
  const cbytes = blob(manifest.config.digest);
  const config = JSON.parse(cbytes.toString()) as ImageConfig;
  await content.putBuffer(cbytes, { digest: manifest.config.digest, size: manifest.config.size });
  for (const l of manifest.layers) await content.putBuffer(blob(l.digest), { digest: l.digest, size: l.size });
  return {
    id: manifest.config.digest, repoTags: [], repoDigests: [], manifestDigest: desc.digest,
    manifestMediaType: manifest.mediaType ?? 'application/vnd.oci.image.manifest.v1+json',
    layers: manifest.layers, diffIds: config.rootfs.diff_ids, size: 0, created: config.created ?? '',
    loadedAt: new Date().toISOString(), platform: { architecture: config.architecture, os: config.os },
  };
}

/** One line per node: path, type, mode, owner, size, link target or content hash, device number. */
export function describeTree(root: string): string[] {
  const out: string[] = [];
  const inodes = new Map<number, string>();
  const walk = (rel: string) => {
    const p = path.join(root, rel);
    const s = fs.lstatSync(p);
    let what: string;
    if (s.isSymbolicLink()) what = `link ${fs.readlinkSync(p)}`;
    else if (s.isFile()) what = `file ${createHash('sha256').update(fs.readFileSync(p)).digest('hex')}`;
    else if (s.isDirectory()) what = 'dir';
    else if (s.isCharacterDevice()) what = `chr ${s.rdev}`;
    else if (s.isBlockDevice()) what = `blk ${s.rdev}`;
    else if (s.isFIFO()) what = 'fifo';
    else what = 'other';
    // Hard links: name the first path seen with the same inode (inode numbers themselves differ).
    let hard = '';
    if (!s.isDirectory() && s.nlink > 1) {
      const first = inodes.get(s.ino);
      if (first) hard = ` =${first}`;
      else inodes.set(s.ino, rel || '.');
    }
    out.push(`${rel || '.'} ${(s.mode & 0o7777).toString(8)} ${s.uid}:${s.gid} ${s.isFile() ? s.size : '-'} ${what}${hard}`);
    if (s.isDirectory()) for (const n of fs.readdirSync(p).sort()) walk(path.join(rel, n));
  };
  walk('');
  return out;
}
