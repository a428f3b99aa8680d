import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FsContentStore } from '../../../src/core/images/content-store.js';
import { JsonImageStore } from '../../../src/core/images/image-store.js';
import { ImageService } from '../../../src/core/images/service.js';
import { RootLayout } from '../../../src/core/paths.js';
import { nullLogger } from '../../../src/core/util/log.js';
import { chainIds } from '../../../src/core/images/layers.js';
import type { ImageRecord } from '../../../src/core/images/types.js';
import type { LayerStore } from '../../../src/core/images/layers.js';
import type { Puller } from '../../../src/core/images/puller.js';

async function setup(t: { after: (fn: () => void) => void }) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kctl-prune-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const layout = new RootLayout(root);
  const content = new FsContentStore(layout.contentDir);
  const images = new JsonImageStore(layout.imagesDb);
  const put = async (s: string) => content.putBuffer(Buffer.from(s));
  const layerDirs = new Map<string, string>();
  const removedLayers: string[] = [];
  const layers = {
    async list() { return [...layerDirs.keys()].map((chainId) => ({ chainId })); },
    async lookup(c: string) { return layerDirs.get(c); },
    async gc(live: ImageRecord[]) {
      const keep = new Set(live.flatMap((i) => chainIds(i.diffIds)));
      const dead = [...layerDirs.keys()].filter((c) => !keep.has(c));
      for (const c of dead) { fs.rmSync(layerDirs.get(c)!, { recursive: true }); layerDirs.delete(c); removedLayers.push(c); }
      return dead;
    },
  } as unknown as LayerStore;
  const inUse = new Set<string>();
  const svc = new ImageService({ layout, content, images, puller: {} as Puller, layers, log: nullLogger, inUse: () => inUse });
  /** An image with one layer blob, its config and manifest blobs, and an unpacked layer dir of `bytes`. */
  const image = async (name: string, tags: string[], bytes: number): Promise<ImageRecord> => {
    const layer = await put(`layer of ${name}`);
    const config = await put(`config of ${name}`);
    const manifest = await put(`manifest of ${name}`);
    const diffId = `sha256:${Buffer.from(name.padEnd(32, '.')).toString('hex').slice(0, 64)}`;
    const rec: ImageRecord = {
      id: config, repoTags: tags, repoDigests: [], manifestDigest: manifest, manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layer, size: 10 }], diffIds: [diffId], size: 0,
      created: '2024-01-01T00:00:00Z', loadedAt: '2024-01-01T00:00:00Z', platform: { os: 'linux', architecture: 'amd64' },
    } as ImageRecord;
    await images.put(rec);
    const dir = path.join(root, `layer-${name}`);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'f'), Buffer.alloc(bytes));
    layerDirs.set(chainIds([diffId])[0], dir);
    return rec;
  };
  const age = (digest: string) => {
    const f = path.join(layout.contentDir, 'blobs', 'sha256', digest.slice(7));
    const old = new Date(Date.now() - 3600_000);
    fs.utimesSync(f, old, old);
  };
  return { svc, images, content, image, inUse, removedLayers, age, put };
}

test('image prune removes dangling images only; --all every unused one; in-use images stay', async (t) => {
  const s = await setup(t);
  const dangling = await s.image('dangling', [], 1000);
  const tagged = await s.image('tagged', ['docker.io/library/tagged:1'], 2000);
  const used = await s.image('used', [], 4000);
  s.inUse.add(used.id);
  const r1 = await s.svc.prune();
  assert.deepEqual(r1.ImagesDeleted, [{ Deleted: dangling.id }]);
  assert.deepEqual((await s.images.list()).map((i) => i.id).sort(), [tagged.id, used.id].sort());
  assert.equal(s.removedLayers.length, 1);
  assert.ok(r1.SpaceReclaimed >= 1000, 'the unpacked layer counts');

  const r2 = await s.svc.prune({ all: true });
  assert.deepEqual(r2.ImagesDeleted, [{ Untagged: 'tagged:1' }, { Deleted: tagged.id }]);
  assert.deepEqual((await s.images.list()).map((i) => i.id), [used.id]);
});

test('blobs no image references go, unless they are younger than the grace period', async (t) => {
  const s = await setup(t);
  const kept = await s.image('kept', ['docker.io/library/kept:1'], 10);
  const stray = await s.put('a blob of an image removed long ago');
  const fresh = await s.put('a blob a running pull just wrote');
  for (const d of [stray, kept.id, kept.manifestDigest, kept.layers[0].digest]) s.age(d);
  const r = await s.svc.prune();
  assert.deepEqual(r.ImagesDeleted, []);
  assert.equal(await s.content.has(stray), false);
  assert.equal(await s.content.has(fresh), true);
  for (const d of [kept.id, kept.manifestDigest, kept.layers[0].digest]) assert.equal(await s.content.has(d), true);
  assert.ok(r.SpaceReclaimed >= Buffer.byteLength('a blob of an image removed long ago'));
});
