/**
 * Parsers of what the guest reports for `kctl stats` and `kctl top`: the guest is untrusted, so
 * malformed or hostile input must give bounded, sane values rather than throw or mislead.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuPercent, parseGuestStats, type ContainerStatsSample } from '../../../src/core/containers/stats.js';
import { decodeProcessList, formatTop } from '../../../src/core/containers/top.js';

const STAT = (user: number, idle: number) => `cpu  ${user} 0 10 ${idle} 5 0 0 0 0 0\ncpu0 ${user} 0 10 ${idle} 5 0 0 0 0 0\ncpu1 0 0 0 0 0 0 0 0 0 0\nbtime 1\n`;
const MEM = 'MemTotal:         248000 kB\nMemFree:          200000 kB\nMemAvailable:     230000 kB\n';

test('guest counters: busy and total jiffies, memory in use, pids', () => {
  const g = parseGuestStats(STAT(100, 1000) + MEM + 'pids 3\n');
  assert.equal(g.total, 100 + 10 + 1000 + 5);
  assert.equal(g.busy, 110);
  assert.equal(g.onlineCpus, 2);
  assert.equal(g.memTotal, 248000 * 1024);
  assert.equal(g.memTotal - g.memAvailable, 18000 * 1024);
  assert.equal(g.pids, 3);
});

test('hostile guest text gives bounded values', () => {
  const g = parseGuestStats('cpu -5 x NaN 1e400\nMemTotal: -1 kB\nMemAvailable: 99999999999 kB\npids 1e99\n');
  assert.ok(g.total >= 0 && g.busy >= 0);
  assert.equal(g.memTotal, 0);
  assert.ok(g.memAvailable <= g.memTotal);
  assert.ok(g.pids <= 1e7);
  assert.equal(parseGuestStats('').onlineCpus, 1);
});

test('CPU % between two samples, 100 % per guest CPU', () => {
  const sample = (busy: number, total: number): ContainerStatsSample => ({
    id: 'x', name: 'x', read: '', cpu: { total, busy, onlineCpus: 2 }, memory: { usage: 0, limit: 1 }, pids: 0,
    host: { pss: 0, qemuPss: 0, virtiofsdPss: 0, helpersPss: 0 }, overhead: 0,
  });
  assert.equal(cpuPercent(undefined, sample(10, 100)), 0);
  assert.equal(cpuPercent(sample(0, 0), sample(50, 100)), 100);
  assert.equal(cpuPercent(sample(50, 100), sample(50, 100)), 0); // no time passed
  assert.equal(cpuPercent(sample(60, 100), sample(50, 200)), 0); // counters went back: not negative
});

function procsBody(procs: { pid: number; nsPid: number; uid: number; stat: string; cmd: string }[], truncateAt?: number): Buffer {
  const parts: Buffer[] = [];
  const head = Buffer.alloc(12);
  head.writeUInt32BE(100, 0);
  head.writeUInt32BE(0, 4);
  head.writeUInt32BE(50_000, 8); // 50 s up
  parts.push(head);
  for (const p of procs) {
    const ids = Buffer.alloc(12);
    ids.writeUInt32BE(p.pid, 0);
    ids.writeUInt32BE(p.nsPid, 4);
    ids.writeUInt32BE(p.uid, 8);
    const st = Buffer.from(p.stat);
    const cl = Buffer.from(p.cmd);
    const l1 = Buffer.alloc(2); l1.writeUInt16BE(st.length);
    const l2 = Buffer.alloc(2); l2.writeUInt16BE(cl.length);
    parts.push(ids, l1, st, l2, cl);
  }
  const all = Buffer.concat(parts);
  return truncateAt ? all.subarray(0, truncateAt) : all;
}

// pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime prio nice threads itreal starttime vsize rss
const stat = (pid: number, comm: string, ppid: number, utime: number, start: number) =>
  `${pid} (${comm}) S ${ppid} 1 1 34816 -1 0 0 0 0 0 ${utime} 0 0 0 20 0 1 0 ${start} 4096000 100`;

test('top: processes decoded from the agent, a hostile command name cannot shift the columns', () => {
  const body = procsBody([
    { pid: 27, nsPid: 2, uid: 1000, stat: stat(27, 'sleep', 26, 200, 1000), cmd: 'sleep 100' },
    { pid: 26, nsPid: 1, uid: 0, stat: stat(26, 'evil) R 1 2 3 (x', 1, 0, 900), cmd: 'evil\u001b[2J' },
  ]);
  const list = decodeProcessList(body);
  assert.deepEqual(list.processes.map((p) => [p.pid, p.nsPid, p.ppid]), [[26, 1, 1], [27, 2, 26]]);
  assert.equal(list.processes[0]!.comm, 'evil) R 1 2 3 (x');
  const doc = formatTop(list, [], 100_000);
  assert.deepEqual(doc.Titles, ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
  const sleep = doc.Processes[1]!;
  assert.equal(sleep[0], '1000');
  assert.equal(sleep[2], '26');
  assert.equal(sleep[5], 'pts/0');
  assert.equal(sleep[6], '00:00:02');
  assert.equal(sleep[7], 'sleep 100');
  assert.ok(!doc.Processes[0]![7]!.includes('\u001b'), 'control characters are neutralised');
  assert.equal(formatTop(list, ['aux'], 100_000).Titles[0], 'USER');
  assert.throws(() => formatTop(list, ['-o', 'pid']), /supports the ps options/);
});

test('top: a truncated or garbled body ends the list without throwing', () => {
  const body = procsBody([{ pid: 5, nsPid: 1, uid: 0, stat: stat(5, 'a', 1, 0, 0), cmd: 'a' }, { pid: 6, nsPid: 2, uid: 0, stat: stat(6, 'b', 5, 0, 0), cmd: 'b' }]);
  assert.equal(decodeProcessList(body.subarray(0, body.length - 3)).processes.length, 1);
  assert.equal(decodeProcessList(Buffer.alloc(3)).processes.length, 0);
  const garbled = procsBody([{ pid: 7, nsPid: 1, uid: 0, stat: 'no parens here', cmd: '' }]);
  assert.equal(decodeProcessList(garbled).processes.length, 0);
});
