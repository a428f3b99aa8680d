/**
 * Archives against real tools: skopeo-made docker-archive and oci-archive fixtures load, and what
 * kctl saves is read back by `skopeo inspect` (docker-archive: and oci-archive:) with the same
 * config digest and layers; a loaded image unpacks and matches its diff_ids.
 *
 * Needs root, skopeo and the fixtures: test/fixtures/build-images.sh
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createReadStream, createWriteStream } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { loadArchive, saveArchive } from '../../../src/core/images/archive.js';
import { LayerStore } from '../../../src/core/images/layers.js';
import { untarBinary } from '../../../src/core/images/unpack.js';
import { FsContentStore } from '../../../src/core/images/content-store.js';
import { JsonImageStore } from '../../../src/core/images/image-store.js';
import { RootLayout } from '../../../src/core/paths.js';
import { nullLogger } from '../../../src/core/util/log.js';
import { fixtures } from './helpers.js';

const fx = fixtures();
const skip = process.getuid?.() !== 0 ? 'needs root'
  : !fx ? 'build the fixtures first: test/fixtures/build-images.sh'
  : spawnSync('skopeo', ['--version']).status !== 0 ? 'needs skopeo' : false;

function setup(t: { after: (fn: () => void) => void }) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kctl-archive-it-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const layout = new RootLayout(path.join(root, 'state'));
  const content = new FsContentStore(layout.contentDir);
  const images = new JsonImageStore(layout.imagesDb);
  return { root, layout, content, images };
}

function skopeoInspect(ref: string): { config: { rootfs: { diff_ids: string[] } }; raw: Record<string, unknown> } {
  const cfg = spawnSync('skopeo', ['inspect', '--config', ref], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(cfg.status, 0, cfg.stderr);
  const raw = spawnSync('skopeo', ['inspect', ref], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(raw.status, 0, raw.stderr);
  return { config: JSON.parse(cfg.stdout), raw: JSON.parse(raw.stdout) };
}

for (const [format, key] of [['docker-archive', 'KCTL_FIXTURE_DOCKER_ARCHIVE'], ['oci-archive', 'KCTL_FIXTURE_OCI_ARCHIVE']] as const) {
  test(`a skopeo ${format} loads, unpacks, and kctl's ${format} reads back in skopeo`, { skip }, async (t) => {
    const s = setup(t);
    const recs = await loadArchive(createReadStream(fx![key]!), { content: s.content, images: s.images, log: nullLogger, tmpDir: s.layout.tmpDir });
    assert.equal(recs.length, 1);
    const rec = recs[0]!;
    const theirs = skopeoInspect(`${format}:${fx![key]}`);
    assert.deepEqual(rec.diffIds, theirs.config.rootfs.diff_ids);
    if (format === 'docker-archive') assert.deepEqual(rec.repoTags, ['kctl.test/busybox:latest']);

    if (fs.existsSync(untarBinary())) {
      const dirs = await new LayerStore({ layout: s.layout, content: s.content, log: nullLogger }).ensureUnpacked(rec);
      assert.ok(fs.lstatSync(path.join(dirs[0]!, 'bin/busybox')).isFile());
    }

    for (const outFormat of ['docker-archive', 'oci-archive'] as const) {
      const file = path.join(s.root, `saved-${outFormat}.tar`);
      await saveArchive([rec], createWriteStream(file), { format: outFormat, content: s.content, tmpDir: s.layout.tmpDir });
      const back = skopeoInspect(`${outFormat}:${file}`);
      assert.deepEqual(back.config.rootfs.diff_ids, rec.diffIds, `${outFormat} diff_ids`);
      assert.equal((back.raw as { Architecture?: string }).Architecture, rec.platform.architecture);
    }
  });
}
