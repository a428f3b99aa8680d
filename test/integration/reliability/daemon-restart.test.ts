/**
 * Crash safety: containers outlive kctld, a new daemon re-adopts them, and a VM (or its virtiofsd)
 * that dies turns its container into `exited` without anyone asking. Real VMs, real kill -9.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KctlEnv, fixtures, alive, eventually } from '../helpers/kctl.js';

const IMG = 'kctl.test/busybox:latest';
const TICKER = 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 1; done';

function daemonPid(env: KctlEnv): number {
  return Number(fs.readFileSync(path.join(env.root, 'kctld.pid'), 'utf8'));
}

describe('kctld crash and VM death', () => {
  const env = new KctlEnv('rel');
  after(() => env.teardown());
  before(async () => {
    await env.ok(['load', '-q', '--input', fixtures().KCTL_FIXTURE_DOCKER_ARCHIVE]);
  });

  test('three running containers survive kill -9 of kctld; exec, logs and stop work on them afterwards', async () => {
    const ids: string[] = [];
    for (const n of ['r1', 'r2', 'r3']) ids.push((await env.ok(['run', '-d', '-q', '--name', n, IMG, 'sh', '-c', TICKER])).trim());
    const vmPids = await Promise.all(ids.map(async (id) => JSON.parse(await env.ok(['inspect', id]))[0].Isolation.VMPid as number));

    const old = daemonPid(env);
    process.kill(old, 'SIGKILL');
    await eventually('the old daemon to die', async () => (alive(old) ? undefined : true));
    for (const p of vmPids) assert.ok(alive(p), 'QEMU outlives the daemon');

    // The next command starts a new daemon, which re-adopts the running VMs.
    const ps = await env.ok(['ps', '--format', '{{.Names}} {{.State}}']);
    assert.notEqual(daemonPid(env), old);
    for (const n of ['r1', 'r2', 'r3']) assert.match(ps, new RegExp(`^${n} running$`, 'm'));
    for (const [i, id] of ids.entries()) {
      assert.equal(JSON.parse(await env.ok(['inspect', id]))[0].Isolation.VMPid, vmPids[i], 'the same VM, not a new one');
    }

    assert.equal(await env.ok(['exec', 'r1', 'echo', 'still-here']), 'still-here\n');

    // Output keeps flowing into the log after the restart.
    const last = async () => Number(/tick (\d+)\s*$/.exec(await env.ok(['logs', '--tail', '1', 'r2']))?.[1] ?? -1);
    const before = await last();
    await eventually('new log lines after the restart', async () => ((await last()) > before + 1 ? true : undefined));

    await env.ok(['stop', '-t', '1', 'r3']);
    assert.match(await env.ok(['ps', '-a', '--format', '{{.Names}} {{.State}}']), /^r3 exited$/m);
    assert.ok(!alive(vmPids[2]));
    await env.ok(['rm', '-f', 'r1', 'r2', 'r3']);
    for (const p of vmPids) assert.ok(!alive(p));
  });

  test('a container that exits while kctld is down is reported with its own exit code', async () => {
    await env.ok(['run', '-d', '-q', '--name', 'quitter', IMG, 'sh', '-c', 'sleep 2; echo done; exit 4']);
    process.kill(daemonPid(env), 'SIGKILL');
    await sleep(3500);
    assert.equal((await env.ok(['wait', 'quitter'])).trim(), '4');
    assert.match(await env.ok(['logs', 'quitter']), /done/);
    await env.ok(['rm', 'quitter']);
  });

  test('kill -9 of a container QEMU: the container is exited with 137 and its resources are freed', async () => {
    const id = (await env.ok(['run', '-d', '-q', '--name', 'victim', IMG, 'sleep', '300'])).trim();
    const doc = JSON.parse(await env.ok(['inspect', id]))[0];
    const qemu = doc.Isolation.VMPid as number;
    const vmDir = path.join(env.root, 'vms');
    assert.equal(fs.readdirSync(vmDir).length, 1);
    process.kill(qemu, 'SIGKILL');
    const state = await eventually('the container to be marked exited', async () => {
      const s = JSON.parse(await env.ok(['inspect', id]))[0].State;
      return s.Status === 'exited' ? s : undefined;
    });
    assert.equal(state.ExitCode, 137);
    assert.match(state.Error, /VM exited unexpectedly/);
    assert.deepEqual(env.vmPids(), [], 'virtiofsd is gone too');
    assert.deepEqual(fs.readdirSync(vmDir), []);
    // It can start again in a fresh VM.
    await env.ok(['start', '-q', 'victim']);
    assert.equal((await env.ok(['inspect', '-f', '{{.State.Status}}', 'victim'])).trim(), 'running');
    await env.ok(['rm', '-f', 'victim']);
  });

  test('kill -9 of a container virtiofsd: the container is exited with a clear reason', async () => {
    const id = (await env.ok(['run', '-d', '-q', IMG, 'sleep', '300'])).trim();
    const vmId = JSON.parse(await env.ok(['inspect', id]))[0] && fs.readdirSync(path.join(env.root, 'vms'))[0];
    const vm = JSON.parse(fs.readFileSync(path.join(env.root, 'vms', vmId, 'vm.json'), 'utf8'));
    process.kill(vm.virtiofsd[0].pid, 'SIGKILL');
    const state = await eventually('the container to be marked exited', async () => {
      const s = JSON.parse(await env.ok(['inspect', id]))[0].State;
      return s.Status === 'exited' ? s : undefined;
    });
    assert.equal(state.ExitCode, 137);
    assert.match(state.Error, /virtiofsd/);
    assert.ok(!alive(vm.qemuPid));
    await env.ok(['rm', id]);
  });

  test('stop, kill and rm are safe to repeat', async () => {
    await env.ok(['run', '-d', '-q', '--name', 'twice', IMG, 'sleep', '300']);
    await env.ok(['stop', '-t', '0', 'twice']);
    await env.ok(['stop', '-t', '0', 'twice']);
    const kill = await env.run(['kill', 'twice']);
    assert.equal(kill.code, 1);
    assert.match(kill.stderr, /is not running/);
    await env.ok(['rm', 'twice']);
    const again = await env.run(['rm', 'twice']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /No such container: twice/);
  });
});
