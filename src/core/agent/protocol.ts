/**
 * The kctl guest-agent wire protocol (guest/agent/PROTOCOL.md): frames, TLV records, and an incremental
 * decoder with the same bounds the agent enforces. Everything decoded here came from the guest and is
 * hostile: every length is checked before it is used, and a malformed stream raises a KctlError of kind
 * 'unavailable' whose message starts with "guest agent protocol error".
 */
import { KctlError } from '../errors.js';

export const PROTOCOL_VERSION = 1;
export const HEADER_BYTES = 9; // u32 length, u8 type, u32 id
export const MAX_PAYLOAD = 1024 * 1024;
export const MAX_ARGS = 1024;
export const MAX_ENV = 1024;
export const MAX_STR = 65536;
export const MAX_PATH = 4096;
export const MAX_USER = 256;
export const MAX_HOSTNAME = 64;
export const MAX_TAG = 36;
export const MAX_PING = 64;
export const MAX_MESSAGE = 1024;
export const MAX_FACTS = 64;
/** Per-process output window (bytes the agent may have queued or sent but not yet credited). */
export const OUTPUT_WINDOW = 256 * 1024;
/** Per-process stdin window (bytes the host may have sent but the agent not yet credited). */
export const STDIN_WINDOW = 256 * 1024;

export const MsgType = {
  HELLO: 1,
  HELLO_ACK: 2,
  START: 3,
  EXEC: 4,
  STARTED: 5,
  START_FAILED: 6,
  STDIN: 7,
  STDIN_CLOSE: 8,
  STDOUT: 9,
  STDERR: 10,
  CREDIT: 11,
  SIGNAL: 12,
  RESIZE: 13,
  EXIT: 14,
  EXIT_ACK: 15,
  PROC_STATE: 16,
  SHUTDOWN: 17,
  PING: 18,
  PONG: 19,
  ERROR: 20,
  QUERY: 21,
  QUERY_REPLY: 22,
  UPDATE_FILE: 23,
} as const;

/** QUERY kinds (PROTOCOL.md): the guest's /proc counters, and the container's processes. */
export const QueryKind = { STATS: 1, PROCS: 2 } as const;
export type MsgTypeCode = (typeof MsgType)[keyof typeof MsgType];

export const Tag = {
  ARG: 1,
  ENV: 2,
  CWD: 3,
  USER: 4,
  HOSTNAME: 5,
  TTY: 6,
  STDIN: 7,
  ROWS: 8,
  COLS: 9,
  ROOTFS_TAG: 10,
  READONLY_ROOTFS: 11,
  CAPS: 12,
  NET: 13,
  NET_DENY: 14,
  MOUNT: 15,
  FILE: 16,
  INIT: 17,
  NET_IF: 18,
  ROOTFS_SUBDIR: 24,
  AGENT_VERSION: 0x100,
  KERNEL_RELEASE: 0x101,
  VCPUS: 0x102,
  MEM_KIB: 0x103,
  BOOT_MS: 0x104,
  PROCS: 0x105,
} as const;

export const FailKind = { NOT_FOUND: 1, CANNOT_INVOKE: 2, INVALID: 3, FAILED: 4, NOT_RUNNING: 5 } as const;

export interface Frame {
  type: number;
  id: number;
  payload: Buffer;
}

export function protocolError(msg: string): KctlError {
  return new KctlError('unavailable', `guest agent protocol error: ${msg}`, {
    hint: 'the VM sent a malformed message; remove the container and retry (`kctl rm -f`)',
  });
}

export function encodeFrame(type: number, id: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  if (payload.length > MAX_PAYLOAD) throw new KctlError('invalid_argument', `agent message of ${payload.length} bytes exceeds the 1 MiB frame limit`);
  if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) throw new KctlError('internal', `invalid agent process id ${id}`);
  const out = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  out.writeUInt32BE(payload.length + HEADER_BYTES - 4, 0);
  out.writeUInt8(type, 4);
  out.writeUInt32BE(id, 5);
  payload.copy(out, HEADER_BYTES);
  return out;
}

/**
 * Incremental decoder. It holds at most one partial frame (header + 1 MiB) and never allocates more
 * than the declared frame length, which is bounded before any allocation.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private failed = false;

  /** Feeds bytes; returns the frames completed. Throws a KctlError on a malformed stream, then stays failed. */
  push(data: Buffer): Frame[] {
    if (this.failed) throw protocolError('stream already failed');
    if (data.length === 0) return [];
    this.chunks.push(data);
    this.buffered += data.length;
    const frames: Frame[] = [];
    for (;;) {
      if (this.buffered < 4) break;
      const head = this.peek(4);
      const len = head.readUInt32BE(0);
      if (len < HEADER_BYTES - 4 || len > HEADER_BYTES - 4 + MAX_PAYLOAD) {
        this.failed = true;
        this.chunks = [];
        this.buffered = 0;
        throw protocolError(`frame length ${len} out of bounds`);
      }
      if (this.buffered < 4 + len) break;
      const whole = this.take(4 + len);
      frames.push({ type: whole.readUInt8(4), id: whole.readUInt32BE(5), payload: whole.subarray(HEADER_BYTES) });
    }
    return frames;
  }

  /** Bytes held for an incomplete frame. */
  get pending(): number {
    return this.buffered;
  }

  private peek(n: number): Buffer {
    if (this.chunks[0]!.length >= n) return this.chunks[0]!;
    return Buffer.concat(this.chunks).subarray(0, n);
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const out = Buffer.from(all.subarray(0, n));
    const rest = all.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.buffered = rest.length;
    return out;
  }
}

// ---- TLV records ----

export interface Record {
  tag: number;
  value: Buffer;
}

export function encodeRecords(records: Record[]): Buffer {
  const parts: Buffer[] = [];
  for (const r of records) {
    const h = Buffer.allocUnsafe(6);
    h.writeUInt16BE(r.tag, 0);
    h.writeUInt32BE(r.value.length, 2);
    parts.push(h, r.value);
  }
  return Buffer.concat(parts);
}

export function decodeRecords(buf: Buffer, maxRecords: number): Record[] {
  const out: Record[] = [];
  let pos = 0;
  while (pos < buf.length) {
    if (buf.length - pos < 6) throw protocolError(`truncated record header at offset ${pos}`);
    if (out.length >= maxRecords) throw protocolError(`more than ${maxRecords} records`);
    const tag = buf.readUInt16BE(pos);
    const len = buf.readUInt32BE(pos + 2);
    pos += 6;
    if (len > buf.length - pos) throw protocolError(`record ${tag} length ${len} exceeds the frame`);
    out.push({ tag, value: buf.subarray(pos, pos + len) });
    pos += len;
  }
  return out;
}

const str = (tag: number, s: string): Record => ({ tag, value: Buffer.from(s, 'utf8') });
const u8 = (tag: number, v: boolean): Record => ({ tag, value: Buffer.from([v ? 1 : 0]) });
const u16 = (tag: number, v: number): Record => {
  const b = Buffer.allocUnsafe(2);
  b.writeUInt16BE(v, 0);
  return { tag, value: b };
};

export interface ProcessSpec {
  args: string[];
  env: string[];
  cwd: string;
  user: string;
  tty: boolean;
  stdin: boolean;
  rows?: number;
  cols?: number;
  /** Capability bounding set as a bit mask (bit n = capability n); Docker's default set when absent. */
  capabilities?: bigint;
}

/** Docker's default capability set (CapBnd 00000000a80425fb). */
export const DEFAULT_CAPABILITIES = 0xa80425fbn;

/** A mount the agent places in the container root before it starts (PROTOCOL.md, MOUNT). */
export type GuestMount =
  | { type: 'share'; tag: string; readOnly: boolean; target: string }
  | { type: 'tmpfs'; options: string; target: string };

export interface ContainerSpec extends ProcessSpec {
  hostname: string;
  rootfsTag: string;
  /** The container root is this directory of the rootfs share (a VM booted before its container, from the pool). */
  rootfsSubdir?: string;
  readonlyRootfs?: boolean;
  /** --init: a minimal init is the container's PID 1 and runs the command as its child. */
  init?: boolean;
  /** eth0: "a.b.c.d/prefix" and the default gateway; absent: only lo. */
  net?: { address: string; gateway: string };
  /** IPv4 hosts the container must not reach (unreachable routes in the guest). */
  netDeny?: string[];
  /** NICs on user-defined networks, found by MAC in the guest: "a.b.c.d/prefix", no gateway. */
  netIfs?: { mac: string; address: string }[];
  /** Applied in order: parents before children. */
  mounts?: GuestMount[];
  /** Files bind-mounted over the image's (/etc/hosts, /etc/hostname, /etc/resolv.conf). */
  files?: { target: string; content: string }[];
}

export const MAX_MOUNTS = 64;
export const MAX_FILES = 8;
export const MAX_DENY = 16;
export const MAX_NETIFS = 8;

export const MAX_SUBDIR = 64;

/** ROOTFS_SUBDIR (PROTOCOL.md): one path component of [A-Za-z0-9._-], not "." or "..". */
export function validRootfsSubdir(d: string): boolean {
  return d.length <= MAX_SUBDIR && /^[A-Za-z0-9._-]+$/.test(d) && d !== '.' && d !== '..';
}

function checkString(what: string, s: string, max: number): void {
  if (s.includes('\0')) throw new KctlError('invalid_argument', `${what} contains a NUL byte`);
  if (Buffer.byteLength(s, 'utf8') > max) throw new KctlError('invalid_argument', `${what} is longer than ${max} bytes`);
}

/** Encodes a START (container) or EXEC (process) spec, validating it against the agent's bounds. */
export function encodeSpec(spec: ProcessSpec | ContainerSpec, isStart: boolean): Buffer {
  const bad = (m: string) => new KctlError('invalid_argument', m);
  if (spec.args.length === 0 || spec.args[0] === '') throw bad('no command given: specify a command or set an image entrypoint');
  if (spec.args.length > MAX_ARGS) throw bad(`more than ${MAX_ARGS} command arguments`);
  if (spec.env.length > MAX_ENV) throw bad(`more than ${MAX_ENV} environment variables`);
  const recs: Record[] = [];
  for (const a of spec.args) {
    checkString('command argument', a, MAX_STR);
    recs.push(str(Tag.ARG, a));
  }
  for (const e of spec.env) {
    checkString('environment variable', e, MAX_STR);
    if (e.indexOf('=') <= 0) throw bad(`environment entry "${e.slice(0, 40)}" is not NAME=value`);
    recs.push(str(Tag.ENV, e));
  }
  const cwd = spec.cwd || '/';
  if (!cwd.startsWith('/')) throw bad(`working directory "${cwd}" must be an absolute path`);
  checkString('working directory', cwd, MAX_PATH);
  recs.push(str(Tag.CWD, cwd));
  if (spec.user) {
    checkString('user', spec.user, MAX_USER);
    recs.push(str(Tag.USER, spec.user));
  }
  recs.push(u8(Tag.TTY, spec.tty), u8(Tag.STDIN, spec.stdin));
  for (const [tag, v, name] of [[Tag.ROWS, spec.rows, 'rows'], [Tag.COLS, spec.cols, 'cols']] as const) {
    if (v === undefined) continue;
    if (!Number.isInteger(v) || v < 1 || v > 0xffff) throw bad(`terminal ${name} must be between 1 and 65535`);
    recs.push(u16(tag, v));
  }
  if (spec.capabilities !== undefined) {
    if (spec.capabilities < 0n || spec.capabilities > 0xffffffffffffffffn) throw bad('capability mask out of range');
    const b = Buffer.allocUnsafe(8);
    b.writeBigUInt64BE(spec.capabilities, 0);
    recs.push({ tag: Tag.CAPS, value: b });
  }
  if (isStart) {
    const c = spec as ContainerSpec;
    if (c.hostname) {
      checkString('hostname', c.hostname, MAX_HOSTNAME);
      if (!/^[\x21-\x7e]+$/.test(c.hostname) || c.hostname.includes('/')) throw bad(`invalid hostname "${c.hostname}"`);
      recs.push(str(Tag.HOSTNAME, c.hostname));
    }
    if (!c.rootfsTag) throw bad('missing virtio-fs tag for the container root');
    checkString('rootfs tag', c.rootfsTag, MAX_TAG);
    recs.push(str(Tag.ROOTFS_TAG, c.rootfsTag));
    if (c.rootfsSubdir !== undefined) {
      if (!validRootfsSubdir(c.rootfsSubdir)) throw bad(`invalid rootfs subdirectory ${JSON.stringify(c.rootfsSubdir)}: one path component of [A-Za-z0-9._-], not . or ..`);
      recs.push(str(Tag.ROOTFS_SUBDIR, c.rootfsSubdir));
    }
    if (c.readonlyRootfs !== undefined) recs.push(u8(Tag.READONLY_ROOTFS, c.readonlyRootfs));
    if (c.init) recs.push(u8(Tag.INIT, true));
    if (c.net) recs.push(str(Tag.NET, `${c.net.address} ${c.net.gateway}`));
    if ((c.netDeny?.length ?? 0) > MAX_DENY) throw bad(`more than ${MAX_DENY} denied hosts`);
    for (const d of c.netDeny ?? []) recs.push(str(Tag.NET_DENY, d));
    if ((c.netIfs?.length ?? 0) > MAX_NETIFS) throw bad(`more than ${MAX_NETIFS} network interfaces`);
    for (const n of c.netIfs ?? []) {
      if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(n.mac) || !/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(n.address)) throw bad(`invalid network interface ${n.mac} ${n.address}`);
      recs.push(str(Tag.NET_IF, `${n.mac} ${n.address}`));
    }
    if ((c.mounts?.length ?? 0) > MAX_MOUNTS) throw bad(`more than ${MAX_MOUNTS} mounts`);
    for (const m of c.mounts ?? []) {
      if (m.target.includes('\n')) throw bad(`mount target ${JSON.stringify(m.target)} contains a newline`);
      checkString('mount target', m.target, MAX_PATH);
      const v = m.type === 'share' ? `share\n${m.tag}\n${m.readOnly ? 'ro' : 'rw'}\n${m.target}` : `tmpfs\n\n${m.options}\n${m.target}`;
      recs.push(str(Tag.MOUNT, v));
    }
    if ((c.files?.length ?? 0) > MAX_FILES) throw bad(`more than ${MAX_FILES} files`);
    for (const f of c.files ?? []) {
      if (f.target.includes('\n')) throw bad(`file target ${JSON.stringify(f.target)} contains a newline`);
      const v = `${f.target}\n${f.content}`;
      checkString('file', v, MAX_STR);
      recs.push(str(Tag.FILE, v));
    }
  }
  const out = encodeRecords(recs);
  if (out.length > MAX_PAYLOAD) throw bad('the command line and environment exceed the 1 MiB limit');
  return out;
}

/** Decodes a spec (the inverse of encodeSpec, with the agent's checks); used by tests and tools. */
export function decodeSpec(buf: Buffer, isStart: boolean): ContainerSpec {
  const recs = decodeRecords(buf, MAX_ARGS + MAX_ENV + MAX_MOUNTS + MAX_FILES + MAX_DENY + MAX_NETIFS + 16);
  const spec: ContainerSpec = { args: [], env: [], cwd: '/', user: '', tty: false, stdin: false, hostname: '', rootfsTag: '' };
  const seen = new Set<number>();
  for (const r of recs) {
    if (r.tag !== Tag.ARG && r.tag !== Tag.ENV && r.tag !== Tag.NET_DENY && r.tag !== Tag.MOUNT && r.tag !== Tag.FILE && r.tag !== Tag.NET_IF) {
      if (seen.has(r.tag)) throw protocolError(`record ${r.tag} repeated`);
      seen.add(r.tag);
    }
    const s = () => {
      if (r.value.includes(0)) throw protocolError(`record ${r.tag} contains a NUL byte`);
      return r.value.toString('utf8');
    };
    const limit = (max: number) => {
      if (r.value.length > max) throw protocolError(`record ${r.tag} longer than ${max} bytes`);
    };
    const flag = () => {
      if (r.value.length !== 1 || r.value[0]! > 1) throw protocolError(`record ${r.tag} must be one byte 0 or 1`);
      return r.value[0] === 1;
    };
    const n16 = () => {
      if (r.value.length !== 2 || r.value.readUInt16BE(0) === 0) throw protocolError(`record ${r.tag} must be a non-zero u16`);
      return r.value.readUInt16BE(0);
    };
    switch (r.tag) {
      case Tag.ARG: limit(MAX_STR); if (spec.args.length >= MAX_ARGS) throw protocolError('too many arguments'); spec.args.push(s()); break;
      case Tag.ENV: limit(MAX_STR); if (spec.env.length >= MAX_ENV) throw protocolError('too many environment entries'); spec.env.push(s()); break;
      case Tag.CWD: limit(MAX_PATH); spec.cwd = s(); break;
      case Tag.USER: limit(MAX_USER); spec.user = s(); break;
      case Tag.HOSTNAME: if (!isStart) throw protocolError('hostname only valid in START'); limit(MAX_HOSTNAME); spec.hostname = s(); break;
      case Tag.ROOTFS_TAG: if (!isStart) throw protocolError('rootfs tag only valid in START'); limit(MAX_TAG); spec.rootfsTag = s(); break;
      case Tag.ROOTFS_SUBDIR:
        if (!isStart) throw protocolError('rootfs subdirectory only valid in START');
        limit(MAX_SUBDIR);
        spec.rootfsSubdir = s();
        if (!validRootfsSubdir(spec.rootfsSubdir)) throw protocolError('invalid rootfs subdirectory');
        break;
      case Tag.READONLY_ROOTFS: if (!isStart) throw protocolError('readonly rootfs only valid in START'); spec.readonlyRootfs = flag(); break;
      case Tag.INIT: if (!isStart) throw protocolError('init only valid in START'); spec.init = flag(); break;
      case Tag.TTY: spec.tty = flag(); break;
      case Tag.STDIN: spec.stdin = flag(); break;
      case Tag.ROWS: spec.rows = n16(); break;
      case Tag.COLS: spec.cols = n16(); break;
      case Tag.NET_IF: {
        if (!isStart) throw protocolError(`record ${r.tag} only valid in START`);
        const [mac, address] = s().split(' ');
        (spec.netIfs ??= []).push({ mac: mac ?? '', address: address ?? '' });
        break;
      }
      case Tag.NET: case Tag.NET_DENY: case Tag.MOUNT: case Tag.FILE: {
        if (!isStart) throw protocolError(`record ${r.tag} only valid in START`);
        const v = s();
        if (r.tag === Tag.NET) {
          const [address, gateway] = v.split(' ');
          spec.net = { address: address ?? '', gateway: gateway ?? '' };
        } else if (r.tag === Tag.NET_DENY) (spec.netDeny ??= []).push(v);
        else if (r.tag === Tag.FILE) {
          const i = v.indexOf('\n');
          if (i < 0) throw protocolError('file record is not target, content');
          (spec.files ??= []).push({ target: v.slice(0, i), content: v.slice(i + 1) });
        } else {
          const f = v.split('\n');
          if (f.length !== 4) throw protocolError('mount record is not type, source, options, target');
          (spec.mounts ??= []).push(f[0] === 'share' ? { type: 'share', tag: f[1]!, readOnly: f[2] === 'ro', target: f[3]! } : { type: 'tmpfs', options: f[2]!, target: f[3]! });
        }
        break;
      }
      case Tag.CAPS:
        if (r.value.length !== 8) throw protocolError('capabilities must be a u64 mask');
        spec.capabilities = r.value.readBigUInt64BE(0);
        break;
      default: throw protocolError(`unknown record tag ${r.tag}`);
    }
  }
  if (spec.args.length === 0) throw protocolError('no command given');
  if (isStart && !spec.rootfsTag) throw protocolError('START without a rootfs tag');
  return spec;
}

// ---- guest -> host payloads ----

export interface GuestFacts {
  protocolVersion: number;
  agentVersion: string;
  kernelRelease: string;
  vcpus: number;
  memoryKiB: number;
  bootMs?: number;
}

export interface Hello {
  facts: GuestFacts;
  /** How many PROC_STATE frames follow this HELLO. */
  procs: number;
}

const FACT_STR_MAX = 256;

function readU64(b: Buffer): number {
  const v = b.readBigUInt64BE(0);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw protocolError('fact value out of range');
  return Number(v);
}

export function decodeHello(p: Buffer): Hello {
  if (p.length < 6 || p.subarray(0, 4).toString('latin1') !== 'KCTL') throw protocolError('HELLO without the KCTL magic');
  const facts: GuestFacts = { protocolVersion: p.readUInt16BE(4), agentVersion: '', kernelRelease: '', vcpus: 0, memoryKiB: 0 };
  let procs = 0;
  // Unknown fact tags are ignored: newer agents may report more facts within the same version.
  for (const r of decodeRecords(p.subarray(6), MAX_FACTS)) {
    const text = () => {
      if (r.value.length > FACT_STR_MAX || r.value.includes(0)) throw protocolError(`fact ${r.tag} is not a short string`);
      return r.value.toString('utf8');
    };
    const num = (w: 4 | 8) => {
      if (r.value.length !== w) throw protocolError(`fact ${r.tag} must be ${w} bytes`);
      return w === 4 ? r.value.readUInt32BE(0) : readU64(r.value);
    };
    switch (r.tag) {
      case Tag.AGENT_VERSION: facts.agentVersion = text(); break;
      case Tag.KERNEL_RELEASE: facts.kernelRelease = text(); break;
      case Tag.VCPUS: facts.vcpus = num(4); break;
      case Tag.MEM_KIB: facts.memoryKiB = num(8); break;
      case Tag.BOOT_MS: facts.bootMs = num(8); break;
      case Tag.PROCS: procs = num(4); break;
    }
  }
  if (procs > 64) throw protocolError(`HELLO announces ${procs} processes (at most 64)`);
  return { facts, procs };
}

export function encodeHello(facts: GuestFacts, procs: number): Buffer {
  const head = Buffer.alloc(6);
  head.write('KCTL', 0, 'latin1');
  head.writeUInt16BE(facts.protocolVersion, 4);
  const u32 = (tag: number, v: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(v); return { tag, value: b }; };
  const u64 = (tag: number, v: number) => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(v)); return { tag, value: b }; };
  const recs: Record[] = [str(Tag.AGENT_VERSION, facts.agentVersion), str(Tag.KERNEL_RELEASE, facts.kernelRelease), u32(Tag.VCPUS, facts.vcpus), u64(Tag.MEM_KIB, facts.memoryKiB)];
  if (facts.bootMs !== undefined) recs.push(u64(Tag.BOOT_MS, facts.bootMs));
  recs.push(u32(Tag.PROCS, procs));
  return Buffer.concat([head, encodeRecords(recs)]);
}

export interface StartFailure {
  kind: number;
  errno: number;
  message: string;
}

function message(b: Buffer): string {
  // Control characters from the guest are replaced so they cannot rewrite the user's terminal.
  return b.subarray(0, MAX_MESSAGE).toString('utf8').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '?');
}

export function decodeStartFailed(p: Buffer): StartFailure {
  if (p.length < 5 || p.length > 5 + MAX_MESSAGE) throw protocolError('START_FAILED has a bad length');
  return { kind: p.readUInt8(0), errno: p.readUInt32BE(1), message: message(p.subarray(5)) };
}

export interface ExitStatus {
  code: number;
  signal: number;
}

export function decodeExit(p: Buffer): ExitStatus {
  if (p.length !== 8) throw protocolError('EXIT has a bad length');
  const code = p.readUInt32BE(0);
  const signal = p.readUInt32BE(4);
  if (code > 255 || signal > 64) throw protocolError(`EXIT status ${code}/${signal} out of range`);
  return { code, signal };
}

export interface ProcState {
  pid: number;
  exited: boolean;
  code: number;
  signal: number;
  stdinPending: number;
  tty: boolean;
}

export function decodeProcState(p: Buffer): ProcState {
  if (p.length !== 18) throw protocolError('PROC_STATE has a bad length');
  const state = p.readUInt8(4);
  if (state !== 1 && state !== 2) throw protocolError(`PROC_STATE state ${state} unknown`);
  const s: ProcState = {
    pid: p.readUInt32BE(0),
    exited: state === 2,
    code: p.readUInt32BE(5),
    signal: p.readUInt32BE(9),
    stdinPending: p.readUInt32BE(13),
    tty: p.readUInt8(17) === 1,
  };
  if (s.code > 255 || s.signal > 64 || s.stdinPending > STDIN_WINDOW) throw protocolError('PROC_STATE values out of range');
  return s;
}

export function decodeU32(p: Buffer, what: string): number {
  if (p.length !== 4) throw protocolError(`${what} has a bad length`);
  return p.readUInt32BE(0);
}

export function decodeError(p: Buffer): { fatal: boolean; message: string } {
  if (p.length < 1 || p.length > 1 + MAX_MESSAGE) throw protocolError('ERROR has a bad length');
  return { fatal: p.readUInt8(0) === 1, message: message(p.subarray(1)) };
}

export function u32(v: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(v >>> 0, 0);
  return b;
}

export function u16pair(a: number, b: number): Buffer {
  const out = Buffer.allocUnsafe(4);
  out.writeUInt16BE(a, 0);
  out.writeUInt16BE(b, 2);
  return out;
}

/** A QUERY_REPLY: u8 kind, u8 token length, the token, then the kind's body (PROTOCOL.md). */
export function decodeQueryReply(p: Buffer): { kind: number; token: string; body: Buffer } {
  if (p.length < 2 || p.length < 2 + p[1]!) throw protocolError('QUERY_REPLY shorter than its header');
  const n = p[1]!;
  if (n > MAX_PING) throw protocolError('QUERY_REPLY token too long');
  return { kind: p[0]!, token: p.subarray(2, 2 + n).toString('hex'), body: p.subarray(2 + n) };
}
