/**
 * loadArchive / saveArchive on archives built in memory: docker-archive (legacy, with symlinked
 * duplicate layers) and OCI archives, digest verification, hostile archive names and headers,
 * bounds, and load -> save -> load round trips in both formats.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { loadArchive, saveArchive } from '../../../src/core/images/archive.js';
import { FsContentStore } from '../../../src/core/images/content-store.js';
import { JsonImageStore } from '../../../src/core/images/image-store.js';
import { RootLayout } from '../../../src/core/paths.js';
import { MediaTypes } from '../../../src/core/images/types.js';
import { nullLogger } from '../../../src/core/util/log.js';
import { isKctlError } from '../../../src/core/errors.js';
import { makeTar, sha256, type TarEntry } from '../../fixtures/hostile/tar.js';

function setup(t: { after: (fn: () => void) => void }) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kctl-archive-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const layout = new RootLayout(root);
  const content = new FsContentStore(layout.contentDir);
  const images = new JsonImageStore(layout.imagesDb);
  return { root, layout, content, images, opts: { content, images, log: nullLogger, tmpDir: layout.tmpDir } };
}

const layer1 = makeTar([{ name: 'bin/', type: 'dir' }, { name: 'bin/sh', data: 'shell' }]);
const layer2 = makeTar([{ name: 'etc/motd', data: 'hello' }]);

function config(diffIds: string[], arch = 'amd64'): Buffer {
  return Buffer.from(JSON.stringify({ architecture: arch, os: 'linux', created: '2000-01-01T00:00:00Z', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: diffIds } }));
}

function dockerArchive(o: { tags?: unknown; layerData?: Buffer[]; extra?: TarEntry[]; manifest?: unknown } = {}): Buffer {
  const layers = o.layerData ?? [layer1, layer2];
  const cfg = config([sha256(layer1), sha256(layer2)]);
  const entries: TarEntry[] = [
    { name: 'aaa/', type: 'dir' },
    { name: 'aaa/layer.tar', data: layers[0] },
    { name: 'bbb/', type: 'dir' },
    { name: 'bbb/layer.tar', data: layers[1] },
    { name: 'ccc/', type: 'dir' },
    // Legacy docker save writes a repeated layer as a symlink to the first copy.
    { name: 'ccc/layer.tar', type: 'symlink', linkname: '../aaa/layer.tar' },
    { name: `${sha256(cfg).slice(7)}.json`, data: cfg },
    ...(o.extra ?? []),
    { name: 'manifest.json', data: JSON.stringify(o.manifest ?? [{ Config: `${sha256(cfg).slice(7)}.json`, RepoTags: o.tags ?? ['busybox:latest', 'localhost:5000/x/y:1'], Layers: ['aaa/layer.tar', 'bbb/layer.tar'] }]) },
  ];
  return makeTar(entries);
}

function ociArchive(o: { corrupt?: boolean; name?: string } = {}): Buffer {
  const gz1 = gzipSync(layer1);
  const cfg = config([sha256(layer1)]);
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.ociManifest, config: { mediaType: MediaTypes.ociConfig, digest: sha256(cfg), size: cfg.length }, layers: [{ mediaType: MediaTypes.ociLayerGzip, digest: sha256(gz1), size: gz1.length }] }));
  const armCfg = config([sha256(layer1)], 'arm64');
  const armManifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.ociManifest, config: { mediaType: MediaTypes.ociConfig, digest: sha256(armCfg), size: armCfg.length }, layers: [{ mediaType: MediaTypes.ociLayerGzip, digest: sha256(gz1), size: gz1.length }] }));
  const idx = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [
    { mediaType: MediaTypes.ociManifest, digest: sha256(armManifest), size: armManifest.length, platform: { os: 'linux', architecture: 'arm64' } },
    { mediaType: MediaTypes.ociManifest, digest: sha256(manifest), size: manifest.length, platform: { os: 'linux', architecture: 'amd64' } },
  ] }));
  const blob = (b: Buffer, corrupt = false): TarEntry => ({ name: `blobs/sha256/${sha256(b).slice(7)}`, data: corrupt ? Buffer.concat([b, Buffer.from('x')]) : b });
  return makeTar([
    { name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' },
    { name: 'index.json', data: JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: MediaTypes.ociIndex, digest: sha256(idx), size: idx.length, annotations: { 'org.opencontainers.image.ref.name': o.name ?? 'example.com/team/app:2' } }] }) },
    blob(idx), blob(manifest), blob(armManifest), blob(cfg), blob(armCfg), blob(gz1, o.corrupt),
  ]);
}

test('loads a legacy docker-archive: tags normalised, OCI manifest built, blobs stored', async (t) => {
  const { content, images, opts } = setup(t);
  const [rec] = await loadArchive(Readable.from([dockerArchive()]), opts);
  assert.ok(rec);
  assert.deepEqual(rec.repoTags, ['docker.io/library/busybox:latest', 'localhost:5000/x/y:1']);
  assert.deepEqual(rec.diffIds, [sha256(layer1), sha256(layer2)]);
  assert.deepEqual(rec.layers.map((l) => l.digest), rec.diffIds, 'uncompressed layers: blob digest == diff_id');
  assert.equal(rec.layers[0]!.mediaType, MediaTypes.ociLayer);
  const manifest = JSON.parse((await content.readBlob(rec.manifestDigest, 1 << 20)).toString());
  assert.equal(manifest.config.digest, rec.id);
  assert.deepEqual(manifest.layers, rec.layers);
  for (const d of [rec.id, ...rec.diffIds]) assert.ok(await content.has(d), d);
  assert.equal((await images.resolve('busybox'))?.id, rec.id);
});

test('a docker-archive layer whose content differs from its diff_id is refused, nothing recorded', async (t) => {
  const { images, opts } = setup(t);
  const tampered = makeTar([{ name: 'bin/sh', data: 'evil' }]);
  await assert.rejects(loadArchive(Readable.from([dockerArchive({ layerData: [tampered, layer2] })]), opts), (e) => isKctlError(e, 'failed_precondition'));
  assert.deepEqual(await images.list(), []);
});

test('hostile archive names are never used as paths', async (t) => {
  const { root, images, opts } = setup(t);
  const outside = path.join(path.dirname(root), `kctl-archive-escape-${process.pid}`);
  t.after(() => fs.rmSync(outside, { force: true }));
  const archive = dockerArchive({
    extra: [{ name: `../../../../../../..${outside}`, data: 'escaped' }, { name: outside, data: 'escaped' }],
    manifest: [{ Config: '../../../../etc/passwd', RepoTags: ['a:b'], Layers: [] }],
  });
  await assert.rejects(loadArchive(Readable.from([archive]), opts), (e) => isKctlError(e, 'invalid_argument') && /no image config/.test(e.message));
  assert.equal(fs.existsSync(outside), false);
  assert.deepEqual(await images.list(), []);
  assert.deepEqual(fs.readdirSync(opts.tmpDir), [], 'scratch space cleaned up');
});

test('malformed manifest.json and tags are invalid arguments', async (t) => {
  const { opts } = setup(t);
  await assert.rejects(loadArchive(Readable.from([dockerArchive({ manifest: { not: 'a list' } })]), opts), (e) => isKctlError(e, 'invalid_argument'));
  await assert.rejects(loadArchive(Readable.from([dockerArchive({ tags: ['UPPER:case'] })]), opts), (e) => isKctlError(e, 'invalid_argument'));
  await assert.rejects(loadArchive(Readable.from([makeTar([{ name: 'hello', data: 'x' }])]), opts), (e) => isKctlError(e, 'invalid_argument') && /not an image archive/.test(e.message));
  await assert.rejects(loadArchive(Readable.from([Buffer.from('definitely not a tar file'.repeat(50))]), opts), (e) => isKctlError(e, 'invalid_argument'));
});

test('archive bounds: oversized PAX header, entry count, total bytes', async (t) => {
  const { opts } = setup(t);
  const bigPax = makeTar([{ name: 'a', data: 'x', pax: { comment: 'y'.repeat(2 * 1024 * 1024) } }]);
  await assert.rejects(loadArchive(Readable.from([bigPax]), opts), (e) => isKctlError(e, 'resource_exhausted') && /tar header/.test(e.message));
  const many = makeTar(Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, data: '' })));
  await assert.rejects(loadArchive(Readable.from([many]), { ...opts, limits: { maxEntries: 10 } }), (e) => isKctlError(e, 'resource_exhausted'));
  await assert.rejects(loadArchive(Readable.from([dockerArchive()]), { ...opts, limits: { maxBytes: 4096 } }), (e) => isKctlError(e, 'resource_exhausted'));
});

test('loads an OCI archive through its index, picking the host platform', async (t) => {
  const { content, opts } = setup(t);
  const recs = await loadArchive(Readable.from([ociArchive()]), { ...opts, platform: { os: 'linux', architecture: 'amd64' } });
  assert.equal(recs.length, 1);
  assert.equal(recs[0]!.platform.architecture, 'amd64');
  assert.deepEqual(recs[0]!.repoTags, ['example.com/team/app:2']);
  assert.ok(await content.has(recs[0]!.layers[0]!.digest));
  const arm = await loadArchive(Readable.from([ociArchive()]), { ...opts, platform: { os: 'linux', architecture: 'arm64' } });
  assert.equal(arm[0]!.platform.architecture, 'arm64');
  assert.notEqual(arm[0]!.id, recs[0]!.id);
  const untagged = await loadArchive(Readable.from([ociArchive({ name: 'latest' })]), opts);
  assert.deepEqual(untagged[0]!.repoTags, [], 'a bare tag names no repository');
});

test('an OCI archive blob with the wrong content is refused', async (t) => {
  const { images, opts } = setup(t);
  await assert.rejects(loadArchive(Readable.from([ociArchive({ corrupt: true })]), opts), (e) => isKctlError(e, 'failed_precondition'));
  assert.deepEqual(await images.list(), []);
});

async function save(images: Parameters<typeof saveArchive>[0], o: Parameters<typeof saveArchive>[2]): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await saveArchive(images, out, o);
  return Buffer.concat(chunks);
}

for (const format of ['docker-archive', 'oci-archive'] as const) {
  test(`load -> save (${format}) -> load keeps the image id, layers and tags`, async (t) => {
    const a = setup(t);
    const [orig] = await loadArchive(Readable.from([ociArchive()]), { ...a.opts, platform: { os: 'linux', architecture: 'amd64' } });
    const bytes = await save([orig!], { format, content: a.content, tmpDir: a.layout.tmpDir });
    const b = setup(t);
    const [again] = await loadArchive(Readable.from([bytes]), b.opts);
    assert.equal(again!.id, orig!.id);
    assert.deepEqual(again!.diffIds, orig!.diffIds);
    assert.deepEqual(again!.repoTags, orig!.repoTags);
    if (format === 'oci-archive') assert.deepEqual(again!.layers, orig!.layers, 'OCI archives keep the compressed blobs');
    else assert.deepEqual(again!.layers.map((l) => l.digest), orig!.diffIds, 'docker-archives carry uncompressed layers');
  });
}
