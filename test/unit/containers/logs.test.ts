import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JsonFileLogWriter, readLogs, parseLogTime } from '../../../src/core/containers/logs.js';

function tmpLog(t: { after: (fn: () => void) => void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kctl-logs-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'c-json.log');
}

async function collect(file: string, o: Parameters<typeof readLogs>[1]) {
  const out = [];
  for await (const e of readLogs(file, o)) out.push(e);
  return out;
}

test("writes Docker's json-file lines, split at newlines, partial lines held until flushed", async (t) => {
  const file = tmpLog(t);
  const w = new JsonFileLogWriter(file);
  w.write('stdout', Buffer.from('one\ntw'));
  w.write('stderr', Buffer.from('err\n'));
  w.write('stdout', Buffer.from('o\nthree'));
  w.close();
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => [l.stream, l.log]), [['stdout', 'one\n'], ['stderr', 'err\n'], ['stdout', 'two\n'], ['stdout', 'three']]);
  assert.match(lines[0].time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
});

test('a multi-byte character split across writes is kept whole', (t) => {
  const file = tmpLog(t);
  const w = new JsonFileLogWriter(file);
  const euro = Buffer.from('€\n');
  w.write('stdout', euro.subarray(0, 1));
  w.write('stdout', euro.subarray(1));
  w.close();
  assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).log, '€\n');
});

test('reads with stream selection, tail, since and until; skips a torn last line', async (t) => {
  const file = tmpLog(t);
  const rows = [
    { log: 'a\n', stream: 'stdout', time: '2026-01-01T00:00:01.000000000Z' },
    { log: 'b\n', stream: 'stderr', time: '2026-01-01T00:00:02.000000000Z' },
    { log: 'c\n', stream: 'stdout', time: '2026-01-01T00:00:03.000000000Z' },
  ];
  fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n{"log":"tor');
  const base = { stdout: true, stderr: true, follow: false };
  assert.deepEqual((await collect(file, base)).map((e) => e.log), ['a\n', 'b\n', 'c\n']);
  assert.deepEqual((await collect(file, { ...base, stderr: false })).map((e) => e.log), ['a\n', 'c\n']);
  assert.deepEqual((await collect(file, { ...base, tail: 1 })).map((e) => e.log), ['c\n']);
  assert.deepEqual((await collect(file, { ...base, tail: 0 })).map((e) => e.log), []);
  assert.deepEqual((await collect(file, { ...base, since: Date.parse('2026-01-01T00:00:02Z') })).map((e) => e.log), ['b\n', 'c\n']);
  assert.deepEqual((await collect(file, { ...base, until: Date.parse('2026-01-01T00:00:02Z') })).map((e) => e.log), ['a\n', 'b\n']);
});

test('follow returns what is appended while the producer is live, then ends', async (t) => {
  const file = tmpLog(t);
  const w = new JsonFileLogWriter(file);
  w.write('stdout', Buffer.from('first\n'));
  let live = true;
  const got: string[] = [];
  const reading = (async () => {
    for await (const e of readLogs(file, { stdout: true, stderr: true, follow: true, isLive: () => live, pollMs: 10 })) got.push(e.log);
  })();
  await new Promise((r) => setTimeout(r, 50));
  w.write('stdout', Buffer.from('second\n'));
  await new Promise((r) => setTimeout(r, 50));
  w.close();
  live = false;
  await reading;
  assert.deepEqual(got, ['first\n', 'second\n']);
});

test('since/until accept RFC 3339, unix seconds and durations', () => {
  const now = Date.parse('2026-01-01T01:00:00Z');
  assert.equal(parseLogTime('2026-01-01T00:00:00Z', now), Date.parse('2026-01-01T00:00:00Z'));
  assert.equal(parseLogTime('1700000000', now), 1700000000000);
  assert.equal(parseLogTime('10m', now), now - 600000);
  assert.equal(parseLogTime('1h30m', now), now - 5400000);
  assert.throws(() => parseLogTime('yesterday', now), /invalid value/);
});
