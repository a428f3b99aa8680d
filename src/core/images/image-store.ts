/**
 * The image store: image records keyed by id (the config digest), with their tags and digests,
 * kept in $KCTL_ROOT/images.json (written atomically; one writer at a time in this process).
 *
 * Docker semantics:
 *  - a tag (name:tag) belongs to exactly one image; putting an image that claims it moves it;
 *  - an image left without tags and digests is "dangling" and still listed (as <none>:<none>);
 *  - images are found by name:tag, name@digest, full id, or an unambiguous id prefix (>= 4 hex).
 */
import type { ImageRecord, ImageStore } from './types.js';
import { conflict, internal, invalidArgument, notFound } from '../errors.js';
import { readJson, writeJsonAtomic } from '../util/fsx.js';
import { isDigest } from './digest.js';
import { parseNormalizedReference, referenceName, referenceString, withDefaultTag } from './reference.js';

interface ImagesFile {
  version: 1;
  images: ImageRecord[];
}

const MIN_ID_PREFIX = 4;

export class JsonImageStore implements ImageStore {
  private queue: Promise<unknown> = Promise.resolve();

  /** `file` is the state root's images.json (RootLayout.imagesDb). */
  constructor(readonly file: string) {}

  async list(): Promise<ImageRecord[]> {
    return (await this.load()).images;
  }

  async resolve(refOrId: string): Promise<ImageRecord | undefined> {
    return findImage((await this.load()).images, refOrId);
  }

  /** Like resolve, but throws not_found with Docker's wording. */
  async get(refOrId: string): Promise<ImageRecord> {
    const img = await this.resolve(refOrId);
    if (!img) throw notFound(`No such image: ${refOrId}`, { hint: 'pull it with `kctl pull`, or list images with `kctl images`' });
    return img;
  }

  put(record: ImageRecord): Promise<void> {
    return this.write((db) => {
      if (!isDigest(record.id)) throw invalidArgument(`invalid image id ${record.id}`);
      const tags = uniq(record.repoTags.map(normalizeTag));
      const digests = uniq(record.repoDigests.map(normalizeDigestRef));
      for (const other of db.images) {
        if (other.id === record.id) continue;
        other.repoTags = other.repoTags.filter((t) => !tags.includes(t));
        other.repoDigests = other.repoDigests.filter((d) => !digests.includes(d));
      }
      const existing = db.images.find((i) => i.id === record.id);
      if (existing) {
        const merged: ImageRecord = {
          ...existing,
          ...record,
          repoTags: uniq([...existing.repoTags, ...tags]),
          repoDigests: uniq([...existing.repoDigests, ...digests]),
        };
        db.images[db.images.indexOf(existing)] = merged;
      } else {
        db.images.push({ ...record, repoTags: tags, repoDigests: digests });
      }
    });
  }

  untag(ref: string): Promise<ImageRecord | undefined> {
    return this.write((db) => {
      const r = parseNormalizedReference(ref);
      if (r.digest) {
        const key = `${referenceName(r)}@${r.digest}`;
        const img = db.images.find((i) => i.repoDigests.includes(key));
        if (!img) return undefined;
        img.repoDigests = img.repoDigests.filter((d) => d !== key);
        return { ...img };
      }
      const key = referenceString(withDefaultTag(r));
      const img = db.images.find((i) => i.repoTags.includes(key));
      if (!img) return undefined;
      img.repoTags = img.repoTags.filter((t) => t !== key);
      return { ...img };
    });
  }

  remove(id: string): Promise<void> {
    return this.write((db) => {
      const i = db.images.findIndex((x) => x.id === id);
      if (i < 0) throw notFound(`No such image: ${id}`);
      db.images.splice(i, 1);
    });
  }

  private async load(): Promise<ImagesFile> {
    let db: ImagesFile | undefined;
    try {
      db = await readJson<ImagesFile>(this.file);
    } catch (err) {
      throw internal(`cannot read ${this.file}: ${(err as Error).message}`, { cause: err, hint: 'the image database is corrupt; restore it or remove it and pull the images again' });
    }
    if (!db) return { version: 1, images: [] };
    if (db.version !== 1 || !Array.isArray(db.images)) throw internal(`unsupported image database format in ${this.file}`);
    return db;
  }

  /** Serialises read-modify-write cycles so concurrent puts never lose an update. */
  private write<T>(mutate: (db: ImagesFile) => T): Promise<T> {
    const run = async () => {
      const db = await this.load();
      const result = mutate(db);
      await writeJsonAtomic(this.file, db);
      return result;
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }
}

/** Finds an image in a list the way Docker does (see the module comment). */
export function findImage(images: ImageRecord[], refOrId: string): ImageRecord | undefined {
  const s = refOrId.trim();
  if (/^sha256:[a-f0-9]{64}$/.test(s) || /^[a-f0-9]{64}$/.test(s)) {
    const id = s.startsWith('sha256:') ? s : `sha256:${s}`;
    const img = images.find((i) => i.id === id);
    if (img) return img;
  }
  let byName: ImageRecord | undefined;
  let refError: unknown;
  try {
    const r = parseNormalizedReference(s);
    if (r.digest) {
      const key = `${referenceName(r)}@${r.digest}`;
      byName = images.find((i) => i.repoDigests.includes(key) || (i.manifestDigest === r.digest && i.repoDigests.some((d) => d.startsWith(referenceName(r) + '@'))));
    } else {
      const key = referenceString(withDefaultTag(r));
      byName = images.find((i) => i.repoTags.includes(key));
    }
  } catch (err) {
    refError = err;
  }
  if (byName) return byName;
  const prefix = /^(?:sha256:)?([a-f0-9]+)$/.exec(s)?.[1];
  if (prefix && prefix.length >= MIN_ID_PREFIX) {
    const matches = images.filter((i) => i.id.slice('sha256:'.length).startsWith(prefix));
    if (matches.length > 1) throw conflict(`image id prefix ${s} is ambiguous (${matches.length} images match)`, { hint: 'use more characters of the id' });
    if (matches.length === 1) return matches[0];
  }
  if (refError && !prefix) throw refError;
  return undefined;
}

function normalizeTag(t: string): string {
  const r = withDefaultTag(parseNormalizedReference(t));
  if (r.digest || !r.tag) throw invalidArgument(`not a name:tag reference: ${t}`);
  return referenceString(r);
}

function normalizeDigestRef(d: string): string {
  const r = parseNormalizedReference(d);
  if (!r.digest) throw invalidArgument(`not a name@digest reference: ${d}`);
  return `${referenceName(r)}@${r.digest}`;
}

function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}
