/**
 * unpackLayer: decompression (gzip, zstd, none), DiffID verification, the decompression-bomb
 * bound, error mapping and removal of the layer directory on every failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync, createGzip } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { unpackLayer, untarBinary, layerCompression } from '../../../src/core/images/unpack.js';
import { MediaTypes } from '../../../src/core/images/types.js';
import { isKctlError } from '../../../src/core/errors.js';
import { makeTar, sha256 } from '../../fixtures/hostile/tar.js';

const skip = process.getuid?.() !== 0 ? 'needs root' : !fs.existsSync(untarBinary()) ? 'build native/out/kctl-untar first: make -C native' : false;

function tmpDest(t: { after: (fn: () => void) => void }): string {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'kctl-unpack-'));
  t.after(() => fs.rmSync(base, { recursive: true, force: true }));
  const dest = path.join(base, 'layer');
  fs.mkdirSync(dest);
  return dest;
}

const sample = makeTar([
  { name: 'etc/', type: 'dir' },
  { name: 'etc/hostname', data: 'kctl\n' },
  { name: 'bin/sh', type: 'symlink', linkname: 'busybox' },
]);

test('layer media types map to their compression', () => {
  assert.equal(layerCompression(MediaTypes.ociLayerGzip), 'gzip');
  assert.equal(layerCompression(MediaTypes.dockerLayerGzip), 'gzip');
  assert.equal(layerCompression(MediaTypes.dockerForeignLayerGzip), 'gzip');
  assert.equal(layerCompression(MediaTypes.ociLayerZstd), 'zstd');
  assert.equal(layerCompression(MediaTypes.ociLayer), 'none');
  assert.equal(layerCompression('application/vnd.docker.image.rootfs.diff.tar'), 'none');
  assert.throws(() => layerCompression('application/octet-stream'), (e) => isKctlError(e, 'invalid_argument'));
});

for (const [label, mediaType, encode] of [
  ['uncompressed', MediaTypes.ociLayer, (b: Buffer) => b],
  ['gzip', MediaTypes.ociLayerGzip, (b: Buffer) => gzipSync(b)],
  ['zstd', MediaTypes.ociLayerZstd, (b: Buffer) => spawnSync('zstd', ['-q', '-c'], { input: b }).stdout],
] as const) {
  test(`unpacks a ${label} layer and returns its DiffID`, { skip }, async (t) => {
    const dest = tmpDest(t);
    const res = await unpackLayer(Readable.from([encode(sample)]), mediaType, dest, { expectedDiffId: sha256(sample) });
    assert.equal(res.diffId, sha256(sample));
    assert.equal(res.size, sample.length);
    assert.equal(res.entries, 3);
    assert.equal(fs.readFileSync(path.join(dest, 'etc/hostname'), 'utf8'), 'kctl\n');
    assert.equal(fs.readlinkSync(path.join(dest, 'bin/sh')), 'busybox');
  });
}

test('a DiffID mismatch refuses the layer and removes its directory', { skip }, async (t) => {
  const dest = tmpDest(t);
  const wrong = 'sha256:' + '0'.repeat(64);
  await assert.rejects(
    unpackLayer(Readable.from([gzipSync(sample)]), MediaTypes.ociLayerGzip, dest, { expectedDiffId: wrong, layerDigest: 'sha256:' + 'a'.repeat(64) }),
    (e) => isKctlError(e, 'failed_precondition') && e.message.includes('sha256:' + 'a'.repeat(64)) && e.message.includes(sha256(sample)),
  );
  assert.equal(fs.existsSync(dest), false);
});

test('the DiffID covers the whole stream, bytes after the end-of-archive marker included', { skip }, async (t) => {
  // kctl-untar hashes what it reads (--sha256) and reads to the end: trailing bytes change the
  // DiffID, so a layer cannot carry content its digest does not account for.
  const trailing = Buffer.concat([sample, Buffer.alloc(4096, 0x41)]);
  const res = await unpackLayer(Readable.from([gzipSync(trailing)]), MediaTypes.ociLayerGzip, tmpDest(t), { expectedDiffId: sha256(trailing) });
  assert.equal(res.diffId, sha256(trailing));
  assert.notEqual(res.diffId, sha256(sample));
  assert.equal(res.size, trailing.length);
  // A large layer in many chunks: the digest is over every chunk, in order.
  const big = makeTar(Array.from({ length: 64 }, (_, i) => ({ name: `f${i}`, data: Buffer.alloc(40_000, i) })));
  const chunks = [];
  const gz = gzipSync(big);
  for (let i = 0; i < gz.length; i += 1000) chunks.push(gz.subarray(i, i + 1000));
  const dest = tmpDest(t);
  assert.equal((await unpackLayer(Readable.from(chunks), MediaTypes.ociLayerGzip, dest, { expectedDiffId: sha256(big) })).entries, 64);
  assert.equal(fs.readFileSync(path.join(dest, 'f63')).length, 40_000);
});

test('a gzip bomb stops at the uncompressed byte limit and leaves nothing behind', { skip }, async (t) => {
  const dest = tmpDest(t);
  // 256 MiB of zeros in one tar entry, gzip-compressed on the fly (a few hundred KiB).
  const size = 256 * 1024 * 1024;
  // A tar header declaring one 256 MiB file (patched size and checksum), then the zeros.
  const header = makeTar([{ name: 'zeros', data: Buffer.alloc(0) }]).subarray(0, 512);
  const h = Buffer.from(header);
  h.write(size.toString(8).padStart(11, '0') + '\0', 124, 'ascii');
  h.write('        ', 148, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  const chunk = Buffer.alloc(1024 * 1024);
  const src = Readable.from((function* () {
    yield h;
    for (let i = 0; i < size / chunk.length; i++) yield chunk;
    yield Buffer.alloc(1024);
  })());
  const gz = src.pipe(createGzip({ level: 1 }));
  await assert.rejects(
    unpackLayer(gz, MediaTypes.ociLayerGzip, dest, { expectedDiffId: 'sha256:' + '1'.repeat(64), limits: { maxBytes: 8 * 1024 * 1024 } }),
    (e) => isKctlError(e, 'resource_exhausted') && /larger than 8388608 bytes/.test(e.message),
  );
  assert.equal(fs.existsSync(dest), false);
});

test('an unsafe entry is refused with kctl-untar\'s reason and the directory removed', { skip }, async (t) => {
  const dest = tmpDest(t);
  const bad = makeTar([{ name: 'a', data: 'x' }, { name: '.wh..' }]);
  await assert.rejects(
    unpackLayer(Readable.from([bad]), MediaTypes.ociLayer, dest, { expectedDiffId: sha256(bad), layerDigest: sha256(bad) }),
    (e) => isKctlError(e, 'invalid_argument') && /invalid whiteout name/.test(e.message) && /kctl-untar/.test(e.detail ?? ''),
  );
  assert.equal(fs.existsSync(dest), false);
});

test('corrupt gzip data is an invalid layer', { skip }, async (t) => {
  const dest = tmpDest(t);
  const gz = gzipSync(sample);
  gz.fill(0x55, 20, 60);
  await assert.rejects(unpackLayer(Readable.from([gz]), MediaTypes.ociLayerGzip, dest, { expectedDiffId: sha256(sample) }), (e) => isKctlError(e, 'invalid_argument'));
  assert.equal(fs.existsSync(dest), false);
});

test('corrupt zstd data is an invalid layer', { skip }, async (t) => {
  const dest = tmpDest(t);
  await assert.rejects(unpackLayer(Readable.from([Buffer.from('not zstd at all')]), MediaTypes.ociLayerZstd, dest, { expectedDiffId: sha256(sample) }), (e) => isKctlError(e, 'invalid_argument'));
  assert.equal(fs.existsSync(dest), false);
});

test('an aborted unpack is canceled and cleaned up', { skip }, async (t) => {
  const dest = tmpDest(t);
  const ac = new AbortController();
  // A source that yields the first header and then never ends until aborted.
  const src = new Readable({ read() {} });
  src.push(makeTar([{ name: 'a', data: 'x' }]).subarray(0, 1024));
  const p = unpackLayer(src, MediaTypes.ociLayer, dest, { expectedDiffId: sha256(sample), signal: ac.signal });
  setImmediate(() => ac.abort());
  await assert.rejects(p, (e) => isKctlError(e, 'canceled'));
  assert.equal(fs.existsSync(dest), false);
});

test('a stalled source hits the idle bound', { skip }, async (t) => {
  const dest = tmpDest(t);
  const src = new Readable({ read() {} });
  src.push(makeTar([{ name: 'a', data: 'x' }]).subarray(0, 1024));
  await assert.rejects(
    unpackLayer(src, MediaTypes.ociLayer, dest, { expectedDiffId: sha256(sample), idleTimeoutMs: 200 }),
    (e) => isKctlError(e, 'deadline_exceeded'),
  );
  assert.equal(fs.existsSync(dest), false);
});
