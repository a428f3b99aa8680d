/**
 * Warm start end to end: a daemon whose daemon.json asks for a pool of pre-booted VMs, real QEMU
 * VMs and virtiofsd, the container root bound into a VM that booted before the container existed.
 * One daemon serves every case; the cases run in order and share its VMs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { KctlEnv, fixtures, alive, eventually, mountsUnder } from '../helpers/kctl.js';

const IMG = 'kctl.test/busybox:latest';

interface PoolStatus { Size: number; Ready: number; Booting: number; Problem?: string }

describe('pool of pre-booted VMs', () => {
  const env = new KctlEnv('pool');
  after(() => env.teardown());

  const pool = async (): Promise<PoolStatus> => JSON.parse(await env.ok(['info', '--format', '{{json .Isolation.Pool}}']));
  const readyVm = () => eventually('a ready pool VM', async () => ((await pool()).Ready === 1 ? true : undefined), 60_000);
  /** QEMU pids of the idle pool VMs, from their records. */
  const idleQemuPids = () => fs.readdirSync(path.join(env.root, 'pool'))
    .filter((n) => n.endsWith('.json'))
    .map((n) => JSON.parse(fs.readFileSync(path.join(env.root, 'pool', n), 'utf8')))
    .filter((r) => r.state === 'idle')
    .map((r) => JSON.parse(fs.readFileSync(path.join(env.root, 'vms', r.vmId, 'vm.json'), 'utf8')).qemuPid as number);
  const daemonPid = () => Number(fs.readFileSync(path.join(env.root, 'kctld.pid'), 'utf8'));

  before(async () => {
    fs.writeFileSync(path.join(env.root, 'daemon.json'), JSON.stringify({ 'pool-size': 1 }));
    await env.ok(['load', '-q', '--input', fixtures().KCTL_FIXTURE_DOCKER_ARCHIVE]);
  });

  test('kctl info shows the pool; it fills in the background', async () => {
    await readyVm();
    const text = await env.ok(['info']);
    assert.match(text, /Pre-booted VMs: 1 ready of 1 \(1 vCPU, 256 MiB, network default/);
  });

  test('run --rm takes the pre-booted VM: the image\'s root, writable, output and exit code right', async () => {
    const [pooled] = idleQemuPids();
    const r = await env.run(['run', '--rm', IMG, 'sh', '-c', 'test -x /bin/busybox && echo image-root; echo written > /probe && cat /probe; ls /run/kctl 2>&1 | head -1; exit 7']);
    assert.equal(r.code, 7, r.stderr);
    assert.equal(r.stdout, 'image-root\nwritten\nls: /run/kctl: No such file or directory\n', 'the container sees its root only, not the share or the agent');
    assert.match(r.stderr, new RegExp(`VM pid ${pooled} .*\\(pre-booted, from the pool\\)`));
    // The VM was the container's alone: it is gone with it, and another one boots.
    await eventually('the claimed VM to stop', async () => (alive(pooled!) ? undefined : true));
    await readyVm();
    assert.notDeepEqual(idleQemuPids(), [pooled], 'a new VM refilled the pool');
  });

  test('a detached container from the pool: inspect says so, exec works, writes land in its own upper layer', async () => {
    await readyVm();
    const id = (await env.ok(['run', '-d', '-q', '--name', 'warm', IMG, 'sleep', '600'])).trim();
    const iso = JSON.parse(await env.ok(['inspect', id]))[0].Isolation;
    assert.equal(iso.FromPool, true);
    assert.equal(iso.PoolMiss, undefined);
    assert.equal(await env.ok(['exec', 'warm', 'sh', '-c', 'echo from-exec > /etc/warm; cat /etc/warm']), 'from-exec\n');
    assert.equal(fs.readFileSync(path.join(env.root, 'containers', id, 'upper', 'etc', 'warm'), 'utf8'), 'from-exec\n');
    assert.equal((await env.ok(['exec', 'warm', 'hostname'])).trim(), id.slice(0, 12), 'the container\'s hostname, set at START');
  });

  test('containers that do not fit the pool boot their own VM and the report says why', async () => {
    await readyVm();
    const bind = fs.mkdtempSync('/tmp/kctl-pool-bind-');
    try {
      const withBind = await env.run(['run', '--rm', '-v', `${bind}:/data`, IMG, 'sh', '-c', 'echo hi > /data/f']);
      assert.equal(withBind.code, 0, withBind.stderr);
      assert.match(withBind.stderr, /not from the pool: bind mounts and volumes/);
      assert.doesNotMatch(withBind.stderr, /pre-booted/);
      assert.equal(fs.readFileSync(path.join(bind, 'f'), 'utf8'), 'hi\n');
    } finally {
      fs.rmSync(bind, { recursive: true, force: true });
    }
    const id = (await env.ok(['run', '-d', '-q', '--memory', '300m', IMG, 'sleep', '600'])).trim();
    const iso = JSON.parse(await env.ok(['inspect', id]))[0].Isolation;
    assert.equal(iso.FromPool, false);
    assert.match(iso.PoolMiss, /300 MiB\) is not the pool's/);
    await env.ok(['rm', '-f', id]);
    assert.equal((await pool()).Ready, 1, 'the pool VM is still there for the next fitting start');
  });

  test('kctld killed: the new daemon re-adopts the idle VM and the running pool container; nothing leaks', async () => {
    await readyVm();
    const idle = idleQemuPids();
    const warmPid = JSON.parse(await env.ok(['inspect', 'warm']))[0].Isolation.VMPid as number;
    const old = daemonPid();
    process.kill(old, 'SIGKILL');
    await eventually('the old daemon to die', async () => (alive(old) ? undefined : true));

    assert.equal(await env.ok(['exec', 'warm', 'cat', '/etc/warm']), 'from-exec\n');
    assert.notEqual(daemonPid(), old);
    assert.equal((await pool()).Ready, 1);
    assert.deepEqual(idleQemuPids(), idle, 'the same idle VM, re-adopted, not a new one');
    const r = await env.run(['run', '--rm', IMG, 'echo', 'after-restart']);
    assert.equal(r.stdout, 'after-restart\n', r.stderr);
    assert.match(r.stderr, new RegExp(`VM pid ${idle[0]} .*from the pool`), 'the re-adopted VM still takes a container');

    await env.ok(['rm', '-f', 'warm']);
    assert.ok(!alive(warmPid));
    // pool-size 0 on SIGHUP: the idle VMs go; nothing of the pool stays but its (empty) directory's mount.
    fs.writeFileSync(path.join(env.root, 'daemon.json'), JSON.stringify({ 'pool-size': 0 }));
    process.kill(daemonPid(), 'SIGHUP');
    await eventually('the pool to empty', async () => ((await pool()).Ready === 0 && env.vmPids().length === 0 ? true : undefined));
    assert.deepEqual(fs.readdirSync(path.join(env.root, 'pool')), []);
    assert.deepEqual(fs.readdirSync(path.join(env.root, 'vms')), []);
    assert.deepEqual(mountsUnder(env.root), [path.join(env.root, 'pool')]);
    assert.match(await env.ok(['info']), /Pre-booted VMs: none/);
  });
});
