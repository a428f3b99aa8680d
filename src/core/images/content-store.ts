/**
 * The content store: verified blobs addressed by digest.
 *
 *   content/blobs/sha256/<hex>        committed blobs (immutable)
 *   content/ingest/<hex>/data         bytes received so far for a blob being downloaded
 *   content/ingest/<hex>/state.json   what the ingest expects (digest, size) and when it started
 *   content/ingest/<hex>/lock         held by the process writing this ingest (contains its pid)
 *
 * A blob appears under its digest only after every byte was streamed, counted, hashed and matched
 * the expectation; it is fsynced and renamed into place. An interrupted download keeps its bytes:
 * the next ingest of the same digest re-hashes them and asks the source for the rest. Concurrent
 * ingests of one digest in this process share one download; another process that holds the lock
 * is waited for (bounded).
 */
import fs from 'node:fs/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ContentStore, IngestExpectation } from './types.js';
import { DigestingStream, digestOf, sha256Hex } from './digest.js';
import { KctlError, deadlineExceeded, failedPrecondition, invalidArgument, notFound, resourceExhausted, toKctlError, unavailable } from '../errors.js';
import { fsyncDir, readJson, writeJsonAtomic } from '../util/fsx.js';

export interface FsContentStoreOptions {
  /** How long to wait for another process that is writing the same blob. */
  lockWaitMs?: number;
  /** Poll interval while waiting for another process's lock. */
  lockPollMs?: number;
}

interface IngestState {
  digest: string;
  size: number;
  startedAt: string;
}

export class FsContentStore implements ContentStore {
  private readonly inflight = new Map<string, Promise<void>>();
  private readonly lockWaitMs: number;
  private readonly lockPollMs: number;

  /** `dir` is the state root's content directory (RootLayout.contentDir). */
  constructor(readonly dir: string, o: FsContentStoreOptions = {}) {
    this.lockWaitMs = o.lockWaitMs ?? 10 * 60_000;
    this.lockPollMs = o.lockPollMs ?? 200;
  }

  private get blobsDir() { return path.join(this.dir, 'blobs', 'sha256'); }
  private get ingestRoot() { return path.join(this.dir, 'ingest'); }
  private ingestDir(hex: string) { return path.join(this.ingestRoot, hex); }

  blobPath(digest: string): string {
    return path.join(this.blobsDir, sha256Hex(digest));
  }

  async has(digest: string): Promise<boolean> {
    try {
      return (await fs.stat(this.blobPath(digest))).isFile();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw toKctlError(err);
    }
  }

  async size(digest: string): Promise<number> {
    try {
      return (await fs.stat(this.blobPath(digest))).size;
    } catch (err) {
      throw this.missing(digest, err);
    }
  }

  async readBlob(digest: string, maxBytes: number): Promise<Buffer> {
    const p = this.blobPath(digest);
    let fh: fs.FileHandle;
    try {
      fh = await fs.open(p, 'r');
    } catch (err) {
      throw this.missing(digest, err);
    }
    try {
      const { size } = await fh.stat();
      if (size > maxBytes) throw resourceExhausted(`blob ${digest} is ${size} bytes, more than the ${maxBytes} allowed here`);
      const buf = Buffer.alloc(size);
      let off = 0;
      while (off < size) {
        const { bytesRead } = await fh.read(buf, off, size - off, off);
        if (bytesRead === 0) break;
        off += bytesRead;
      }
      return buf.subarray(0, off);
    } finally {
      await fh.close();
    }
  }

  openBlob(digest: string, o: { chunkBytes?: number } = {}): Readable {
    return createReadStream(this.blobPath(digest), o.chunkBytes ? { highWaterMark: o.chunkBytes } : {});
  }

  async list(): Promise<string[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.blobsDir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw toKctlError(err);
    }
    return names.filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}`).sort();
  }

  async delete(digest: string): Promise<void> {
    try {
      await fs.unlink(this.blobPath(digest));
    } catch (err) {
      throw this.missing(digest, err);
    }
  }

  async putBuffer(data: Uint8Array, expect?: IngestExpectation): Promise<string> {
    const actual = digestOf(data);
    if (expect) {
      sha256Hex(expect.digest);
      if (expect.size >= 0 && expect.size !== data.length) {
        throw failedPrecondition(`size mismatch for ${expect.digest}: expected ${expect.size} bytes, got ${data.length}`);
      }
      if (actual !== expect.digest) throw failedPrecondition(`digest mismatch: expected ${expect.digest}, got ${actual}`);
    }
    await this.ingest({ digest: actual, size: data.length }, async () => Readable.from([Buffer.from(data)]));
    return actual;
  }

  ingest(expect: IngestExpectation, open: (offset: number) => Promise<Readable>, onProgress?: (done: number) => void): Promise<void> {
    let hex: string;
    try {
      hex = sha256Hex(expect.digest);
      if (!Number.isSafeInteger(expect.size) || expect.size < -1) throw invalidArgument(`invalid size ${expect.size} for ${expect.digest}`);
    } catch (err) {
      return Promise.reject(err);
    }
    const running = this.inflight.get(hex);
    if (running) return running;
    const p = this.ingestOnce(hex, expect, open, onProgress).finally(() => this.inflight.delete(hex));
    this.inflight.set(hex, p);
    return p;
  }

  private async ingestOnce(hex: string, expect: IngestExpectation, open: (offset: number) => Promise<Readable>, onProgress?: (done: number) => void): Promise<void> {
    const final = path.join(this.blobsDir, hex);
    if (await this.has(expect.digest)) return;
    await fs.mkdir(this.blobsDir, { recursive: true });
    await fs.mkdir(this.ingestRoot, { recursive: true });
    const dir = this.ingestDir(hex);
    const release = await this.lock(hex, expect.digest);
    try {
      // Another process may have committed it while we waited for the lock.
      if (await this.has(expect.digest)) return;
      await fs.mkdir(dir, { recursive: true });
      const dataPath = path.join(dir, 'data');
      const statePath = path.join(dir, 'state.json');
      const state = await readJson<IngestState>(statePath).catch(() => undefined);
      if (!state || state.digest !== expect.digest || (expect.size >= 0 && state.size >= 0 && state.size !== expect.size)) {
        await fs.rm(dataPath, { force: true });
        await writeJsonAtomic(statePath, { digest: expect.digest, size: expect.size, startedAt: new Date().toISOString() } satisfies IngestState);
      }

      // Re-hash what an earlier attempt left, so the final digest covers every byte.
      const hash = createHash('sha256');
      let offset = 0;
      try {
        const st = await fs.stat(dataPath);
        offset = st.size;
        if (expect.size >= 0 && offset > expect.size) {
          await fs.truncate(dataPath, 0);
          offset = 0;
        } else if (offset > 0) {
          for await (const chunk of createReadStream(dataPath)) hash.update(chunk as Buffer);
        }
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }

      if (expect.size < 0 || offset < expect.size) {
        const src = await open(offset);
        const counter = new DigestingStream({ hash, initialBytes: offset, maxBytes: expect.size >= 0 ? expect.size : undefined });
        if (onProgress) {
          onProgress(offset);
          counter.on('data', () => onProgress(counter.bytes));
        }
        const out = createWriteStream(dataPath, { flags: 'a' });
        try {
          await pipeline(src, counter, out);
        } catch (err) {
          // Keep the received prefix for a later resume, unless it can never be right, or the disk is
          // full: then the partial data only keeps everything else from being written.
          const code = (err as NodeJS.ErrnoException).code;
          if ((err instanceof KctlError && err.kind === 'failed_precondition') || code === 'ENOSPC' || code === 'EDQUOT') {
            await fs.rm(dir, { recursive: true, force: true });
          }
          throw err instanceof KctlError ? err : toKctlError(err);
        }
        offset = counter.bytes;
      }

      const actual = `sha256:${hash.digest('hex')}`;
      if (expect.size >= 0 && offset !== expect.size) {
        throw unavailable(`short content for ${expect.digest}: got ${offset} of ${expect.size} bytes`, { hint: "the download ended early; pull again to resume" });
      }
      if (actual !== expect.digest) {
        await fs.rm(dir, { recursive: true, force: true });
        throw failedPrecondition(`digest mismatch: expected ${expect.digest}, got ${actual}`, { hint: 'the registry sent corrupted or tampered content; nothing was stored' });
      }
      const fh = await fs.open(dataPath, 'r+');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fs.chmod(dataPath, 0o444);
      await fs.rename(dataPath, final);
      await fsyncDir(this.blobsDir);
      await fs.rm(dir, { recursive: true, force: true });
    } catch (err) {
      throw toKctlError(err);
    } finally {
      await release();
    }
  }

  /**
   * Takes the cross-process ingest lock for one digest. A lock whose owner process is gone is
   * broken; a live owner is waited for, up to lockWaitMs.
   */
  private async lock(hex: string, digest: string): Promise<() => Promise<void>> {
    const lockPath = path.join(this.ingestRoot, `${hex}.lock`);
    const deadline = Date.now() + this.lockWaitMs;
    for (;;) {
      try {
        const fh = await fs.open(lockPath, 'wx', 0o600);
        await fh.writeFile(String(process.pid));
        await fh.close();
        return async () => { await fs.rm(lockPath, { force: true }); };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw toKctlError(err);
      }
      const owner = Number.parseInt(await fs.readFile(lockPath, 'utf8').catch(() => ''), 10);
      if (!Number.isInteger(owner) || owner <= 0) {
        // The owner may be writing its pid right now; an empty lock that stays empty is stale.
        await sleep(this.lockPollMs);
        const again = Number.parseInt(await fs.readFile(lockPath, 'utf8').catch(() => 'gone'), 10);
        if (Number.isNaN(again)) await fs.rm(lockPath, { force: true });
        continue;
      }
      if (!processAlive(owner)) {
        await fs.rm(lockPath, { force: true });
        continue;
      }
      if (await this.has(digest)) return async () => {};
      if (Date.now() > deadline) {
        throw deadlineExceeded(`another process (pid ${owner}) is still writing ${digest}`, { hint: `wait for it to finish, or remove ${lockPath} if that process is not kctl` });
      }
      await sleep(this.lockPollMs);
    }
  }

  /** Removes ingests (partial downloads) not touched for `olderThanMs` and not locked by a live process. */
  async cleanupIngests(olderThanMs: number): Promise<string[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.ingestRoot);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw toKctlError(err);
    }
    const removed: string[] = [];
    const now = Date.now();
    for (const name of names) {
      if (!/^[a-f0-9]{64}$/.test(name)) continue;
      if (this.inflight.has(name)) continue;
      const lockPath = path.join(this.ingestRoot, `${name}.lock`);
      const owner = Number.parseInt(await fs.readFile(lockPath, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(owner) && owner > 0 && processAlive(owner)) continue;
      const dir = this.ingestDir(name);
      let newest = 0;
      for (const f of ['data', 'state.json', '.']) {
        const st = await fs.stat(path.join(dir, f)).catch(() => undefined);
        if (st) newest = Math.max(newest, st.mtimeMs);
      }
      if (now - newest < olderThanMs) continue;
      await fs.rm(dir, { recursive: true, force: true });
      await fs.rm(lockPath, { force: true });
      removed.push(`sha256:${name}`);
    }
    return removed;
  }

  /** Bytes kept by an interrupted ingest of `digest` (0 when none). */
  async ingestedBytes(digest: string): Promise<number> {
    const st = await fs.stat(path.join(this.ingestDir(sha256Hex(digest)), 'data')).catch(() => undefined);
    return st?.size ?? 0;
  }

  private missing(digest: string, err: unknown): KctlError {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return notFound(`content ${digest} not found`);
    return toKctlError(err);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
