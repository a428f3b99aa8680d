import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { KctlError } from '../../../src/core/errors.js';
import { FsContentStore } from '../../../src/core/images/content-store.js';
import { digestOf } from '../../../src/core/images/digest.js';

async function tempStore(t: { after: (fn: () => Promise<void>) => void }, o = {}) {
  const dir = path.join(os.tmpdir(), `kctl-cs-${randomBytes(6).toString('hex')}`);
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  await fs.mkdir(dir);
  return { dir, store: new FsContentStore(path.join(dir, 'content'), o) };
}

const isKind = (kind: string) => (e: unknown) => e instanceof KctlError && e.kind === kind;

test('ingest verifies, then commits under the digest', async (t) => {
  const { dir, store } = await tempStore(t);
  const data = randomBytes(100_000);
  const digest = digestOf(data);
  let seen = 0;
  await store.ingest({ digest, size: data.length }, async (off) => Readable.from([data.subarray(off, 5000), data.subarray(5000)]), (n) => { seen = n; });
  assert.equal(seen, data.length);
  assert.ok(await store.has(digest));
  assert.deepEqual(await store.readBlob(digest, data.length), data);
  assert.equal(store.blobPath(digest), path.join(dir, 'content', 'blobs', 'sha256', digest.slice(7)));
  assert.deepEqual(await store.list(), [digest]);
  assert.deepEqual(await fs.readdir(path.join(dir, 'content', 'ingest')), []);
});

test('wrong content leaves nothing under the digest and discards the ingest', async (t) => {
  const { dir, store } = await tempStore(t);
  const data = randomBytes(1000);
  const other = randomBytes(1000);
  const digest = digestOf(data);
  await assert.rejects(store.ingest({ digest, size: 1000 }, async () => Readable.from([other])), (e: unknown) => isKind('failed_precondition')(e) && /digest mismatch/.test((e as Error).message));
  assert.equal(await store.has(digest), false);
  assert.deepEqual(await fs.readdir(path.join(dir, 'content', 'ingest')), []);
  // Too many bytes: refused as soon as they exceed the size.
  await assert.rejects(store.ingest({ digest, size: 1000 }, async () => Readable.from([data, data])), isKind('failed_precondition'));
  assert.equal(await store.has(digest), false);
});

test('an interrupted ingest resumes from its kept prefix', async (t) => {
  const { store } = await tempStore(t);
  const data = randomBytes(50_000);
  const digest = digestOf(data);
  const offsets: number[] = [];
  await assert.rejects(store.ingest({ digest, size: data.length }, async (off) => {
    offsets.push(off);
    // Sends 20000 bytes, then the connection breaks.
    let sent = false;
    return new Readable({
      read() {
        if (!sent) {
          sent = true;
          this.push(data.subarray(0, 20_000));
        } else {
          setTimeout(() => this.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })), 10);
        }
      },
    });
  }), isKind('unavailable'));
  assert.equal(await store.has(digest), false);
  assert.equal(await store.ingestedBytes(digest), 20_000);
  await store.ingest({ digest, size: data.length }, async (off) => {
    offsets.push(off);
    return Readable.from([data.subarray(off)]);
  });
  assert.deepEqual(offsets, [0, 20_000]);
  assert.deepEqual(await store.readBlob(digest, 1e6), data);
});

test('a corrupt kept prefix is caught by the final digest check', async (t) => {
  const { dir, store } = await tempStore(t);
  const data = randomBytes(4000);
  const digest = digestOf(data);
  await assert.rejects(store.ingest({ digest, size: 4000 }, async () => Readable.from([data.subarray(0, 1000)])), /short content/);
  const partial = path.join(dir, 'content', 'ingest', digest.slice(7), 'data');
  await fs.writeFile(partial, randomBytes(1000));
  await assert.rejects(store.ingest({ digest, size: 4000 }, async (off) => Readable.from([data.subarray(off)])), /digest mismatch/);
  await store.ingest({ digest, size: 4000 }, async (off) => Readable.from([data.subarray(off)]));
  assert.ok(await store.has(digest));
});

test('concurrent ingests of one digest download once', async (t) => {
  const { store } = await tempStore(t);
  const data = randomBytes(10_000);
  const digest = digestOf(data);
  let opens = 0;
  const open = async (off: number) => {
    opens++;
    await new Promise((r) => setTimeout(r, 20));
    return Readable.from([data.subarray(off)]);
  };
  await Promise.all([1, 2, 3, 4].map(() => store.ingest({ digest, size: data.length }, open)));
  assert.equal(opens, 1);
  assert.ok(await store.has(digest));
  // Already present: nothing is opened.
  await store.ingest({ digest, size: data.length }, open);
  assert.equal(opens, 1);
});

test('a lock held by a live process is waited for, a dead owner is broken', async (t) => {
  const { dir, store } = await tempStore(t, { lockWaitMs: 150, lockPollMs: 20 });
  const data = randomBytes(100);
  const digest = digestOf(data);
  const ingestDir = path.join(dir, 'content', 'ingest');
  await fs.mkdir(ingestDir, { recursive: true });
  const lock = path.join(ingestDir, `${digest.slice(7)}.lock`);
  await fs.writeFile(lock, String(process.ppid));
  await assert.rejects(store.ingest({ digest, size: 100 }, async () => Readable.from([data])), isKind('deadline_exceeded'));
  await fs.writeFile(lock, '2147483646'); // no such process
  await store.ingest({ digest, size: 100 }, async () => Readable.from([data]));
  assert.ok(await store.has(digest));
  await assert.rejects(fs.stat(lock), /ENOENT/);
});

test('size cap, malformed digests, delete, putBuffer', async (t) => {
  const { store } = await tempStore(t);
  const data = Buffer.from('{"a":1}');
  const d = await store.putBuffer(data, { digest: digestOf(data), size: data.length });
  assert.equal(d, digestOf(data));
  await assert.rejects(store.readBlob(d, data.length - 1), isKind('resource_exhausted'));
  await assert.rejects(store.putBuffer(data, { digest: digestOf('other'), size: data.length }), isKind('failed_precondition'));
  assert.throws(() => store.blobPath('sha256:../../etc/passwd'), isKind('invalid_argument'));
  await assert.rejects(store.ingest({ digest: 'sha256:../x', size: 1 }, async () => Readable.from([])), isKind('invalid_argument'));
  await assert.rejects(store.readBlob(digestOf('missing'), 10), isKind('not_found'));
  await store.delete(d);
  assert.equal(await store.has(d), false);
});

test('cleanupIngests removes stale partial downloads only', async (t) => {
  const { store } = await tempStore(t);
  const a = randomBytes(1000);
  const b = randomBytes(1000);
  for (const x of [a, b]) {
    await assert.rejects(store.ingest({ digest: digestOf(x), size: 1000 }, async () => Readable.from([x.subarray(0, 10)])), /short content/);
  }
  assert.deepEqual(await store.cleanupIngests(60_000), []);
  assert.deepEqual((await store.cleanupIngests(0)).sort(), [digestOf(a), digestOf(b)].sort());
  assert.equal(await store.ingestedBytes(digestOf(a)), 0);
});
