/**
 * Parity with umoci: the multi-layer fixture unpacked by kctl (one directory per layer, overlay
 * whiteouts) and mounted as an overlay must look exactly like `umoci unpack` of the same image:
 * paths, types, modes, owners, sizes, contents, link targets, device numbers, hard links and
 * non-directory mtimes; deleted files absent, opaque directories replaced.
 *
 * Needs root, umoci and the fixtures: test/fixtures/build-images.sh
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { LayerStore } from '../../../src/core/images/layers.js';
import { prepareRootfs, mountRootfs, unmountRootfs, removeRootfs } from '../../../src/core/images/rootfs.js';
import { untarBinary } from '../../../src/core/images/unpack.js';
import { FsContentStore } from '../../../src/core/images/content-store.js';
import { RootLayout } from '../../../src/core/paths.js';
import { nullLogger } from '../../../src/core/util/log.js';
import { describeTree, fixtures, importLayout } from './helpers.js';

const fx = fixtures();
const skip = process.getuid?.() !== 0 ? 'needs root'
  : !fs.existsSync(untarBinary()) ? 'build native/out/kctl-untar first: make -C native'
  : !fx ? 'build the fixtures first: test/fixtures/build-images.sh' : false;

function withMtimes(root: string, lines: string[]): string[] {
  return lines.map((l) => {
    const rel = l.split(' ')[0]!;
    const s = fs.lstatSync(path.join(root, rel));
    return s.isDirectory() ? l : `${l} @${s.mtimeMs}`;
  });
}

for (const [name, key] of [['multi-layer', 'KCTL_FIXTURE_LAYERS'], ['busybox', 'KCTL_FIXTURE_BUSYBOX'], ['nginx', 'KCTL_FIXTURE_NGINX']] as const) {
  const why = skip || (fx && !fx[key] ? `no ${name} fixture: test/fixtures/build-images.sh${name === 'nginx' ? ' --nginx' : ''}` : false);
  test(`the overlay of kctl's layers equals umoci's rootfs for the ${name} fixture`, { skip: why, timeout: 300_000 }, async (t) => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'kctl-parity-'));
    const layout = new RootLayout(path.join(base, 'root'));
    const id = 'parity' + process.pid;
    t.after(async () => {
      await removeRootfs(layout, id).catch(() => {});
      fs.rmSync(base, { recursive: true, force: true });
    });
    const content = new FsContentStore(layout.contentDir);
    const img = await importLayout(fx![key]!, content);
    const store = new LayerStore({ layout, content, log: nullLogger });
    const dirs = await store.ensureUnpacked(img);
    assert.equal(dirs.length, img.diffIds.length);
    const plan = await prepareRootfs(layout, id, dirs);
    await mountRootfs(plan);

    const bundle = path.join(base, 'umoci');
    const r = spawnSync('umoci', ['unpack', '--image', fx![key]!, bundle], { timeout: 120_000, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const oracle = path.join(bundle, 'rootfs');

    const ours = withMtimes(plan.mergedDir, describeTree(plan.mergedDir)).filter((l) => !l.startsWith('. '));
    const theirs = withMtimes(oracle, describeTree(oracle)).filter((l) => !l.startsWith('. '));
    assert.ok(theirs.length > 10, 'the oracle produced a tree');
    assert.deepEqual(ours, theirs);

    if (name === 'multi-layer') {
      // Spot checks that the fixture exercises what it claims to.
      assert.equal(fs.existsSync(path.join(plan.mergedDir, 'data/del')), false);
      assert.equal(fs.existsSync(path.join(plan.mergedDir, 'opq/old-a')), false);
      assert.deepEqual(fs.readdirSync(path.join(plan.mergedDir, 'opq')), ['new']);
      assert.ok(fs.lstatSync(path.join(plan.mergedDir, 'data/was-file')).isDirectory());
      assert.equal(fs.lstatSync(path.join(plan.mergedDir, 'bin/suid-echo')).mode & 0o7777, 0o4755);
    }
    await unmountRootfs(plan);
  });
}
