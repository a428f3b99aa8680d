/**
 * LayerStore: ChainID keys, one unpack per layer even under concurrent requests, atomic commit
 * (nothing visible after a failure or a crash), permissions, and garbage collection.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { LayerStore, chainIds, type LayerProgress } from '../../../src/core/images/layers.js';
import { untarBinary } from '../../../src/core/images/unpack.js';
import { FsContentStore } from '../../../src/core/images/content-store.js';
import { RootLayout } from '../../../src/core/paths.js';
import { MediaTypes, type ImageRecord } from '../../../src/core/images/types.js';
import { nullLogger } from '../../../src/core/util/log.js';
import { isKctlError } from '../../../src/core/errors.js';
import { makeTar, sha256, type TarEntry } from '../../fixtures/hostile/tar.js';

const skip = process.getuid?.() !== 0 ? 'needs root' : !fs.existsSync(untarBinary()) ? 'build native/out/kctl-untar first: make -C native' : false;

async function setup(t: { after: (fn: () => void) => void }) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kctl-layers-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const layout = new RootLayout(root);
  const content = new FsContentStore(layout.contentDir);
  const store = new LayerStore({ layout, content, log: nullLogger });
  return { root, layout, content, store };
}

async function image(content: FsContentStore, layers: TarEntry[][], diffOverride?: string[]): Promise<ImageRecord> {
  const descs = [];
  const diffIds = [];
  for (const entries of layers) {
    const tar = makeTar(entries);
    const gz = gzipSync(tar);
    const digest = await content.putBuffer(gz);
    descs.push({ mediaType: MediaTypes.ociLayerGzip, digest, size: gz.length });
    diffIds.push(sha256(tar));
  }
  return {
    id: 'sha256:' + createHash('sha256').update(JSON.stringify(diffIds)).digest('hex'),
    repoTags: [], repoDigests: [], manifestDigest: '', manifestMediaType: MediaTypes.ociManifest,
    layers: descs, diffIds: diffOverride ?? diffIds, size: 0, created: '', loadedAt: '', platform: { architecture: 'amd64', os: 'linux' },
  };
}

test('chainIds follows the OCI definition', () => {
  const d = ['sha256:' + 'a'.repeat(64), 'sha256:' + 'b'.repeat(64), 'sha256:' + 'c'.repeat(64)];
  const c = chainIds(d);
  assert.equal(c[0], d[0]);
  const c1 = 'sha256:' + createHash('sha256').update(`${d[0]} ${d[1]}`).digest('hex');
  assert.equal(c[1], c1);
  assert.equal(c[2], 'sha256:' + createHash('sha256').update(`${c1} ${d[2]}`).digest('hex'));
  assert.deepEqual(chainIds([]), []);
});

test('ensureUnpacked unpacks each layer once, lowest first, with private parent permissions', { skip }, async (t) => {
  const { layout, content, store } = await setup(t);
  const img = await image(content, [[{ name: 'a', data: 'one' }], [{ name: 'b', data: 'two' }, { name: '.wh.a' }]]);
  const events: LayerProgress[] = [];
  const [dirs, again] = await Promise.all([
    store.ensureUnpacked(img, { onProgress: (p) => events.push(p) }),
    store.ensureUnpacked(img, { onProgress: (p) => events.push(p) }),
  ]);
  assert.deepEqual(dirs, again);
  assert.equal(dirs.length, 2);
  assert.equal(events.filter((e) => e.status === 'unpacking').length, 2, 'one unpack per layer for two concurrent callers');
  assert.equal(fs.readFileSync(path.join(dirs[0]!, 'a'), 'utf8'), 'one');
  assert.equal(fs.readFileSync(path.join(dirs[1]!, 'b'), 'utf8'), 'two');
  assert.ok(fs.lstatSync(path.join(dirs[1]!, 'a')).isCharacterDevice(), 'whiteout in overlay form');
  for (const d of dirs) {
    assert.equal(path.dirname(d), layout.layersDir);
    assert.ok(path.basename(d).length <= 16, 'short directory names keep overlay options small');
    const s = fs.statSync(d);
    assert.equal(s.mode & 0o777, 0o755);
    assert.equal(s.uid, 0);
  }
  assert.equal(fs.statSync(layout.layersDir).mode & 0o777, 0o700);
  const chains = chainIds(img.diffIds);
  assert.deepEqual((await store.list()).map((r) => r.chainId).sort(), [...chains].sort());
  assert.equal(await store.lookup(chains[1]!), dirs[1]);

  const later: LayerProgress[] = [];
  assert.deepEqual(await store.ensureUnpacked(img, { onProgress: (p) => later.push(p) }), dirs);
  assert.deepEqual(later.map((e) => e.status), ['exists', 'exists']);
});

test('a failed layer leaves no layer directory and no staging leftovers', { skip }, async (t) => {
  const { layout, content, store } = await setup(t);
  const img = await image(content, [[{ name: 'a', data: 'x' }]], ['sha256:' + '9'.repeat(64)]);
  await assert.rejects(store.ensureUnpacked(img), (e) => isKctlError(e, 'failed_precondition'));
  const names = fs.readdirSync(layout.layersDir).filter((n) => n !== 'meta' && n !== '.staging');
  assert.deepEqual(names, []);
  assert.deepEqual(fs.readdirSync(path.join(layout.layersDir, '.staging')), []);
  assert.deepEqual(await store.list(), []);
});

test('the staging directory carries ext4\'s top-directory flag, after every start', { skip }, async (t) => {
  const { root, layout, store } = await setup(t);
  const probe = path.join(root, 'probe');
  fs.mkdirSync(probe);
  if (spawnSync('chattr', ['+T', probe]).status !== 0) {
    t.skip('the test directory\'s filesystem has no top-directory flag (not ext2/3/4)');
    return;
  }
  const flags = (dir: string) => spawnSync('lsattr', ['-d', dir], { encoding: 'utf8' }).stdout.split(' ')[0] ?? '';
  const staging = path.join(layout.layersDir, '.staging');
  await store.init();
  assert.match(flags(staging), /T/);
  // The next start recreates .staging (sweeping leftovers) and marks it again.
  await new LayerStore({ layout, content: new FsContentStore(layout.contentDir), log: nullLogger }).init();
  assert.match(flags(staging), /T/);
  assert.doesNotMatch(flags(layout.layersDir), /T/, 'only the staging directory is marked');
});

test('a crash leftover (staging dir, directory without record) is never used as a layer', { skip }, async (t) => {
  const { layout, content, store } = await setup(t);
  const img = await image(content, [[{ name: 'good', data: 'x' }]]);
  const short = chainIds(img.diffIds)[0]!.slice(7, 19);
  fs.mkdirSync(path.join(layout.layersDir, '.staging', 'half'), { recursive: true, mode: 0o700 });
  fs.mkdirSync(path.join(layout.layersDir, short), { recursive: true });
  fs.writeFileSync(path.join(layout.layersDir, short, 'partial'), 'torn');
  const [dir] = await store.ensureUnpacked(img);
  assert.equal(path.basename(dir!), short);
  assert.equal(fs.existsSync(path.join(dir!, 'partial')), false);
  assert.equal(fs.readFileSync(path.join(dir!, 'good'), 'utf8'), 'x');
  assert.deepEqual(fs.readdirSync(path.join(layout.layersDir, '.staging')), []);
});

test('gc removes layers no live image uses and keeps the rest', { skip }, async (t) => {
  const { content, store } = await setup(t);
  const base: TarEntry[] = [{ name: 'base', data: 'b' }];
  const a = await image(content, [base, [{ name: 'a', data: 'a' }]]);
  const b = await image(content, [base, [{ name: 'b', data: 'b' }]]);
  const da = await store.ensureUnpacked(a);
  const db = await store.ensureUnpacked(b);
  assert.equal(da[0], db[0], 'a shared base layer is unpacked once');
  const removed = await store.gc([b]);
  assert.deepEqual(removed, [chainIds(a.diffIds)[1]]);
  assert.equal(fs.existsSync(da[1]!), false);
  assert.ok(fs.existsSync(db[0]!));
  assert.ok(fs.existsSync(db[1]!));
  assert.equal(await store.lookup(chainIds(a.diffIds)[1]!), undefined);
});
