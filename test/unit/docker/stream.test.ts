import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Demuxer, frame, streamContentType, compareVersions } from '../../../src/api/docker/stream.js';
import { httpStatusOf, errorResponse } from '../../../src/api/docker/errors.js';
import { KctlError, notFound, conflict, failedPrecondition, invalidArgument, unavailable, unimplemented, internal } from '../../../src/core/errors.js';
import { splitVersion, qBool, qFilters } from '../../../src/api/docker/http.js';

test('frame writes Docker\'s 8-byte header: stream id, three zero bytes, big-endian size', () => {
  const f = frame('stderr', Buffer.from('hello'));
  assert.deepEqual([...f.subarray(0, 8)], [2, 0, 0, 0, 0, 0, 0, 5]);
  assert.equal(f.subarray(8).toString(), 'hello');
  const big = Buffer.alloc(70000, 1);
  const fb = frame('stdout', big);
  assert.equal(fb[0], 1);
  assert.equal(fb.readUInt32BE(4), 70000);
});

test('frames survive any split into chunks and split oversized payloads into several frames', () => {
  const payloads = [Buffer.from('a'), randomBytes(3 * 1024 * 1024), Buffer.alloc(0), Buffer.from('tail\n')];
  const wire = Buffer.concat(payloads.map((p, i) => frame(i % 2 ? 'stderr' : 'stdout', p)));
  const d = new Demuxer();
  const got: Array<{ stream: string; data: Buffer }> = [];
  for (let off = 0; off < wire.length; off += 7777) got.push(...d.push(wire.subarray(off, off + 7777)));
  assert.equal(d.pending, 0);
  const byStream = (s: string) => Buffer.concat(got.filter((g) => g.stream === s).map((g) => g.data));
  assert.deepEqual(byStream('stdout'), Buffer.concat([payloads[0], payloads[2]]));
  assert.deepEqual(byStream('stderr'), Buffer.concat([payloads[1], payloads[3]]));
  assert.ok(got.filter((g) => g.stream === 'stderr').length > 2, 'the 3 MiB payload went out in several frames');
});

test('the demuxer refuses a corrupt header', () => {
  assert.throws(() => new Demuxer().push(Buffer.from([7, 0, 0, 0, 0, 0, 0, 1, 65])), /invalid stream frame header/);
});

test('content types: raw for a TTY, multiplexed from API 1.42', () => {
  assert.equal(streamContentType(true, '1.43'), 'application/vnd.docker.raw-stream');
  assert.equal(streamContentType(false, '1.43'), 'application/vnd.docker.multiplexed-stream');
  assert.equal(streamContentType(false, '1.41'), 'application/vnd.docker.raw-stream');
  assert.ok(compareVersions('1.9', '1.24') < 0);
  assert.ok(compareVersions('1.45', '1.43') > 0);
});

test('error kinds map once to Docker HTTP statuses, with Docker\'s body', () => {
  const cases: Array<[KctlError, number]> = [
    [notFound('No such container: x'), 404],
    [conflict('name in use'), 409],
    [failedPrecondition('is not running'), 409],
    [invalidArgument('bad'), 400],
    [unavailable('registry down'), 503],
    [unimplemented('no top'), 501],
    [internal('bug'), 500],
    [new KctlError('deadline_exceeded', 'slow'), 500],
  ];
  for (const [err, status] of cases) {
    assert.equal(httpStatusOf(err.kind), status, err.kind);
    assert.equal(errorResponse(err).status, status);
  }
  assert.deepEqual(errorResponse(notFound('No such image: busybox:latest', { hint: 'pull it' })).body, { message: 'No such image: busybox:latest' });
  assert.equal(errorResponse(new Error('plain')).status, 500);
  // The docker CLI derives exit codes 127/126 from these phrases.
  assert.match(errorResponse(new KctlError('command_not_found', 'exec /nope failed')).body.message, /executable file not found/);
  assert.match(errorResponse(new KctlError('cannot_invoke', 'exec /etc failed')).body.message, /permission denied/);
  assert.equal(errorResponse(new KctlError('command_not_found', 'x')).status, 400);
});

test('version prefixes: 1.24..1.45 accepted, others refused with Docker\'s message', () => {
  assert.deepEqual(splitVersion('/v1.43/containers/json', '1.43'), { version: '1.43', path: '/containers/json' });
  assert.deepEqual(splitVersion('/v1.24/_ping', '1.43'), { version: '1.24', path: '/_ping' });
  assert.deepEqual(splitVersion('/containers/json', '1.43'), { version: '1.43', path: '/containers/json' });
  assert.throws(() => splitVersion('/v1.50/info', '1.43'), /client version 1.50 is too new. Maximum supported API version is 1.45/);
  assert.throws(() => splitVersion('/v1.12/info', '1.43'), /too old/);
});

test('query decoding follows Docker\'s httputils', () => {
  const q = new URLSearchParams('a=1&b=0&c=false&d=&e=yes&filters={"status":["running"],"label":{"x=y":true}}');
  assert.deepEqual(['a', 'b', 'c', 'd', 'e', 'zz'].map((k) => qBool(q, k)), [true, false, false, false, true, false]);
  const f = qFilters(q);
  assert.deepEqual(f.get('status'), ['running']);
  assert.deepEqual(f.get('label'), ['x=y']);
  assert.throws(() => qFilters(new URLSearchParams('filters={bad')), /invalid filter/);
  assert.throws(() => qFilters(new URLSearchParams('filters={"status":3}')), /invalid filter 'status'/);
});

test('the router prefers an explicit HEAD route and serves HEAD from GET otherwise', async () => {
  const { Router } = await import('../../../src/api/docker/http.js');
  const calls: string[] = [];
  const r = new Router()
    .on('GET', '/containers/{id}/archive', async () => { calls.push('get'); })
    .on('HEAD', '/containers/{id}/archive', async () => { calls.push('head'); })
    .on('GET', '/images/{name*}/json', async () => { calls.push('img'); });
  const head = r.match('HEAD', '/containers/abc/archive');
  assert.ok(head && head !== 'method');
  await head.handler({} as never);
  assert.deepEqual(calls, ['head']);
  const img = r.match('HEAD', '/images/127.0.0.1:5000/library/busybox:1.0/json');
  assert.ok(img && img !== 'method');
  assert.deepEqual(img.params, ['127.0.0.1:5000/library/busybox:1.0']);
  assert.equal(r.match('POST', '/images/x/json'), 'method');
  assert.equal(r.match('GET', '/nothing'), undefined);
});
