/** Restart policies with Docker's semantics, end to end with real VMs and real daemon restarts. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KctlEnv, fixtures, alive, eventually } from '../helpers/kctl.js';

const IMG = 'kctl.test/busybox:latest';

describe('restart policies', () => {
  const env = new KctlEnv('rs');
  after(() => env.teardown());
  before(async () => {
    await env.ok(['load', '-q', '--input', fixtures().KCTL_FIXTURE_DOCKER_ARCHIVE]);
  });
  const state = async (name: string) => JSON.parse(await env.ok(['inspect', name]))[0];

  test('on-failure:2 restarts exactly twice', async () => {
    await env.ok(['run', '-d', '-q', '--name', 'flaky', '--restart', 'on-failure:2', IMG, 'sh', '-c', 'echo run; exit 3']);
    const final = await eventually('two restarts', async () => {
      const s = await state('flaky');
      return s.RestartCount === 2 && s.State.Status === 'exited' ? s : undefined;
    });
    assert.equal(final.State.ExitCode, 3);
    assert.deepEqual(final.HostConfig.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 2 });
    await sleep(1500); // no third run comes later
    const later = await state('flaky');
    assert.equal(later.RestartCount, 2);
    assert.equal(later.State.Status, 'exited');
    assert.equal((await env.ok(['logs', 'flaky'])).trim().split('\n').length, 3, 'the first run and two restarts');
    await env.ok(['rm', 'flaky']);
  });

  test('always survives kill -9 of the daemon, and comes back at daemon start after a manual stop', async () => {
    await env.ok(['run', '-d', '-q', '--name', 'always', '--restart', 'always', IMG, 'sleep', '300']);
    const pid = Number(fs.readFileSync(path.join(env.root, 'kctld.pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
    await eventually('the daemon to die', async () => (alive(pid) ? undefined : true));
    assert.equal((await state('always')).State.Status, 'running');

    await env.ok(['stop', '-t', '0', 'always']);
    await sleep(800);
    assert.equal((await state('always')).State.Status, 'exited', 'a manual stop holds while the daemon runs');
    await env.ok(['system', 'stop']);
    await env.ok(['ps']); // a new daemon
    await eventually('always to be started by the new daemon', async () => ((await state('always')).State.Status === 'running' ? true : undefined));
    await env.ok(['rm', '-f', 'always']);
  });

  test('unless-stopped does not come back after a manual stop, even across daemon restarts', async () => {
    await env.ok(['run', '-d', '-q', '--name', 'us', '--restart', 'unless-stopped', IMG, 'sleep', '300']);
    await env.ok(['stop', '-t', '0', 'us']);
    await env.ok(['system', 'stop']);
    await env.ok(['ps']);
    await sleep(1000);
    assert.equal((await state('us')).State.Status, 'exited');
    // update changes the policy of an existing container.
    await env.ok(['update', '--restart', 'on-failure:5', 'us']);
    assert.deepEqual((await state('us')).HostConfig.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 5 });
    await env.ok(['rm', 'us']);
  });

  test('--rm with a restart policy is refused', async () => {
    const r = await env.run(['run', '--rm', '--restart', 'always', IMG, 'true']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /Conflicting options: --restart and --rm/);
    assert.equal((await env.ok(['ps', '-a', '-q'])).trim(), '', 'nothing was created');
  });
});
