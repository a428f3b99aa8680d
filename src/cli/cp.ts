/**
 * The client side of `kctl cp`: Docker's path rules, packing host files into a tar stream, and
 * unpacking the container's tar stream onto the host.
 *
 * The archive that comes out of a container is hostile. Unpacking it refuses absolute names and
 * `..`, never writes through a symlink (files are opened O_NOFOLLOW, and every parent directory
 * under the destination is checked to be a real directory), so a link in the archive cannot make
 * a later entry land outside the destination.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable, Writable } from 'node:stream';
import { invalidArgument, notFound } from '../core/errors.js';

/** `CONTAINER:PATH` or a local path (Docker: a local path with a colon must start with / or .). */
export function splitCpArg(arg: string): { container?: string; path: string } {
  if (arg === '-') return { path: '-' };
  if (arg.startsWith('/') || arg.startsWith('.')) return { path: arg };
  const i = arg.indexOf(':');
  if (i <= 0) return { path: arg };
  return { container: arg.slice(0, i), path: arg.slice(i + 1) };
}

/** Docker's "dir/." : copy a directory's contents rather than the directory. */
export const endsWithDot = (p: string) => p === '.' || p.endsWith('/.');
export const endsWithSep = (p: string) => p.endsWith('/');

/** Makes a container path absolute (relative paths are relative to the container's root, as Docker's). */
export function containerAbs(p: string): string {
  if (!p) return '/';
  return p.startsWith('/') ? p : `/${p}`;
}

/** The last component of a path with trailing separators and "/." removed. */
export function baseOf(p: string): string {
  const clean = p.replace(/\/+\.?$/, '').replace(/\/+$/, '');
  return clean === '' ? '/' : path.posix.basename(clean);
}

/** Where a copy lands and under which name the archive's top entry goes. */
export interface CopyPlan {
  /** Directory the archive is applied to. */
  dir: string;
  /** The name the source's top entry takes in `dir`; '.' applies a directory's contents to `dir`. */
  name: string;
}

/**
 * Docker's rules for DEST, given what SRC is and what DEST is (undefined: does not exist).
 * `parentIsDir` tells whether DEST's parent exists as a directory.
 */
export function planCopy(src: { path: string; isDir: boolean }, dest: { path: string; isDir?: boolean; exists: boolean; parentIsDir: boolean }): CopyPlan {
  const srcBase = baseOf(src.path);
  if (dest.exists && dest.isDir) {
    if (src.isDir && endsWithDot(src.path)) return { dir: dest.path, name: '.' };
    return { dir: dest.path, name: srcBase === '/' ? '.' : srcBase };
  }
  if (dest.exists) {
    if (src.isDir) throw invalidArgument(`cannot copy a directory to a file: ${dest.path}`);
    if (endsWithSep(dest.path)) throw invalidArgument(`destination ${dest.path} is not a directory`);
    return { dir: parentOf(dest.path), name: baseOf(dest.path) };
  }
  if (endsWithSep(dest.path) && !src.isDir) throw invalidArgument(`destination directory ${dest.path} must exist`);
  if (!dest.parentIsDir) throw notFound(`no such directory: ${parentOf(dest.path)}`);
  return { dir: parentOf(dest.path), name: baseOf(dest.path) };
}

export function parentOf(p: string): string {
  const clean = p.replace(/\/+$/, '') || '/';
  return path.posix.dirname(clean);
}

// ------------------------------------------------------------------ host -> tar

/** Packs the host path `src` into a tar stream whose top entry is named `name` ('.' = contents). */
export async function packHostPath(src: string, name: string, out: Writable, o: { follow: boolean; keepOwners: boolean }): Promise<void> {
  const tarStream = await import('tar-stream');
  const pack = tarStream.pack();
  const done = pipeline(pack, out);
  const walk = async (p: string, entryName: string, follow: boolean): Promise<void> => {
    const st = follow ? await fsp.stat(p) : await fsp.lstat(p);
    const owner = o.keepOwners ? { uid: st.uid, gid: st.gid } : { uid: 0, gid: 0 };
    const base = { mode: st.mode & 0o7777, mtime: st.mtime, ...owner };
    const add = (header: Record<string, unknown>, body?: Buffer | string) =>
      new Promise<void>((resolve, reject) => { pack.entry({ ...base, ...header } as never, body as never, (e) => (e ? reject(e) : resolve())); });
    if (st.isDirectory()) {
      if (entryName !== '.') await add({ name: `${entryName}/`, type: 'directory' });
      for (const child of (await fsp.readdir(p)).sort()) {
        await walk(path.join(p, child), entryName === '.' ? child : `${entryName}/${child}`, false);
      }
    } else if (st.isSymbolicLink()) {
      await add({ name: entryName, type: 'symlink', linkname: await fsp.readlink(p) });
    } else if (st.isFile()) {
      await new Promise<void>((resolve, reject) => {
        const entry = pack.entry({ ...base, name: entryName, type: 'file', size: st.size } as never, (e) => (e ? reject(e) : resolve()));
        fs.createReadStream(p).on('error', reject).pipe(entry);
      });
    }
    // sockets, FIFOs and devices are skipped, as Docker's client does
  };
  try {
    await walk(src, name, o.follow);
    pack.finalize();
  } catch (err) {
    pack.destroy(err as Error);
    throw err;
  }
  await done;
}

// ------------------------------------------------------------------ tar -> host

function safeRelative(name: string): string[] {
  const parts = name.split('/').filter((c) => c !== '' && c !== '.');
  if (name.startsWith('/') || parts.includes('..')) throw invalidArgument(`the container's archive names an unsafe path: ${JSON.stringify(name.slice(0, 200))}`);
  return parts;
}

/** Each directory from `root` down to the parent of `parts`: must be a real directory (no symlink). */
async function ensureParents(root: string, parts: string[]): Promise<void> {
  let cur = root;
  for (const c of parts.slice(0, -1)) {
    cur = path.join(cur, c);
    const st = await fsp.lstat(cur).catch(() => undefined);
    if (!st) await fsp.mkdir(cur, { mode: 0o755 });
    else if (!st.isDirectory()) throw invalidArgument(`the container's archive writes through ${cur}, which is not a directory`);
  }
}

/**
 * Unpacks the container's tar stream: its top entry becomes `plan.dir/plan.name` ('.': its contents
 * go into plan.dir); `topless`: the archive holds a directory's contents without a top entry. Owners are applied with `keepOwners` when running as root.
 */
export async function unpackToHost(input: Readable, plan: CopyPlan, o: { keepOwners: boolean; topless?: boolean }): Promise<void> {
  const tarStream = await import('tar-stream');
  const extract = tarStream.extract();
  const root = plan.name === '.' ? plan.dir : path.join(plan.dir, plan.name);
  const isRoot = process.getuid?.() === 0;
  const dirTimes: { p: string; mtime: Date }[] = [];
  // A directory's contents ("dir/.") arrive without a top entry: the destination is made here.
  if (o.topless && !(await fsp.lstat(root).catch(() => undefined))) await fsp.mkdir(root, { mode: 0o755 });
  const feeding = pipeline(input, extract);
  feeding.catch(() => undefined); // surfaced through the iterator below and awaited at the end
  const drain = async (s: unknown) => {
    const stream = s as Readable;
    stream.resume();
    await new Promise<void>((res, rej) => { stream.once('end', res); stream.once('error', rej); });
  };
  for await (const stream of extract) {
    const h = stream.header;
    const parts = safeRelative(h.name);
    // The archive's top entry is the source's own name (none when the source is the root).
    const rel = o.topless ? parts : parts.slice(1);
    if (parts.length === 0) { await drain(stream); continue; }
    const target = rel.length ? path.join(root, ...rel) : root;
    if (rel.length) await ensureParents(root, rel);
    const existing = await fsp.lstat(target).catch(() => undefined);
    const mode = (h.mode ?? 0o644) & 0o7777;
    if (h.type === 'directory') {
      await drain(stream);
      if (existing && !existing.isDirectory()) throw invalidArgument(`cannot overwrite non-directory ${target} with a directory`);
      if (!existing) await fsp.mkdir(target, { mode });
      if (o.keepOwners && isRoot) await fsp.lchown(target, h.uid ?? 0, h.gid ?? 0);
      if (h.mtime) dirTimes.push({ p: target, mtime: h.mtime });
    } else if (h.type === 'file' || h.type === 'contiguous-file') {
      if (existing?.isDirectory()) throw invalidArgument(`cannot overwrite directory ${target} with a non-directory`);
      if (existing?.isSymbolicLink()) await fsp.unlink(target);
      const fh = await fsp.open(target, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_NOFOLLOW, mode);
      try {
        for await (const chunk of stream) await fh.write(chunk as Buffer);
        await fh.chmod(mode);
        if (o.keepOwners && isRoot) await fh.chown(h.uid ?? 0, h.gid ?? 0);
        if (h.mtime) await fh.utimes(h.mtime, h.mtime);
      } finally {
        await fh.close();
      }
    } else if (h.type === 'symlink') {
      await drain(stream);
      if (existing?.isDirectory()) throw invalidArgument(`cannot overwrite directory ${target} with a symlink`);
      if (existing) await fsp.unlink(target);
      await fsp.symlink(h.linkname ?? '', target);
      if (o.keepOwners && isRoot) await fsp.lchown(target, h.uid ?? 0, h.gid ?? 0);
    } else {
      await drain(stream); // hard links, devices and FIFOs are not recreated on the host
    }
  }
  await feeding;
  for (const d of dirTimes.reverse()) await fsp.utimes(d.p, d.mtime, d.mtime).catch(() => undefined);
}
