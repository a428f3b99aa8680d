import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isSameLiveProcess, isUnixSocketListening, parseProcStat, readProcStat } from '../../../src/core/vm/proc.js';

test('stat parsing survives a comm with spaces and parentheses', () => {
  const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
  fields[0] = 'S';
  fields[2] = '4242'; // pgrp (field 5)
  fields[19] = '987654'; // starttime (field 22)
  const st = parseProcStat(`1234 (evil) (name) S ${fields.join(' ')}`.replace('S S', 'S'));
  assert.ok(st);
  assert.equal(st.state, 'S');
  assert.equal(st.pgrp, 4242);
  assert.equal(st.startTime, '987654');
});

test('our own process is live with its start time, and not with another', () => {
  const st = readProcStat(process.pid);
  assert.ok(st);
  assert.equal(isSameLiveProcess(process.pid, st.startTime), true);
  assert.equal(isSameLiveProcess(process.pid, String(Number(st.startTime) + 1)), false);
  assert.equal(readProcStat(-1), undefined);
});

test('a listening unix socket is seen in /proc/net/unix without connecting', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kctl-sock-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const p = path.join(dir, 's.sock');
  assert.equal(isUnixSocketListening(p), false);
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(p, r));
  t.after(() => srv.close());
  let connections = 0;
  srv.on('connection', () => connections++);
  assert.equal(isUnixSocketListening(p), true);
  assert.equal(connections, 0);
});
