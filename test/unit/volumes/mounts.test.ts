import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseMountFlag, parseTmpfsFlag, parseVolumeFlag } from '../../../src/core/volumes/mounts.js';
import { VolumeStore } from '../../../src/core/volumes/store.js';
import { RootLayout } from '../../../src/core/paths.js';
import { encodeSpec, decodeSpec } from '../../../src/core/agent/protocol.js';
import { isKctlError } from '../../../src/core/errors.js';

test('-v forms', () => {
  assert.deepEqual(parseVolumeFlag('/h/d:/c'), { type: 'bind', source: '/h/d', target: '/c', readOnly: false, createHostDir: true });
  assert.deepEqual(parseVolumeFlag('/h//d/:/c/:ro'), { type: 'bind', source: '/h/d/', target: '/c', readOnly: true, createHostDir: true });
  assert.deepEqual(parseVolumeFlag('data:/v'), { type: 'volume', source: 'data', target: '/v', readOnly: false });
  assert.deepEqual(parseVolumeFlag('/anon'), { type: 'volume', source: '', target: '/anon', readOnly: false });
  for (const bad of ['a:b:c:d', 'x:rel', '/h:/c:bogus', 'bad name:/v', '/h:/', '/h:/a/../b', '/h:']) {
    assert.throws(() => parseVolumeFlag(bad), (e) => isKctlError(e, 'invalid_argument'), bad);
  }
});

test('--mount forms', () => {
  assert.deepEqual(parseMountFlag('type=bind,source=/s,target=/t,readonly'), { type: 'bind', source: '/s', target: '/t', readOnly: true, createHostDir: false });
  assert.deepEqual(parseMountFlag('type=volume,src=v1,dst=/t'), { type: 'volume', source: 'v1', target: '/t', readOnly: false });
  assert.deepEqual(parseMountFlag('type=tmpfs,dst=/t,tmpfs-size=64m,tmpfs-mode=1777'), { type: 'tmpfs', source: '', target: '/t', readOnly: false, tmpfsOptions: 'size=64m,mode=1777' });
  for (const bad of ['type=bind,dst=/t', 'type=bind,src=rel,dst=/t', 'type=nfs,dst=/t', 'type=bind,src=/s', 'type=bind,src=/s,dst=/t,bogus=1', 'type=tmpfs,src=/x,dst=/t', 'type=bind,src=/s,dst=/t,readonly=maybe']) {
    assert.throws(() => parseMountFlag(bad), (e) => isKctlError(e, 'invalid_argument'), bad);
  }
});

test('--tmpfs options are limited to what the guest agent accepts', () => {
  assert.deepEqual(parseTmpfsFlag('/run:size=10m,mode=755,exec'), { type: 'tmpfs', source: '', target: '/run', readOnly: false, tmpfsOptions: 'size=10m,mode=755,exec' });
  for (const bad of ['/t:uid=0', '/t:size=1x', 'rel', '/t:mode=999']) assert.throws(() => parseTmpfsFlag(bad), (e) => isKctlError(e, 'invalid_argument'), bad);
});

test('the agent records for network, mounts and files round-trip and are bounded', () => {
  const spec = {
    args: ['sh'], env: [], cwd: '/', user: '', tty: false, stdin: false, hostname: 'h', rootfsTag: 'rootfs',
    net: { address: '10.0.2.15/24', gateway: '10.0.2.2' },
    mounts: [{ type: 'share' as const, tag: 'm0', readOnly: true, target: '/data' }, { type: 'tmpfs' as const, options: 'size=1m', target: '/t' }],
    files: [{ target: '/etc/hosts', content: '127.0.0.1\tlocalhost\n' }],
  };
  const back = decodeSpec(encodeSpec(spec, true), true);
  assert.deepEqual(back.net, spec.net);
  assert.deepEqual(back.mounts, spec.mounts);
  assert.deepEqual(back.files, spec.files);
  assert.throws(() => encodeSpec({ ...spec, mounts: [{ type: 'tmpfs', options: '', target: '/a\nb' }] }, true), /newline/);
  assert.throws(() => encodeSpec({ ...spec, files: Array.from({ length: 9 }, () => ({ target: '/x', content: '' })) }, true), /more than 8 files/);
});

test('VolumeStore: create is idempotent, remove refuses a volume in use, prune keeps named ones unless all', async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kctl-vol-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const users = new Map<string, string[]>();
  const store = new VolumeStore(new RootLayout(root), (n) => users.get(n) ?? []);
  const v = await store.create('data', { a: 'b' });
  assert.equal(v.Mountpoint, path.join(root, 'volumes', 'data', '_data'));
  fs.writeFileSync(path.join(v.Mountpoint, 'f'), 'x');
  assert.equal((await store.create('data')).CreatedAt, v.CreatedAt);
  assert.ok(fs.existsSync(path.join(v.Mountpoint, 'f')), 'create of an existing volume keeps its data');
  users.set('data', ['c1']);
  await assert.rejects(store.remove('data'), (e) => isKctlError(e, 'conflict') && /in use - \[c1\]/.test(e.message));
  users.clear();
  const anon = await store.create();
  assert.match(anon.Name, /^[0-9a-f]{64}$/);
  assert.deepEqual((await store.prune()).removed, [anon.Name]);
  assert.deepEqual((await store.list()).map((x) => x.Name), ['data']);
  assert.deepEqual((await store.prune({ all: true })).removed, ['data']);
  await assert.rejects(store.inspect('data'), (e) => isKctlError(e, 'not_found'));
  await assert.rejects(store.create('../x'), (e) => isKctlError(e, 'invalid_argument'));
});
