import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createHash } from 'node:crypto';
import { KctlError } from '../../../src/core/errors.js';
import { DigestingStream, digestOf, isDigest, parseDigest, printable, sha256Hex, shortId } from '../../../src/core/images/digest.js';

const hex64 = 'a'.repeat(64);

test('accepts sha256 and sha512 with lower-case hex of the right length', () => {
  assert.deepEqual(parseDigest(`sha256:${hex64}`), { algorithm: 'sha256', encoded: hex64 });
  assert.equal(parseDigest(`sha512:${'0'.repeat(128)}`).algorithm, 'sha512');
});

test('refuses anything that could reach a path or URL unchecked', () => {
  const bad = [
    '', 'sha256:', `sha256:${'a'.repeat(63)}`, `sha256:${'a'.repeat(65)}`, `sha256:${'A'.repeat(64)}`,
    'sha256:../../etc/passwd', `sha256:${hex64}/..`, `md5:${'a'.repeat(32)}`, `sha512:${hex64}`,
    `SHA256:${hex64}`, `sha256:${hex64}\n`, ` sha256:${hex64}`, `sha256:${'g'.repeat(64)}`,
  ];
  for (const d of bad) {
    assert.equal(isDigest(d), false, JSON.stringify(d));
    assert.throws(() => parseDigest(d), (e: unknown) => e instanceof KctlError && e.kind === 'invalid_argument');
  }
  assert.throws(() => parseDigest(`md5:${'a'.repeat(32)}`), /unsupported digest algorithm/);
  assert.throws(() => sha256Hex(`sha512:${'0'.repeat(128)}`), /sha256/);
});

test('digestOf and shortId', () => {
  const want = 'sha256:' + createHash('sha256').update('hello').digest('hex');
  assert.equal(digestOf('hello'), want);
  assert.equal(shortId(want), want.slice(7, 19));
});

test('DigestingStream hashes and counts, and fails past maxBytes', async () => {
  const data = Buffer.from('x'.repeat(1000));
  const ds = new DigestingStream({ maxBytes: 1000 });
  await pipeline(Readable.from([data.subarray(0, 300), data.subarray(300)]), ds, new Writable({ write(_c, _e, cb) { cb(); } }));
  assert.equal(ds.bytes, 1000);
  assert.equal(ds.digest(), digestOf(data));

  const small = new DigestingStream({ maxBytes: 999 });
  await assert.rejects(
    pipeline(Readable.from([data]), small, new Writable({ write(_c, _e, cb) { cb(); } })),
    (e: unknown) => e instanceof KctlError && e.kind === 'failed_precondition',
  );
});

test('printable strips control characters and caps length', () => {
  assert.equal(printable('a\x1b[31mb\r\nc'), 'a?[31mb??c');
  assert.equal(printable('y'.repeat(500), 10), 'yyyyyyyyyy...');
});
