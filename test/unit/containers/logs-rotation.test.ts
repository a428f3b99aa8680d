/**
 * json-file rotation (--log-opt max-size / max-file): the writer keeps at most max-file files and
 * never lets one grow past max-size by more than one batch of lines; the reader spans rotated
 * files oldest first, for --tail, and while following across a rotation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JsonFileLogWriter, parseLogOptions, readLogs, rotatedLogFiles, type LogEntry } from '../../../src/core/containers/logs.js';

function tmpLog(t: { after: (fn: () => void) => void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kctl-logrot-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'c-json.log');
}

async function collect(it: AsyncIterable<LogEntry>): Promise<string[]> {
  const out: string[] = [];
  for await (const e of it) out.push(e.log);
  return out;
}

test('options: Docker sizes and messages', () => {
  assert.deepEqual(parseLogOptions({ 'max-size': '10m', 'max-file': '3' }), { maxSize: 10 * 1024 * 1024, maxFiles: 3 });
  assert.deepEqual(parseLogOptions({ 'max-size': '512k' }), { maxSize: 512 * 1024, maxFiles: 1 });
  assert.deepEqual(parseLogOptions(undefined), { maxSize: 0, maxFiles: 1 });
  assert.throws(() => parseLogOptions({ 'max-file': '0', 'max-size': '1k' }), /max-file cannot be less than 1/);
  assert.throws(() => parseLogOptions({ 'max-file': '3' }), /without max-size/);
  assert.throws(() => parseLogOptions({ 'max-size': 'lots' }), /max-size/);
  assert.throws(() => parseLogOptions({ bogus: '1' }), /unknown log opt 'bogus'/);
});

test('rotation keeps max-file files and every line survives in order across them', async (t) => {
  const file = tmpLog(t);
  const w = new JsonFileLogWriter(file, { maxSize: 2048, maxFiles: 3 });
  const lines = Array.from({ length: 200 }, (_, i) => `line ${String(i).padStart(4, '0')}\n`);
  // single lines, and batches of many lines in one chunk (as output arrives from the guest)
  for (const l of lines.slice(0, 100)) w.write('stdout', Buffer.from(l));
  for (let i = 100; i < 200; i += 25) w.write('stdout', Buffer.from(lines.slice(i, i + 25).join('')));
  w.close();
  const rotated = await rotatedLogFiles(file);
  assert.deepEqual(rotated, [`${file}.2`, `${file}.1`]);
  assert.ok(!fs.existsSync(`${file}.3`));
  for (const f of [file, ...rotated]) assert.ok(fs.statSync(f).size <= 2048, `${f} is ${fs.statSync(f).size} bytes`);

  const all = await collect(readLogs(file, { stdout: true, stderr: true, follow: false }));
  // the oldest lines were dropped with the oldest file; what is left is a contiguous, ordered tail
  assert.ok(all.length > 0 && all.length < lines.length);
  assert.deepEqual(all, lines.slice(lines.length - all.length));

  const tail = await collect(readLogs(file, { stdout: true, stderr: true, follow: false, tail: all.length - 1 }));
  assert.deepEqual(tail, all.slice(1));
});

test('max-file 1 truncates in place', async (t) => {
  const file = tmpLog(t);
  const w = new JsonFileLogWriter(file, { maxSize: 1024, maxFiles: 1 });
  for (let i = 0; i < 100; i++) w.write('stderr', Buffer.from(`e${i}\n`));
  w.close();
  assert.deepEqual(await rotatedLogFiles(file), []);
  assert.ok(fs.statSync(file).size <= 1024);
  const got = await collect(readLogs(file, { stdout: false, stderr: true, follow: false }));
  assert.equal(got.at(-1), 'e99\n');
});

test('a follower moves on to the new file after rotations, even several between two polls', async (t) => {
  const file = tmpLog(t);
  const w = new JsonFileLogWriter(file, { maxSize: 600, maxFiles: 50 });
  let live = true;
  const ac = new AbortController();
  t.after(() => ac.abort());
  const got: string[] = [];
  const reading = (async () => {
    for await (const e of readLogs(file, { stdout: true, stderr: true, follow: true, isLive: () => live, signal: ac.signal, pollMs: 40 })) got.push(e.log);
  })();
  const lines = Array.from({ length: 60 }, (_, i) => `follow ${i}\n`);
  for (const [i, l] of lines.entries()) {
    w.write('stdout', Buffer.from(l));
    if (i % 20 === 19) await new Promise((r) => setTimeout(r, 50));
  }
  w.close();
  live = false;
  await reading;
  assert.ok((await rotatedLogFiles(file)).length >= 3, 'the writer rotated');
  assert.deepEqual(got, lines);
});
