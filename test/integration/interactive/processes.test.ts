/**
 * With real VMs: `kctl top` lists the container's processes from the guest; `kctl stats` reports
 * guest CPU and memory beside the VM's host cost; `--init` puts a minimal init at PID 1 that
 * forwards `kctl stop`'s SIGTERM; `pause`/`unpause` freeze and thaw the VM with Docker's rules.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KctlEnv, fixtures } from '../helpers/kctl.js';

const IMG = 'kctl.test/busybox:latest';

describe('top, stats, --init, pause', () => {
  const env = new KctlEnv('procs');
  after(() => env.teardown());

  before(async () => {
    await env.ok(['load', '--input', fixtures().KCTL_FIXTURE_DOCKER_ARCHIVE]);
    await env.ok(['run', '-d', '-q', '--name', 'box', IMG, 'sh', '-c', 'sleep 500 & exec sleep 600']);
  });

  test('top lists the container\'s processes with Docker\'s columns', async () => {
    let out = '';
    // the background sleep may need a moment to exist
    for (let i = 0; i < 50 && (out.match(/sleep/g) ?? []).length < 2; i++) out = await env.ok(['top', 'box']);
    const [head, ...rows] = out.trim().split('\n');
    assert.deepEqual(head!.split(/\s+/), ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
    const cmds = rows.map((r) => r.split(/\s+/).slice(7).join(' '));
    assert.deepEqual(cmds.sort(), ['sleep 500', 'sleep 600']);
    // sleep 500's parent is sleep 600 (the shell exec'd into it)
    const byCmd = new Map(rows.map((r) => { const f = r.split(/\s+/); return [f.slice(7).join(' '), f]; }));
    assert.equal(byCmd.get('sleep 500')![2], byCmd.get('sleep 600')![1]);
    const aux = await env.ok(['top', 'box', 'aux']);
    assert.match(aux.split('\n')[0]!, /^USER\s+PID\s+%CPU\s+%MEM\s+VSZ\s+RSS/);
    const bad = await env.run(['top', 'box', '-o', 'pid']);
    assert.notEqual(bad.code, 0);
  });

  test('stats shows guest usage and the VM\'s host cost', async () => {
    const out = await env.ok(['stats', '--no-stream', '--format', 'json', 'box']);
    const row = JSON.parse(out.trim()) as Record<string, string>;
    assert.equal(row.Name, 'box');
    const bytes = (s: string) => {
      const m = /^(-?[\d.]+)(B|KiB|MiB|GiB)$/.exec(s.trim());
      assert.ok(m, `a size: ${s}`);
      return Number(m![1]) * { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 }[m![2] as 'B'];
    };
    const [used, limit] = row.MemUsage!.split(' / ').map(bytes);
    const inspect = JSON.parse(await env.ok(['inspect', 'box']))[0];
    const vmMiB = inspect.Isolation?.MemoryMiB ?? inspect.State?.Isolation?.MemoryMiB;
    assert.ok(used! > 0 && used! < limit!, `guest memory in use ${used} of ${limit}`);
    if (vmMiB) assert.ok(Math.abs(limit! / 1024 ** 2 - vmMiB) < 2, `limit ${limit} is the guest's MemTotal (${vmMiB} MiB)`);
    const pss = bytes(row.HostPSS!);
    assert.ok(pss > 1024 ** 2, `host PSS ${pss}`);
    assert.equal(Math.round(bytes(row.Overhead!) / 1024 ** 2), Math.round((pss - used!) / 1024 ** 2));
    assert.equal(row.PIDs, '2');
    assert.match(row.CPUPerc!, /^\d+\.\d\d%$/);
    const table = await env.ok(['stats', '--no-stream']);
    assert.match(table.split('\n')[0]!, /^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+HOST PSS \(VM\)\s+OVERHEAD\s+PIDS$/);
  });

  test('--init: the command is not PID 1, and stop delivers SIGTERM to it', async () => {
    await env.ok(['run', '-d', '-q', '--init', '--name', 'inited', IMG, 'sh', '-c', 'sleep 1 & exec sleep 100']);
    const ps = await env.ok(['exec', 'inited', 'ps', '-o', 'pid,comm']);
    const pid1 = ps.split('\n').map((l) => l.trim().split(/\s+/)).find((f) => f[0] === '1');
    assert.equal(pid1?.[1], 'kctl-init');
    assert.ok(ps.split('\n').some((l) => /^\s*\d+\s+sleep$/.test(l) && !/^\s*1\s/.test(l)), ps);
    // sleep as PID 1 would ignore SIGTERM and need the SIGKILL after the timeout (137); with --init it dies of it
    await env.ok(['stop', '-t', '30', 'inited']);
    assert.equal((await env.ok(['inspect', '--format', '{{.State.ExitCode}}', 'inited'])).trim(), '143');
  });

  test('pause freezes the VM; exec and attach are refused; unpause thaws; stop works while paused', async () => {
    await env.ok(['pause', 'box']);
    assert.match(await env.ok(['ps', '--format', '{{.Names}} {{.Status}}']), /^box Up .* \(Paused\)$/m);
    const ex = await env.run(['exec', 'box', 'true']);
    assert.notEqual(ex.code, 0);
    assert.match(ex.stderr, /is paused, unpause the container before exec/);
    assert.notEqual((await env.run(['pause', 'box'])).code, 0);
    await env.ok(['unpause', 'box']);
    assert.equal(await env.ok(['exec', 'box', 'echo', 'thawed']), 'thawed\n');
    assert.notEqual((await env.run(['unpause', 'box'])).code, 0);
    await env.ok(['pause', 'box']);
    await env.ok(['stop', '-t', '1', 'box']);
    assert.equal((await env.ok(['inspect', '--format', '{{.State.Status}}', 'box'])).trim(), 'exited');
  });
});
