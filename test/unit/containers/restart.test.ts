import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRestartPolicy, shouldRestart, shouldRestartAtDaemonStart, nextRestartDelay } from '../../../src/core/containers/restart.js';

test('--restart values as Docker parses them', () => {
  assert.deepEqual(parseRestartPolicy('no'), { Name: 'no', MaximumRetryCount: 0 });
  assert.deepEqual(parseRestartPolicy(undefined), { Name: 'no', MaximumRetryCount: 0 });
  assert.deepEqual(parseRestartPolicy('always'), { Name: 'always', MaximumRetryCount: 0 });
  assert.deepEqual(parseRestartPolicy('unless-stopped'), { Name: 'unless-stopped', MaximumRetryCount: 0 });
  assert.deepEqual(parseRestartPolicy('on-failure'), { Name: 'on-failure', MaximumRetryCount: 0 });
  assert.deepEqual(parseRestartPolicy('on-failure:2'), { Name: 'on-failure', MaximumRetryCount: 2 });
  assert.throws(() => parseRestartPolicy('always:3'), /maximum retry count cannot be used/);
  assert.throws(() => parseRestartPolicy('on-failure:-1'), /non-negative integer/);
  assert.throws(() => parseRestartPolicy('on-failure:x'), /non-negative integer/);
  assert.throws(() => parseRestartPolicy('sometimes'), /invalid restart policy format/);
});

test('which exits are restarted', () => {
  const onFailure2 = { Name: 'on-failure' as const, MaximumRetryCount: 2 };
  assert.equal(shouldRestart(onFailure2, 1, false, 0), true);
  assert.equal(shouldRestart(onFailure2, 1, false, 1), true);
  assert.equal(shouldRestart(onFailure2, 1, false, 2), false, 'exactly N retries');
  assert.equal(shouldRestart(onFailure2, 0, false, 0), false, 'success is not a failure');
  assert.equal(shouldRestart({ Name: 'on-failure', MaximumRetryCount: 0 }, 1, false, 99), true, '0 means no limit');
  assert.equal(shouldRestart({ Name: 'always', MaximumRetryCount: 0 }, 0, false, 5), true);
  assert.equal(shouldRestart({ Name: 'always', MaximumRetryCount: 0 }, 0, true, 0), false, 'a manual stop holds');
  assert.equal(shouldRestart({ Name: 'unless-stopped', MaximumRetryCount: 0 }, 1, true, 0), false);
  assert.equal(shouldRestart({ Name: 'no', MaximumRetryCount: 0 }, 1, false, 0), false);
});

test('at daemon start, always comes back after a manual stop and unless-stopped does not', () => {
  assert.equal(shouldRestartAtDaemonStart({ Name: 'always', MaximumRetryCount: 0 }, 0, true, 0), true);
  assert.equal(shouldRestartAtDaemonStart({ Name: 'unless-stopped', MaximumRetryCount: 0 }, 0, true, 0), false);
  assert.equal(shouldRestartAtDaemonStart({ Name: 'unless-stopped', MaximumRetryCount: 0 }, 137, false, 0), true);
});

test('back-off doubles from 100 ms up to a minute and resets after 10 s of running', () => {
  assert.equal(nextRestartDelay(0, 0), 100);
  assert.equal(nextRestartDelay(100, 500), 200);
  assert.equal(nextRestartDelay(40_000, 500), 60_000);
  assert.equal(nextRestartDelay(60_000, 500), 60_000);
  assert.equal(nextRestartDelay(6_400, 10_000), 100);
});
