/**
 * Docker's restart policies (moby restartmanager): whether a container that stopped is started
 * again, and after how long.
 *   no              never
 *   on-failure[:N]  when it exited non-zero, at most N times (0: no limit)
 *   always          always; a manual stop holds until the daemon restarts or the container is started
 *   unless-stopped  like always, but a manual stop holds across daemon restarts too
 */
import { invalidArgument } from '../errors.js';
import type { RestartPolicy } from './types.js';

export const NO_RESTART: RestartPolicy = { Name: 'no', MaximumRetryCount: 0 };

/** Parses `--restart` values: no, always, unless-stopped, on-failure, on-failure:3. */
export function parseRestartPolicy(value: string | undefined): RestartPolicy {
  if (!value || value === 'no') return NO_RESTART;
  const [name, count, extra] = value.split(':');
  if (extra !== undefined) throw invalidArgument(`invalid restart policy format: ${value}`);
  if (name === 'always' || name === 'unless-stopped') {
    if (count !== undefined) throw invalidArgument(`maximum retry count cannot be used with restart policy '${name}'`);
    return { Name: name, MaximumRetryCount: 0 };
  }
  if (name === 'on-failure') {
    const n = count === undefined ? 0 : Number(count);
    if (!Number.isInteger(n) || n < 0 || (count !== undefined && !/^\d+$/.test(count))) throw invalidArgument(`invalid restart policy format: maximum retry count must be a non-negative integer: ${value}`);
    return { Name: 'on-failure', MaximumRetryCount: n };
  }
  throw invalidArgument(`invalid restart policy format: ${value}`, { hint: 'use no, always, unless-stopped or on-failure[:max-retries]' });
}

export function validateRestartPolicy(p: RestartPolicy | undefined): RestartPolicy {
  if (!p || !p.Name) return NO_RESTART;
  if (!['no', 'always', 'unless-stopped', 'on-failure'].includes(p.Name)) throw invalidArgument(`invalid restart policy '${p.Name}'`);
  if (p.MaximumRetryCount < 0) throw invalidArgument(`invalid restart policy: maximum retry count must not be negative`);
  if (p.Name !== 'on-failure' && p.MaximumRetryCount > 0) throw invalidArgument(`maximum retry count cannot be used with restart policy '${p.Name}'`);
  return p;
}

/** moby ShouldRestart: `stoppedByUser` is a manual stop (or, at daemon start, one remembered from before). */
export function shouldRestart(p: RestartPolicy, exitCode: number, stoppedByUser: boolean, restartCount: number): boolean {
  switch (p.Name) {
    case 'always':
      return !stoppedByUser;
    case 'unless-stopped':
      return !stoppedByUser;
    case 'on-failure':
      return !stoppedByUser && exitCode !== 0 && (p.MaximumRetryCount === 0 || restartCount < p.MaximumRetryCount);
    default:
      return false;
  }
}

/** At daemon start: `always` comes back even after a manual stop; `unless-stopped` does not. */
export function shouldRestartAtDaemonStart(p: RestartPolicy, exitCode: number, stoppedByUser: boolean, restartCount: number): boolean {
  if (p.Name === 'always') return true;
  return shouldRestart(p, exitCode, stoppedByUser, restartCount);
}

/** Docker's back-off: 100 ms, doubling on consecutive restarts, at most a minute; reset after 10 s of running. */
export function nextRestartDelay(previousMs: number, ranForMs: number): number {
  if (ranForMs >= 10_000 || previousMs <= 0) return 100;
  return Math.min(previousMs * 2, 60_000);
}
