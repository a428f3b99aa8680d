/**
 * Load and resource faults: many runs at once, many pulls of one image at once, and a container
 * that fills the disk its writable layer lives on.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { KctlEnv, fixtures } from '../helpers/kctl.js';
import { FakeRegistry, addTestImage } from '../../fixtures/fake-registry.js';

const IMG = 'kctl.test/busybox:latest';

describe('concurrency and full disks', () => {
  test('20 concurrent kctl run --rm: every one succeeds with its own output, nothing is left behind', async (t) => {
    const env = new KctlEnv('conc');
    t.after(() => env.teardown());
    await env.ok(['load', '-q', '--input', fixtures().KCTL_FIXTURE_DOCKER_ARCHIVE]);
    const runs = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      env.run(['run', '--rm', '-q', '--memory', '96m', IMG, 'sh', '-c', `echo run-${i}; exit ${i % 3}`], { timeoutMs: 300000 })));
    for (const [i, r] of runs.entries()) {
      assert.equal(r.code, i % 3, `run ${i}: ${r.stderr}`);
      assert.equal(r.stdout, `run-${i}\n`);
    }
    assert.equal((await env.ok(['ps', '-a', '-q'])).trim(), '');
    assert.deepEqual(env.vmPids(), []);
    assert.deepEqual(fs.readdirSync(path.join(env.root, 'vms')), []);
  });

  test('5 concurrent pulls of one image: all succeed and each blob is downloaded once', async (t) => {
    const reg = await FakeRegistry.start();
    const env = new KctlEnv('cpull');
    t.after(async () => { await env.teardown(); await reg.close(); });
    const img = addTestImage(reg, 'shared', '1', { layerSizes: [400_000, 800_000, 1_200_000] });
    await env.ok(['ps']);
    const pulls = await Promise.all(Array.from({ length: 5 }, () => env.run(['pull', '-q', `${reg.host}/shared:1`], { timeoutMs: 120000 })));
    for (const p of pulls) assert.equal(p.code, 0, p.stderr);
    for (const l of img.layers) {
      const gets = reg.requests.filter((q) => q.method === 'GET' && q.path.endsWith(`/blobs/${l.digest}`));
      assert.equal(gets.length, 1, `layer ${l.digest} fetched ${gets.length} times`);
    }
    assert.equal((await env.ok(['images', '-q'])).trim().split('\n').length, 1);
  });

  test('a container that fills the state root: its writes fail, the daemon and other containers are fine', async (t) => {
    const env = new KctlEnv('fill');
    t.after(() => env.teardown());
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m,mode=0711', 'tmpfs', env.root]);
    await env.ok(['load', '-q', '--input', fixtures().KCTL_FIXTURE_DOCKER_ARCHIVE]);
    await env.ok(['run', '-d', '-q', '--name', 'bystander', IMG, 'sleep', '300']);
    const hog = await env.run(['run', '--rm', '-q', IMG, 'sh', '-c', 'dd if=/dev/zero of=/fill bs=1M count=200 2>&1; echo dd=$?']);
    assert.match(hog.stdout, /No space left on device/i);
    assert.match(hog.stdout, /dd=1/);
    // The daemon keeps serving and the other container keeps running.
    assert.equal(await env.ok(['exec', 'bystander', 'echo', 'still-here']), 'still-here\n');
    assert.match(await env.ok(['ps', '--format', '{{.Names}} {{.State}}']), /^bystander running$/m);
    await env.ok(['rm', '-f', 'bystander']);
  });
});
