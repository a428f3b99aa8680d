/**
 * Docker's mount flags, parsed into one typed request: `-v src:dst[:opts]`, `--mount k=v,...` and
 * `--tmpfs dst[:opts]`. Host paths must be absolute here; the CLI resolves relative ones first.
 */
import path from 'node:path';
import { invalidArgument } from '../errors.js';

export interface MountRequest {
  type: 'bind' | 'volume' | 'tmpfs';
  /** bind: absolute host path; volume: volume name ('' = a new anonymous volume); tmpfs: ''. */
  source: string;
  target: string;
  readOnly: boolean;
  /** `-v` creates a missing host directory (Docker); `--mount` refuses. */
  createHostDir?: boolean;
  /** tmpfs options for the guest (size=, mode=, exec, ...). */
  tmpfsOptions?: string;
}

export const VOLUME_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

export function validateTarget(t: string, flag: string): string {
  if (!t.startsWith('/')) throw invalidArgument(`invalid ${flag} destination "${t}": mount path must be absolute`);
  if (t.split('/').some((c) => c === '..' || c === '.')) throw invalidArgument(`invalid ${flag} destination "${t}": "." and ".." are not allowed`);
  if (/[\n\0]/.test(t)) throw invalidArgument(`invalid ${flag} destination: contains a control character`);
  const n = path.posix.normalize(t).replace(/\/+$/, '');
  if (n === '' || n === '/') throw invalidArgument(`invalid ${flag} destination "${t}": cannot mount over /`);
  return n;
}

/** `-v /host:/ctr[:ro|rw]`, `-v name:/ctr[:ro]`, `-v /ctr` (anonymous volume). */
export function parseVolumeFlag(spec: string): MountRequest {
  const parts = spec.split(':');
  let src = '';
  let dst: string;
  let opts = '';
  if (parts.length === 1) dst = parts[0]!;
  else if (parts.length === 2) [src, dst] = parts as [string, string];
  else if (parts.length === 3) [src, dst, opts] = parts as [string, string, string];
  else throw invalidArgument(`invalid volume specification: "${spec}"`);
  if (!dst) throw invalidArgument(`invalid volume specification: "${spec}": no destination`);
  let readOnly = false;
  for (const o of opts ? opts.split(',') : []) {
    if (o === 'ro') readOnly = true;
    else if (o === 'rw') readOnly = false;
    else if (o === 'z' || o === 'Z' || o === 'nocopy' || /^r?(shared|slave|private)$/.test(o)) continue; // accepted, no effect in a VM
    else throw invalidArgument(`invalid volume specification: "${spec}": unknown option "${o}"`);
  }
  const target = validateTarget(dst, 'volume');
  if (src.startsWith('/')) return { type: 'bind', source: path.normalize(src), target, readOnly, createHostDir: true };
  if (src && !VOLUME_NAME_RE.test(src)) {
    throw invalidArgument(`"${src}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
  }
  return { type: 'volume', source: src, target, readOnly };
}

/** `--mount type=bind|volume|tmpfs,source=..,target=..[,readonly][,tmpfs-size=..][,tmpfs-mode=..]`. */
export function parseMountFlag(spec: string): MountRequest {
  const kv = new Map<string, string>();
  for (const field of spec.split(',')) {
    if (!field) continue;
    const i = field.indexOf('=');
    const k = (i < 0 ? field : field.slice(0, i)).trim().toLowerCase();
    const v = i < 0 ? '' : field.slice(i + 1);
    if (kv.has(k)) throw invalidArgument(`invalid --mount "${spec}": "${k}" given twice`);
    kv.set(k, i < 0 && (k === 'readonly' || k === 'ro') ? 'true' : v);
  }
  const type = kv.get('type') ?? 'volume';
  const src = kv.get('source') ?? kv.get('src') ?? '';
  const dst = kv.get('target') ?? kv.get('destination') ?? kv.get('dst') ?? '';
  const ro = kv.get('readonly') ?? kv.get('ro') ?? 'false';
  if (ro !== 'true' && ro !== 'false' && ro !== '1' && ro !== '0') throw invalidArgument(`invalid --mount "${spec}": readonly must be true or false`);
  const readOnly = ro === 'true' || ro === '1';
  const known = new Set(['type', 'source', 'src', 'target', 'destination', 'dst', 'readonly', 'ro', 'tmpfs-size', 'tmpfs-mode', 'bind-propagation', 'volume-nocopy', 'consistency']);
  for (const k of kv.keys()) if (!known.has(k)) throw invalidArgument(`invalid --mount "${spec}": unknown option "${k}"`);
  if (!dst) throw invalidArgument(`invalid --mount "${spec}": target is required`);
  const target = validateTarget(dst, 'mount');
  if (type === 'bind') {
    if (!src) throw invalidArgument(`invalid --mount "${spec}": source is required for a bind mount`);
    if (!src.startsWith('/')) throw invalidArgument(`invalid --mount "${spec}": bind source must be an absolute path`);
    return { type: 'bind', source: path.normalize(src), target, readOnly, createHostDir: false };
  }
  if (type === 'volume') {
    if (src && !VOLUME_NAME_RE.test(src)) throw invalidArgument(`invalid --mount "${spec}": invalid volume name "${src}"`);
    return { type: 'volume', source: src, target, readOnly };
  }
  if (type === 'tmpfs') {
    if (src) throw invalidArgument(`invalid --mount "${spec}": a tmpfs mount has no source`);
    const opts: string[] = [];
    const size = kv.get('tmpfs-size');
    if (size !== undefined) {
      if (!/^\d+[kmg]?$/i.test(size)) throw invalidArgument(`invalid --mount "${spec}": invalid tmpfs-size "${size}"`);
      opts.push(`size=${size.toLowerCase()}`);
    }
    const mode = kv.get('tmpfs-mode');
    if (mode !== undefined) {
      if (!/^[0-7]{1,4}$/.test(mode)) throw invalidArgument(`invalid --mount "${spec}": invalid tmpfs-mode "${mode}"`);
      opts.push(`mode=${mode}`);
    }
    if (readOnly) opts.push('ro');
    return { type: 'tmpfs', source: '', target, readOnly, tmpfsOptions: opts.join(',') };
  }
  throw invalidArgument(`invalid --mount "${spec}": unknown type "${type}" (use bind, volume or tmpfs)`);
}

const TMPFS_OPT_RE = /^(ro|rw|exec|noexec|suid|nosuid|dev|nodev|size=\d{1,15}[kmgKMG%]?|mode=[0-7]{1,4})$/;

/** `--tmpfs /path[:opts]`, opts as for mount(8): size=64m,mode=1777,exec,... */
export function parseTmpfsFlag(spec: string): MountRequest {
  const i = spec.indexOf(':');
  const dst = i < 0 ? spec : spec.slice(0, i);
  const opts = i < 0 ? '' : spec.slice(i + 1);
  const list = opts ? opts.split(',') : [];
  for (const o of list) {
    if (!TMPFS_OPT_RE.test(o)) throw invalidArgument(`invalid --tmpfs "${spec}": unsupported option "${o}" (use size=, mode=, ro, rw, exec, noexec, suid, nosuid, dev, nodev)`);
  }
  return { type: 'tmpfs', source: '', target: validateTarget(dst, 'tmpfs'), readOnly: list.includes('ro'), tmpfsOptions: list.join(',') };
}

/** Refuses two mounts on one target (Docker: "Duplicate mount point"). */
export function checkDuplicateTargets(ms: MountRequest[]): void {
  const seen = new Set<string>();
  for (const m of ms) {
    if (seen.has(m.target)) throw invalidArgument(`Duplicate mount point: ${m.target}`);
    seen.add(m.target);
  }
}
