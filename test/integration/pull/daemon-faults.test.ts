/**
 * Pull faults as the user meets them, through the CLI and a real daemon: kctld killed in the middle
 * of a download (the next pull resumes from the verified prefix), and a state root that fills up
 * during a pull (a clear error, no partial blob visible, the store usable afterwards).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { KctlEnv, alive, eventually } from '../helpers/kctl.js';
import { FakeRegistry, addTestImage } from '../../fixtures/fake-registry.js';

/** Every committed blob hashes to its name: nothing partial is ever visible under a digest. */
function assertBlobsVerified(root: string): number {
  const dir = path.join(root, 'content', 'blobs', 'sha256');
  if (!fs.existsSync(dir)) return 0;
  const names = fs.readdirSync(dir);
  for (const n of names) {
    const hex = createHash('sha256').update(fs.readFileSync(path.join(dir, n))).digest('hex');
    assert.equal(hex, n, `blob ${n} does not match its digest`);
  }
  return names.length;
}

describe('pull faults through the daemon', () => {
  test('kill -9 of kctld mid-pull: the next pull resumes with a Range request and completes', async (t) => {
    const reg = await FakeRegistry.start();
    const env = new KctlEnv('resume');
    t.after(async () => { await env.teardown(); await reg.close(); });
    const img = addTestImage(reg, 'app', '1', { layerSizes: [3_000_000] });
    const big = img.layers[0];
    reg.knobs.stallBlobsAt = 1_000_000;
    const ref = `${reg.host}/app:1`;

    await env.ok(['ps']); // starts the daemon
    const firstPull = env.run(['pull', '-q', ref], { timeoutMs: 60000 });
    const partial = path.join(env.root, 'content', 'ingest', big.digest.slice(7), 'data');
    await eventually('the first megabyte to arrive', () => (fs.existsSync(partial) && fs.statSync(partial).size >= 1_000_000 ? true : undefined));
    const pid = Number(fs.readFileSync(path.join(env.root, 'kctld.pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
    const r1 = await firstPull;
    assert.equal(r1.code, 125, 'the interrupted pull fails');
    assert.ok(!alive(pid));
    assert.ok(!fs.existsSync(path.join(env.root, 'content', 'blobs', 'sha256', big.digest.slice(7))), 'no partial blob under its digest');

    const r2 = await env.run(['pull', ref], { timeoutMs: 60000 });
    assert.equal(r2.code, 0, r2.stderr);
    const gets = reg.requests.filter((q) => q.method === 'GET' && q.path.endsWith(`/blobs/${big.digest}`));
    assert.ok(gets.length >= 2);
    assert.match(String(gets.at(-1)!.headers.range), /^bytes=\d+-$/, 'the second download asks for the rest only');
    assert.ok(Number(/bytes=(\d+)-/.exec(String(gets.at(-1)!.headers.range))![1]) > 0);
    assertBlobsVerified(env.root);
    assert.match(await env.ok(['images', '--format', '{{.Repository}}:{{.Tag}}']), new RegExp(`${reg.host.replace(/[.]/g, '\\.')}/app:1`));
  });

  test('a state root that fills up during a pull: clear error, nothing partial, the next pull works', async (t) => {
    const reg = await FakeRegistry.start();
    const env = new KctlEnv('full');
    t.after(async () => { await env.teardown(); await reg.close(); });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=6m,mode=0711', 'tmpfs', env.root]);
    addTestImage(reg, 'huge', '1', { layerSizes: [8_000_000] });
    addTestImage(reg, 'small', '1', { layerSizes: [10_000] });

    const r = await env.run(['pull', '-q', `${reg.host}/huge:1`], { timeoutMs: 60000 });
    assert.equal(r.code, 125);
    assert.match(r.stderr, /no space left on device/i);
    assert.match(r.stderr, /huge|sha256:/, 'the error names the image or the layer');
    assertBlobsVerified(env.root);

    // The daemon is still healthy and the store consistent: a small image pulls fine.
    const ok = await env.run(['pull', '-q', `${reg.host}/small:1`], { timeoutMs: 60000 });
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(assertBlobsVerified(env.root) >= 2);
    assert.match(await env.ok(['images', '--format', '{{.Repository}}']), /small/);
  });
});

