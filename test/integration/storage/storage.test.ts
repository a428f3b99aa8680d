/**
 * Bind mounts, named volumes, tmpfs and read-only roots end to end with real microVMs: data
 * crosses a bind mount both ways, `:ro` holds even for root in the guest (virtiofsd serves a
 * read-only bind), volumes outlive containers and cannot be removed while in use, and bad mounts
 * fail before anything is created.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { KctlEnv, REPO, fixtures, processesUnder } from '../helpers/kctl.js';

const IMG = 'kctl.test/busybox:latest';

describe('container storage', () => {
  const env = new KctlEnv('sto');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kctl-sto-'));
  after(async () => {
    await env.teardown();
    fs.rmSync(work, { recursive: true, force: true });
  });
  before(async () => {
    await env.ok(['load', '--input', fixtures().KCTL_FIXTURE_DOCKER_ARCHIVE]);
  });

  test('a bind mount carries files both ways; :ro cannot be written even by root in the guest', async () => {
    const dir = path.join(work, 'bind');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'from-host'), 'host says hi\n');
    // Data written only through a shared mapping, by a process that exits at once: the VM powers off
    // right after, and what the guest still held must have reached the host by then.
    execFileSync('gcc', ['-static', '-O2', '-o', path.join(dir, 'mmap-write'), path.join(REPO, 'test/fixtures/native/mmap-write.c')]);
    const out = await env.ok(['run', '--rm', '-q', '-v', `${dir}:/data`, IMG, 'sh', '-c',
      'cat /data/from-host; echo guest says hi > /data/from-guest; /data/mmap-write /data/from-mmap written-through-a-mapping']);
    assert.equal(out, 'host says hi\n');
    assert.equal(fs.readFileSync(path.join(dir, 'from-guest'), 'utf8'), 'guest says hi\n');
    assert.equal(fs.readFileSync(path.join(dir, 'from-mmap'), 'utf8'), 'written-through-a-mapping');
    fs.rmSync(path.join(dir, 'mmap-write'));
    fs.rmSync(path.join(dir, 'from-mmap'));

    const ro = await env.run(['run', '--rm', '-q', '-v', `${dir}:/data:ro`, IMG, 'sh', '-c',
      'cat /data/from-host; echo x > /data/new; echo "write=$?"; rm /data/from-host; echo "rm=$?"; mount -o remount,rw /data; echo "remount=$?"; echo y > /data/new2; echo "again=$?"']);
    assert.equal(ro.code, 0, ro.stderr);
    assert.match(ro.stdout, /^host says hi$/m);
    assert.match(ro.stdout, /write=1/);
    assert.match(ro.stdout, /rm=1/);
    assert.match(ro.stdout, /again=1/, 'root in the guest wrote to a read-only share');
    assert.deepEqual(fs.readdirSync(dir).sort(), ['from-guest', 'from-host']);
  });

  test('-v creates a missing host directory; --mount refuses a missing source and creates nothing', async () => {
    const created = path.join(work, 'made', 'by', 'v');
    await env.ok(['run', '--rm', '-q', '-v', `${created}:/x`, IMG, 'touch', '/x/f']);
    assert.ok(fs.existsSync(path.join(created, 'f')));

    const before = (await env.ok(['ps', '-aq'])).split('\n').filter(Boolean).length;
    const missing = path.join(work, 'nope');
    const r = await env.run(['run', '--rm', '-q', '--mount', `type=bind,src=${missing},dst=/x`, IMG, 'true']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /bind source path does not exist/);
    assert.ok(!fs.existsSync(missing));
    assert.equal((await env.ok(['ps', '-aq'])).split('\n').filter(Boolean).length, before);

    for (const [flag, msg] of [
      [['-v', '/a:relative'], /mount path must be absolute/],
      [['-v', `${work}:/x/../y`], /"\." and "\.\." are not allowed/],
      [['--mount', 'type=bind,dst=/x'], /source is required/],
      [['--tmpfs', '/t:uid=0'], /unsupported option "uid=0"/],
      [['-v', `${work}:/d`, '-v', `${work}:/d`], /Duplicate mount point: \/d/],
    ] as const) {
      const e = await env.run(['run', '--rm', '-q', ...flag, IMG, 'true']);
      assert.equal(e.code, 125, `${flag.join(' ')}: ${e.stderr}`);
      assert.match(e.stderr, msg);
    }
  });

  test('a named volume keeps its data across containers and cannot be removed while a container uses it', async () => {
    assert.equal(await env.ok(['volume', 'create', 'keep']), 'keep\n');
    await env.ok(['run', '--rm', '-q', '-v', 'keep:/v', IMG, 'sh', '-c', 'echo persisted > /v/f']);
    assert.equal(await env.ok(['run', '--name', 'user', '-q', '-v', 'keep:/v:ro', IMG, 'cat', '/v/f']), 'persisted\n');
    const doc = JSON.parse(await env.ok(['volume', 'inspect', 'keep']))[0];
    assert.equal(doc.Name, 'keep');
    assert.equal(fs.readFileSync(path.join(doc.Mountpoint, 'f'), 'utf8'), 'persisted\n');
    const ins = JSON.parse(await env.ok(['inspect', 'user']))[0];
    assert.deepEqual(ins.Mounts.map((m: { Type: string; Name: string; Destination: string; RW: boolean }) => [m.Type, m.Name, m.Destination, m.RW]), [['volume', 'keep', '/v', false]]);

    const busy = await env.run(['volume', 'rm', 'keep']);
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, /volume is in use - \[user\]/);
    await env.ok(['rm', 'user']);
    assert.equal(await env.ok(['volume', 'rm', 'keep']), 'keep\n');
    assert.doesNotMatch(await env.ok(['volume', 'ls', '-q']), /^keep$/m);
    assert.ok(!fs.existsSync(doc.Mountpoint));
    assert.equal(processesUnder(env.root).filter((p) => fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('virtiofsd')).length, 0, 'no virtiofsd left');
  });

  test('--read-only makes the root read-only; --tmpfs gives a writable scratch directory', async () => {
    const out = await env.ok(['run', '--rm', '-q', '--read-only', '--tmpfs', '/scratch:size=1m', IMG, 'sh', '-c',
      'touch /rootfile 2>/dev/null; echo "root=$?"; echo hi > /scratch/f && cat /scratch/f; grep " /scratch " /proc/mounts']);
    assert.match(out, /root=1/);
    assert.match(out, /^hi$/m);
    assert.match(out, /tmpfs \/scratch tmpfs rw,nosuid,nodev,noexec,relatime,size=1024k/);
  });
});
