/**
 * kill -9 of kctld in the middle of an operation, repeated: during an exec, during a start (the VM
 * still booting), during a removal. Afterwards a new daemon finishes or undoes the work, and once the
 * containers are removed no process, mount or file of theirs is left.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KctlEnv, fixtures, alive, mountsUnder } from '../helpers/kctl.js';

const IMG = 'kctl.test/busybox:latest';

describe('kill -9 of kctld during operations', () => {
  const env = new KctlEnv('kd');
  after(() => env.teardown());
  before(async () => {
    await env.ok(['load', '-q', '--input', fixtures().KCTL_FIXTURE_DOCKER_ARCHIVE]);
  });
  const daemonPid = () => Number(fs.readFileSync(path.join(env.root, 'kctld.pid'), 'utf8'));
  async function killDaemon(): Promise<void> {
    const pid = daemonPid();
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100 && alive(pid); i++) await sleep(50);
    assert.ok(!alive(pid));
  }
  function assertNothingLeft(): void {
    assert.deepEqual(env.vmPids(), []);
    assert.deepEqual(fs.readdirSync(path.join(env.root, 'vms')), []);
    assert.deepEqual(mountsUnder(path.join(env.root, 'containers')), []);
    assert.deepEqual(fs.readdirSync(path.join(env.root, 'containers')), []);
  }

  test('during an exec, three times: the exec process runs on, the container stays usable', async () => {
    await env.ok(['run', '-d', '-q', '--name', 'box', IMG, 'sleep', '600']);
    for (let round = 0; round < 3; round++) {
      const exec = env.run(['exec', 'box', 'sh', '-c', `sleep 1; echo done-${round} > /exec-${round}`], { timeoutMs: 60000 });
      await sleep(400);
      await killDaemon();
      const r = await exec;
      assert.notEqual(r.code, 0, 'the exec client lost its daemon');
      // The next command starts a new daemon, which re-adopts the container.
      const out = await env.ok(['exec', 'box', 'sh', '-c', `sleep 1.5; cat /exec-${round}`]);
      assert.equal(out, `done-${round}\n`, 'the interrupted exec finished inside the VM');
    }
    assert.match(await env.ok(['ps', '--format', '{{.Names}} {{.State}}']), /^box running$/m);
  });

  test('during a start, while the VM boots: the container ends up running or exited, never half-made', async () => {
    for (let round = 0; round < 2; round++) {
      const run = env.run(['run', '-d', '-q', '--name', `boot${round}`, IMG, 'sleep', '600'], { timeoutMs: 60000 });
      await sleep(150 + round * 150);
      await killDaemon();
      await run;
      const state = (await env.ok(['inspect', '-f', '{{.State.Status}}', `boot${round}`]).catch(() => 'missing\n')).trim();
      assert.ok(['running', 'exited', 'created', 'missing'].includes(state), `state ${state}`);
      if (state === 'running') assert.equal(await env.ok(['exec', `boot${round}`, 'echo', 'ok']), 'ok\n');
      else {
        // Not running: then no VM may be left for it, and it can be started cleanly.
        const id = (await env.ok(['inspect', '-f', '{{.Id}}', `boot${round}`]).catch(() => '')).trim();
        if (id) {
          const rec = JSON.parse(fs.readFileSync(path.join(env.root, 'containers', id, 'container.json'), 'utf8'));
          assert.equal(rec.State.VmId, undefined, 'no VM recorded for a container that is not running');
        }
      }
    }
    // Every VM left is one of a running container.
    const running = (await env.ok(['ps', '-q'])).trim().split('\n').filter(Boolean).length;
    assert.equal(fs.readdirSync(path.join(env.root, 'vms')).length, running);
  });

  test('during removals: rm -f again finishes the job and nothing is left behind', async () => {
    await env.ok(['run', '-d', '-q', '--name', 'gone1', IMG, 'sleep', '600']);
    const names = ['box', 'boot0', 'boot1', 'gone1'];
    const removal = env.run(['rm', '-f', ...names], { timeoutMs: 60000 });
    await sleep(300);
    await killDaemon();
    await removal;
    const left = (await env.ok(['ps', '-a', '--format', '{{.Names}}'])).trim().split('\n').filter(Boolean);
    if (left.length) await env.ok(['rm', '-f', ...left]);
    assert.equal((await env.ok(['ps', '-a', '-q'])).trim(), '');
    // A daemon restart sweeps what a killed removal could have left (orphan VMs, mounts).
    await env.ok(['system', 'stop']);
    await env.ok(['ps']);
    assertNothingLeft();
  });
});
