/**
 * Container logs in Docker's json-file format: one JSON object per line,
 * {"log":"text\n","stream":"stdout","time":"2026-11-28T13:45:20.123456789Z"}, so tools that read
 * Docker's log files read ours. Output is split into lines; a partial line is held until its newline,
 * until 16 KiB accumulate (as Docker does), or until the stream ends.
 *
 * With Docker's json-file options (--log-opt max-size=10m --log-opt max-file=3) the writer rotates:
 * when the next lines would take <id>-json.log past max-size, it becomes <id>-json.log.1, .1
 * becomes .2, and so on; the oldest beyond max-file is deleted. The reader reads rotated files
 * oldest first, and a follower moves on to the new file when the one it reads is rotated away.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { setTimeout as sleep } from 'node:timers/promises';
import { invalidArgument } from '../errors.js';

export type StreamName = 'stdout' | 'stderr';

export interface LogEntry {
  stream: StreamName;
  log: string;
  time: string;
}

const PARTIAL_MAX = 16 * 1024;

/** RFC 3339 with nanoseconds (Date has milliseconds; the rest comes from the monotonic clock). */
export function nowRfc3339Nano(): string {
  const d = new Date();
  const iso = d.toISOString(); // 2026-11-28T13:45:20.123Z
  const sub = (process.hrtime.bigint() % 1000000n).toString().padStart(6, '0');
  return iso.slice(0, 23) + sub + 'Z';
}

/** Docker's json-file rotation options. */
export interface LogRotation {
  maxSize: number; // bytes; 0: never rotate
  maxFiles: number; // files kept, the live one included (>= 1)
}

export const NO_ROTATION: LogRotation = { maxSize: 0, maxFiles: 1 };

/** Validates --log-opt for the json-file driver, with Docker's messages. */
export function parseLogOptions(opts: Record<string, string> | undefined): LogRotation {
  const out = { ...NO_ROTATION };
  let maxFileSet = false;
  for (const [k, v] of Object.entries(opts ?? {})) {
    if (k === 'max-size') {
      const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)b?$/i.exec(v.trim());
      if (!m) throw invalidArgument(`invalid value for max-size: ${v} (use a size like 10m)`);
      const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
      out.maxSize = Math.floor(parseFloat(m[1]!) * mult);
      if (out.maxSize <= 0) out.maxSize = 0;
    } else if (k === 'max-file') {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw invalidArgument('max-file cannot be less than 1');
      out.maxFiles = n;
      maxFileSet = true;
    } else if (k === 'compress' || k === 'labels' || k === 'env' || k === 'env-regex' || k === 'tag') {
      // accepted by Docker's json-file driver; kctl does not act on them
    } else {
      throw invalidArgument(`unknown log opt '${k}' for json-file log driver`);
    }
  }
  if (maxFileSet && out.maxFiles > 1 && out.maxSize === 0) throw invalidArgument('max-file cannot be set without max-size');
  return out;
}

/** The rotated files of a log, oldest first (<file>.N ... <file>.1), that exist. */
export async function rotatedLogFiles(file: string): Promise<string[]> {
  const dir = path.dirname(file);
  const base = path.basename(file);
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return [];
  }
  return names
    .map((n) => (n.startsWith(`${base}.`) ? Number(n.slice(base.length + 1)) : NaN))
    .filter((n) => Number.isInteger(n) && n > 0)
    .sort((a, b) => b - a)
    .map((n) => `${file}.${n}`);
}

export class JsonFileLogWriter {
  private fd: number;
  private size: number;
  private partial: Record<StreamName, string> = { stdout: '', stderr: '' };
  private decoders: Record<StreamName, StringDecoder> = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };

  constructor(readonly file: string, private readonly rotation: LogRotation = NO_ROTATION) {
    this.fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o600);
    this.size = fs.fstatSync(this.fd).size;
  }

  /** Appends JSON lines; with max-size, rotates between lines so no file passes it (unless one line does). */
  private append(lines: string): void {
    if (this.rotation.maxSize <= 0) {
      fs.writeSync(this.fd, lines);
      this.size += Buffer.byteLength(lines);
      return;
    }
    let chunk = '';
    let chunkBytes = 0;
    for (const l of lines.split(/(?<=\n)/)) {
      const n = Buffer.byteLength(l);
      if (this.size + chunkBytes > 0 && this.size + chunkBytes + n > this.rotation.maxSize) {
        if (chunk) fs.writeSync(this.fd, chunk);
        this.size += chunkBytes;
        chunk = '';
        chunkBytes = 0;
        this.rotate();
      }
      chunk += l;
      chunkBytes += n;
    }
    if (chunk) fs.writeSync(this.fd, chunk);
    this.size += chunkBytes;
  }

  /** <file> -> <file>.1 -> ... -> <file>.(maxFiles-1); the oldest is dropped. maxFiles 1 truncates. */
  private rotate(): void {
    fs.closeSync(this.fd);
    const keep = this.rotation.maxFiles - 1;
    if (keep < 1) {
      fs.truncateSync(this.file, 0);
    } else {
      fs.rmSync(`${this.file}.${keep}`, { force: true });
      for (let i = keep - 1; i >= 1; i--) {
        try { fs.renameSync(`${this.file}.${i}`, `${this.file}.${i + 1}`); } catch (err) { if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; }
      }
      fs.renameSync(this.file, `${this.file}.1`);
    }
    this.fd = fs.openSync(this.file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o600);
    this.size = 0;
  }

  write(stream: StreamName, data: Buffer): void {
    let text = this.partial[stream] + this.decoders[stream].write(data);
    let lines = '';
    let nl: number;
    while ((nl = text.indexOf('\n')) >= 0) {
      lines += this.line(stream, text.slice(0, nl + 1));
      text = text.slice(nl + 1);
    }
    while (text.length >= PARTIAL_MAX) {
      lines += this.line(stream, text.slice(0, PARTIAL_MAX));
      text = text.slice(PARTIAL_MAX);
    }
    this.partial[stream] = text;
    if (lines) this.append(lines);
  }

  /** Writes out held partial lines (the stream ended). */
  flush(): void {
    let lines = '';
    for (const s of ['stdout', 'stderr'] as const) {
      const rest = this.partial[s] + this.decoders[s].end();
      if (rest) lines += this.line(s, rest);
      this.partial[s] = '';
    }
    if (lines) this.append(lines);
  }

  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }

  private line(stream: StreamName, log: string): string {
    return JSON.stringify({ log, stream, time: nowRfc3339Nano() }) + '\n';
  }
}

/** Docker's --since/--until: RFC 3339 timestamps, unix seconds (with fraction), or durations (10m, 1h30m). */
export function parseLogTime(value: string, now = Date.now()): number {
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(parseFloat(v) * 1000);
  const dur = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(v);
  if (dur && v !== '') {
    const ms = (parseFloat(dur[1] ?? '0') * 3600 + parseFloat(dur[2] ?? '0') * 60 + parseFloat(dur[3] ?? '0')) * 1000;
    return now - ms;
  }
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw invalidArgument(`invalid value for "since"/"until": ${value} (use RFC 3339, unix seconds or a duration like 10m)`);
  return t;
}

export interface ReadLogsOptions {
  stdout: boolean;
  stderr: boolean;
  since?: number; // ms
  until?: number; // ms
  tail?: number; // last N lines; undefined: all
  follow: boolean;
  /** While following: is the container still producing output? */
  isLive?: () => boolean;
  signal?: AbortSignal;
  pollMs?: number;
}

function entryTime(e: LogEntry): number {
  return Date.parse(e.time);
}

function parseLine(line: string): LogEntry | undefined {
  try {
    const e = JSON.parse(line) as LogEntry;
    if (typeof e.log !== 'string' || (e.stream !== 'stdout' && e.stream !== 'stderr')) return undefined;
    return e;
  } catch {
    return undefined; // a torn last line after a crash: skip it
  }
}

/** Reads a json-file log, optionally following it until the container stops producing output. */
export async function* readLogs(file: string, o: ReadLogsOptions): AsyncGenerator<LogEntry> {
  const want = (e: LogEntry) =>
    ((e.stream === 'stdout' && o.stdout) || (e.stream === 'stderr' && o.stderr)) &&
    (o.since === undefined || entryTime(e) >= o.since) &&
    (o.until === undefined || entryTime(e) <= o.until);

  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !o.follow) return;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    fh = await waitForFile(file, o);
  }
  try {
    let pos = 0;
    let rest = '';
    let decoder = new StringDecoder('utf8');
    const buf = Buffer.alloc(64 * 1024);
    let ino = (await fh.stat()).ino;
    // Rotated files, oldest first.
    const readWhole = async (f: string, out: LogEntry[]) => {
      for (const l of (await fsp.readFile(f, 'utf8').catch(() => '')).split('\n')) {
        const e = l && parseLine(l);
        if (e && want(e)) out.push(e);
      }
    };
    const older: LogEntry[] = [];
    // Only those older than the file we opened: if it was rotated meanwhile, newer ones follow it below.
    for (const f of await rotatedLogFiles(file)) {
      const st = await fsp.stat(f).catch(() => undefined);
      if (st?.ino === ino) break;
      if (st) await readWhole(f, older);
    }
    /** Reads what the file holds beyond `pos`, at most about `budget` bytes at a time (memory stays bounded). */
    const readSome = async (budget: number): Promise<{ entries: LogEntry[]; eof: boolean }> => {
      const out: LogEntry[] = [];
      let read = 0;
      for (;;) {
        if (read >= budget) return { entries: out, eof: false };
        const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
        if (bytesRead === 0) break;
        read += bytesRead;
        pos += bytesRead;
        const text = rest + decoder.write(buf.subarray(0, bytesRead));
        const lines = text.split('\n');
        rest = lines.pop() ?? '';
        for (const l of lines) {
          const e = l && parseLine(l);
          if (e && want(e)) out.push(e);
        }
      }
      return { entries: out, eof: true };
    };
    const BATCH = 1 << 20;
    const readAvailable = async (): Promise<LogEntry[]> => (await readSome(Infinity)).entries;

    /** After a rotation the path names a new file: finish the old one, then continue in the new. */
    const followRotation = async (): Promise<LogEntry[]> => {
      const cur = await fsp.stat(file).catch(() => undefined);
      if (!cur || cur.ino === ino) return [];
      const out = await readAvailable();
      // Files rotated after ours (several rotations between two polls) are read in full, in order.
      let after = false;
      for (const f of await rotatedLogFiles(file)) {
        const st = await fsp.stat(f).catch(() => undefined);
        if (!st) continue;
        if (after) await readWhole(f, out);
        else if (st.ino === ino) after = true;
      }
      const next = await fsp.open(file, 'r').catch(() => undefined);
      if (!next) return out;
      await fh.close();
      fh = next;
      ino = (await fh.stat()).ino;
      pos = 0;
      rest = '';
      decoder = new StringDecoder('utf8');
      out.push(...(await readAvailable()));
      return out;
    };

    if (o.tail !== undefined) {
      // Only the last `tail` entries are kept while reading, however long the log is.
      const n = o.tail;
      let ring: LogEntry[] = [];
      const keep = (es: LogEntry[]) => {
        if (n === 0) return;
        ring.push(...es);
        if (ring.length > 2 * n + 1024) ring = ring.slice(-n);
      };
      keep(older);
      for (;;) {
        const r = await readSome(BATCH);
        keep(r.entries);
        if (r.eof) break;
      }
      keep(await followRotation());
      for (const e of n === 0 ? [] : ring.slice(-n)) yield e;
    } else {
      yield* older;
      older.length = 0;
      for (;;) {
        const r = await readSome(BATCH);
        yield* r.entries;
        if (r.eof) break;
      }
      yield* await followRotation();
    }
    if (!o.follow) return;
    for (;;) {
      if (o.signal?.aborted) return;
      const live = o.isLive ? o.isLive() : false;
      const r = await readSome(BATCH);
      const more = r.eof ? [...r.entries, ...(await followRotation())] : r.entries;
      yield* more;
      if (!r.eof) continue;
      if (!live && more.length === 0) {
        // One more read after the container stopped: the writer may have flushed in between.
        for (const e of await readAvailable()) yield e;
        return;
      }
      if (o.until !== undefined && Date.now() > o.until) return;
      await sleep(o.pollMs ?? 100, undefined, { signal: o.signal }).catch(() => undefined);
    }
  } finally {
    await fh.close();
  }
}

async function waitForFile(file: string, o: ReadLogsOptions): Promise<fsp.FileHandle> {
  for (;;) {
    try {
      return await fsp.open(file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (o.signal?.aborted || (o.isLive && !o.isLive())) {
      // Nothing was ever written: an empty log.
      await fsp.writeFile(file, '', { flag: 'a', mode: 0o600 });
    }
    await sleep(o.pollMs ?? 100);
  }
}
