/**
 * Named volumes: directories kctl owns under $KCTL_ROOT/volumes/<name>/_data, shared into a
 * container's VM with their own virtiofsd. A volume outlives the containers that use it; one in
 * use by any container (running or not) cannot be removed, as in Docker.
 *
 *   volumes/<name>/volume.json   { Name, CreatedAt, Labels, Driver: "local" }
 *   volumes/<name>/_data/        the content (0755, root)
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { conflict, invalidArgument, notFound } from '../errors.js';
import type { RootLayout } from '../paths.js';
import { readJson, writeJsonAtomic } from '../util/fsx.js';
import { withUndo } from '../util/undo.js';
import { VOLUME_NAME_RE } from './mounts.js';

export interface VolumeRecord {
  Name: string;
  Driver: 'local';
  CreatedAt: string;
  Labels: Record<string, string>;
  Anonymous?: boolean;
}

export interface VolumeView extends VolumeRecord {
  Mountpoint: string;
  Scope: 'local';
  Options: Record<string, string>;
}

export class VolumeStore {
  /** `usedBy(name)` names the containers that refer to a volume (from the container manager). */
  constructor(private readonly layout: RootLayout, private usedBy: (name: string) => string[] = () => []) {}

  setUsage(fn: (name: string) => string[]): void {
    this.usedBy = fn;
  }

  get dir(): string {
    return path.join(this.layout.root, 'volumes');
  }

  dataDir(name: string): string {
    return path.join(this.dir, name, '_data');
  }

  private validate(name: string): void {
    if (!VOLUME_NAME_RE.test(name)) {
      throw invalidArgument(`invalid volume name "${name}": use 1-128 of [a-zA-Z0-9_.-], starting with a letter or digit`);
    }
  }

  async get(name: string): Promise<VolumeView | undefined> {
    this.validate(name);
    let rec: VolumeRecord | undefined;
    try {
      rec = await readJson<VolumeRecord>(path.join(this.dir, name, 'volume.json'));
    } catch {
      return undefined;
    }
    if (!rec || rec.Name !== name) return undefined;
    return { ...rec, Mountpoint: this.dataDir(name), Scope: 'local', Options: {} };
  }

  async inspect(name: string): Promise<VolumeView> {
    const v = await this.get(name);
    if (!v) throw notFound(`no such volume: ${name}`);
    return v;
  }

  /** Creates a volume; creating one that exists returns it unchanged (Docker). */
  async create(name = '', labels: Record<string, string> = {}): Promise<VolumeView> {
    const anonymous = !name;
    if (anonymous) name = randomBytes(32).toString('hex');
    this.validate(name);
    const existing = await this.get(name);
    if (existing) return existing;
    const vdir = path.join(this.dir, name);
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    await withUndo(async (undo) => {
      try {
        await fs.mkdir(vdir, { mode: 0o700 });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') return; // created concurrently
        throw err;
      }
      undo.push('volume dir', () => fs.rm(vdir, { recursive: true, force: true }));
      await fs.mkdir(path.join(vdir, '_data'), { mode: 0o755 });
      const rec: VolumeRecord = { Name: name, Driver: 'local', CreatedAt: new Date().toISOString(), Labels: labels, ...(anonymous ? { Anonymous: true } : {}) };
      await writeJsonAtomic(path.join(vdir, 'volume.json'), rec);
    });
    return this.inspect(name);
  }

  async list(): Promise<VolumeView[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: VolumeView[] = [];
    for (const n of names.sort()) {
      if (!VOLUME_NAME_RE.test(n)) continue;
      const v = await this.get(n);
      if (v) out.push(v);
    }
    return out;
  }

  async remove(name: string, o: { force?: boolean } = {}): Promise<void> {
    const v = await this.get(name);
    if (!v) {
      if (o.force) return;
      throw notFound(`no such volume: ${name}`);
    }
    const users = this.usedBy(name);
    if (users.length) {
      throw conflict(`remove ${name}: volume is in use - [${users.join(', ')}]`, { hint: 'remove those containers first (`kctl rm`)' });
    }
    // Rename first so a half-removed volume is never seen as a volume.
    const doomed = path.join(this.dir, `.rm-${name}-${randomBytes(4).toString('hex')}`);
    await fs.rename(path.join(this.dir, name), doomed);
    await fs.rm(doomed, { recursive: true, force: true });
  }

  /** Removes volumes no container uses; Docker's default prunes only anonymous ones unless `all`. */
  async prune(o: { all?: boolean } = {}): Promise<{ removed: string[]; reclaimedBytes: number }> {
    const removed: string[] = [];
    let bytes = 0;
    for (const v of await this.list()) {
      if (!o.all && !v.Anonymous) continue;
      if (this.usedBy(v.Name).length) continue;
      bytes += await duBytes(this.dataDir(v.Name));
      await this.remove(v.Name).catch(() => undefined);
      removed.push(v.Name);
    }
    return { removed, reclaimedBytes: bytes };
  }
}

async function duBytes(dir: string): Promise<number> {
  let total = 0;
  const stack = [dir];
  let budget = 100_000; // bounded walk
  while (stack.length && budget-- > 0) {
    const d = stack.pop()!;
    let ents: import('node:fs').Dirent[];
    try {
      ents = await fs.readdir(d, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of ents) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile()) total += (await fs.lstat(p).catch(() => ({ size: 0 }))).size;
    }
  }
  return total;
}
