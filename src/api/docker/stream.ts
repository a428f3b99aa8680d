/**
 * Docker's stdio stream formats. With Tty=false, attach, logs and exec multiplex stdout and stderr
 * over one connection in frames: an 8-byte header [stream, 0, 0, 0, size as big-endian uint32]
 * then `size` bytes (stream 0 stdin, 1 stdout, 2 stderr). With Tty=true the bytes go raw.
 */
export type StdStream = 'stdin' | 'stdout' | 'stderr';

const IDS: Record<StdStream, number> = { stdin: 0, stdout: 1, stderr: 2 };
const NAMES: StdStream[] = ['stdin', 'stdout', 'stderr'];

export const MULTIPLEXED = 'application/vnd.docker.multiplexed-stream';
export const RAW = 'application/vnd.docker.raw-stream';

/** Frames larger than this are split (Docker's stdcopy reads up to 32 KiB at a time; any size is legal). */
const MAX_FRAME = 1 << 20;

export function frame(stream: StdStream, data: Buffer): Buffer {
  if (data.length <= MAX_FRAME) {
    const head = Buffer.alloc(8);
    head[0] = IDS[stream];
    head.writeUInt32BE(data.length, 4);
    return Buffer.concat([head, data]);
  }
  const parts: Buffer[] = [];
  for (let off = 0; off < data.length; off += MAX_FRAME) parts.push(frame(stream, data.subarray(off, off + MAX_FRAME)));
  return Buffer.concat(parts);
}

/** Content type for a container's or exec's stream (API >= 1.42 names the multiplexed one). */
export function streamContentType(tty: boolean, apiVersion: string): string {
  if (tty) return RAW;
  return compareVersions(apiVersion, '1.42') >= 0 ? MULTIPLEXED : RAW;
}

/** Incremental reader of multiplexed frames (what a Docker client's stdcopy does). */
export class Demuxer {
  private buf: Buffer = Buffer.alloc(0);

  /** Feeds bytes; returns the complete frames they finish. Throws on an invalid stream byte. */
  push(chunk: Buffer): Array<{ stream: StdStream; data: Buffer }> {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Array<{ stream: StdStream; data: Buffer }> = [];
    while (this.buf.length >= 8) {
      const id = this.buf[0];
      if (id > 2 || this.buf[1] || this.buf[2] || this.buf[3]) throw new Error(`invalid stream frame header: ${this.buf.subarray(0, 8).toString('hex')}`);
      const size = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + size) break;
      out.push({ stream: NAMES[id], data: Buffer.from(this.buf.subarray(8, 8 + size)) });
      this.buf = this.buf.subarray(8 + size);
    }
    return out;
  }

  /** Bytes of an unfinished frame. */
  get pending(): number {
    return this.buf.length;
  }
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}
