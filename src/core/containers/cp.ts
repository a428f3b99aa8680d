/**
 * `kctl cp`: the container side of copying files in and out of a container's root filesystem.
 *
 * The container's root is an overlay mounted on the host (containers/<id>/rootfs) while it runs,
 * or mounted for the copy while it is stopped. Its contents belong to the container and are
 * hostile: a link it planted (`/escape -> /`) must not make kctld, which runs as root, read or
 * write the host. So kctld never touches container paths itself. Reading runs native/out/kctl-cp
 * and writing native/out/kctl-untar --into, and both chroot into the container's root before they
 * resolve a single path: every `..` and every symlink resolves inside the container, as it would
 * for a process in it.
 *
 * Archives travel as tar streams, as in Docker's API (GET/PUT /containers/{id}/archive): the client
 * applies Docker's path rules on its side.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { KctlError, failedPrecondition, internal, invalidArgument, notFound, tail } from '../errors.js';

/** Docker's container path stat (X-Docker-Container-Path-Stat), mode as raw st_mode bits. */
export interface PathStat {
  name: string;
  size: number;
  mode: number;
  mtime: number; // unix seconds
  linkTarget: string;
}

export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const isDirMode = (mode: number) => (mode & S_IFMT) === S_IFDIR;

const STAT_TIMEOUT_MS = 30_000;
const MAX_TOOL_STDERR = 64 * 1024;

function nativeTool(name: 'kctl-cp' | 'kctl-untar'): string {
  const env = name === 'kctl-cp' ? process.env.KCTL_CP : process.env.KCTL_UNTAR;
  // dist/src/core/containers/cp.js -> <package>/native/out/<name>
  return env || fileURLToPath(new URL(`../../../../native/out/${name}`, import.meta.url));
}

/** Rejects paths that cannot name anything inside a container. */
export function checkContainerPath(p: string): string {
  if (!p.startsWith('/')) throw invalidArgument(`the path in the container must be absolute: ${p}`);
  if (p.includes('\0')) throw invalidArgument('the path in the container contains a NUL byte');
  if (Buffer.byteLength(p) > 4096) throw invalidArgument('the path in the container is longer than 4096 bytes');
  return p;
}

function collect(stream: Readable | null, max: number): { text(): string } {
  let buf = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (d: string) => { if (buf.length < max) buf += d.slice(0, max - buf.length); });
  return { text: () => buf };
}

function toolError(tool: string, code: number | null, stderr: string, what: string, path: string): KctlError {
  const first = (stderr.trim().split('\n')[0] ?? '').replace(/^kctl-(cp|untar): /, '');
  const detail = tail(stderr);
  if (tool === 'kctl-cp' && code === 2) return notFound(`Could not find the file ${path} in container`, { detail });
  if (tool === 'kctl-cp' && code === 7) return invalidArgument(`${path}: not a directory in the container`, { detail });
  if (tool === 'kctl-untar' && (code === 2 || code === 3 || code === 4)) return invalidArgument(`the archive cannot be extracted at ${path}: ${first}`, { detail });
  if (code === 6) return failedPrecondition(`cannot ${what}: ${first}`, { detail, hint: 'kctld must run as root' });
  return internal(`cannot ${what}: ${first || `${tool} exited with code ${code}`}`, { detail });
}

/** Describes `path` inside the container root mounted at `root`. */
export async function statPath(root: string, path: string, o: { follow?: boolean } = {}): Promise<PathStat> {
  checkContainerPath(path);
  const bin = nativeTool('kctl-cp');
  const child = spawn(bin, ['stat', root, path, ...(o.follow ? ['--follow'] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = collect(child.stdout, 64 * 1024);
  const err = collect(child.stderr, MAX_TOOL_STDERR);
  const timer = setTimeout(() => child.kill('SIGKILL'), STAT_TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', (e) => reject(failedPrecondition(`cannot run ${bin}: ${e.message}`, { hint: 'build the native helpers: make -C native' })));
    child.on('close', (c) => resolve(c));
  }).finally(() => clearTimeout(timer));
  if (code !== 0) throw toolError('kctl-cp', code, err.text(), `stat ${path}`, path);
  const v = JSON.parse(out.text()) as PathStat;
  if (typeof v.name !== 'string' || typeof v.mode !== 'number' || typeof v.size !== 'number') throw internal('kctl-cp stat printed an unexpected document', { detail: out.text().slice(0, 400) });
  return v;
}

/**
 * Writes a tar stream of `path` (inside the container root at `root`) to `out`. Entries are named
 * `o.name` (default: the last component of `path`; "." for a directory's contents).
 */
export async function archivePath(root: string, path: string, out: Writable, o: { follow?: boolean; name?: string; signal?: AbortSignal } = {}): Promise<void> {
  checkContainerPath(path);
  const bin = nativeTool('kctl-cp');
  const args = ['tar', root, path, ...(o.follow ? ['--follow'] : []), ...(o.name ? ['--name', o.name] : [])];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const err = collect(child.stderr, MAX_TOOL_STDERR);
  const onAbort = () => child.kill('SIGKILL');
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', (e) => reject(failedPrecondition(`cannot run ${bin}: ${e.message}`, { hint: 'build the native helpers: make -C native' })));
    child.on('close', (c) => resolve(c));
  });
  try {
    await pipeline(child.stdout!, out, { end: false }).catch((e) => { child.kill('SIGKILL'); throw e; });
    const code = await exited;
    if (code !== 0) throw toolError('kctl-cp', code, err.text(), `copy ${path} out of the container`, path);
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Extracts the tar stream `input` into the directory `dir` inside the container root at `root`.
 * Owners are kept with `copyUidGid` (`kctl cp -a`), else every entry becomes root's (Docker's
 * default for the container's root user). Whiteout names (.wh.*) are refused: in a container's
 * root filesystem they would delete files of the image instead of copying one.
 */
export async function extractInto(root: string, dir: string, input: Readable, o: { copyUidGid?: boolean; maxBytes?: number } = {}): Promise<void> {
  checkContainerPath(dir);
  const tarStream = await import('tar-stream');
  const bin = nativeTool('kctl-untar');
  const args = [root, '--into', dir, ...(o.maxBytes ? ['--max-bytes', String(o.maxBytes)] : [])];
  const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const err = collect(child.stderr, MAX_TOOL_STDERR);
  collect(child.stdout, 4096);
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', (e) => reject(failedPrecondition(`cannot run ${bin}: ${e.message}`, { hint: 'build the native helpers: make -C native' })));
    child.on('close', (c) => resolve(c));
  });
  // Re-pack the client's archive: owners, and names that must not reach the container as whiteouts.
  const extract = tarStream.extract();
  const pack = tarStream.pack();
  let refused: KctlError | undefined;
  extract.on('entry', (header, stream, next) => {
    const base = header.name.replace(/\/+$/, '').split('/').pop() ?? '';
    if (base.startsWith('.wh.')) {
      refused = invalidArgument(`the archive names "${header.name}": names starting with .wh. cannot be copied into a container`);
      stream.resume();
      extract.destroy(refused);
      return;
    }
    if (!o.copyUidGid) { header.uid = 0; header.gid = 0; header.uname = ''; header.gname = ''; }
    const entry = pack.entry(header, (e) => { if (e) extract.destroy(e); else next(); });
    stream.pipe(entry as unknown as Writable);
  });
  extract.on('finish', () => pack.finalize());
  const feed = pipeline(input, extract as unknown as Transform).catch((e) => { pack.destroy(e as Error); throw e; });
  const drain = pipeline(pack, child.stdin!).catch(() => undefined);
  let feedErr: unknown;
  await feed.catch((e) => { feedErr = e; child.kill('SIGKILL'); });
  await drain;
  const code = await exited;
  if (refused) throw refused;
  if (feedErr) {
    if (feedErr instanceof KctlError) throw feedErr;
    throw invalidArgument(`the archive to copy is not a valid tar stream: ${(feedErr as Error).message}`);
  }
  if (code !== 0) throw toolError('kctl-untar', code, err.text(), `copy into ${dir} in the container`, dir);
}
