import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QmpClient } from '../../../src/core/vm/qmp.js';
import { isKctlError } from '../../../src/core/errors.js';

/** A fake QMP server: greets, then answers with `reply(cmd)` (undefined = stay silent). */
async function fakeQmp(t: { after: (fn: () => void) => void }, reply: (cmd: string, sock: net.Socket) => string | undefined) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kctl-qmp-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const p = path.join(dir, 'qmp.sock');
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.write(JSON.stringify({ QMP: { version: { qemu: { major: 7, minor: 2, micro: 22 } }, capabilities: [] } }) + '\n');
    let buf = '';
    s.on('data', (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const msg = JSON.parse(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        const r = reply(msg.execute, s);
        if (r !== undefined) s.write(r + '\n');
      }
    });
  });
  await new Promise<void>((r) => srv.listen(p, r));
  t.after(() => {
    for (const s of sockets) s.destroy();
    srv.close();
  });
  return p;
}

test('handshake, execute, events and errors', async (t) => {
  const p = await fakeQmp(t, (cmd, s) => {
    if (cmd === 'qmp_capabilities') return '{"return": {}}';
    if (cmd === 'query-status') {
      s.write('{"event": "RESUME", "data": {}, "timestamp": {"seconds": 1, "microseconds": 2}}\n');
      return '{"return": {"status": "running", "running": true}}';
    }
    return '{"error": {"class": "CommandNotFound", "desc": "The command nope has not been found"}}';
  });
  const c = await QmpClient.connect(p, 2000);
  t.after(() => c.close());
  assert.equal(c.version, '7.2.22');
  const seen: string[] = [];
  c.onEvent((e) => seen.push(e.event));
  const st = await c.execute<{ status: string }>('query-status');
  assert.equal(st.status, 'running');
  assert.deepEqual(seen, ['RESUME']);
  await assert.rejects(c.execute('nope'), (e: unknown) => isKctlError(e) && /CommandNotFound/.test((e as Error).message));
});

test('a silent QEMU makes execute fail with deadline_exceeded, not hang', async (t) => {
  const p = await fakeQmp(t, (cmd) => (cmd === 'qmp_capabilities' ? '{"return": {}}' : undefined));
  const c = await QmpClient.connect(p, 2000);
  t.after(() => c.close());
  await assert.rejects(c.execute('query-status', undefined, 100), (e: unknown) => isKctlError(e, 'deadline_exceeded'));
  assert.equal(c.isClosed, true);
});

test('the peer closing the socket rejects pending commands and fires onClose', async (t) => {
  const p = await fakeQmp(t, (cmd, s) => {
    if (cmd === 'qmp_capabilities') return '{"return": {}}';
    s.destroy();
    return undefined;
  });
  const c = await QmpClient.connect(p, 2000);
  let closed = false;
  c.onClose(() => (closed = true));
  await assert.rejects(c.execute('quit'), (e: unknown) => isKctlError(e, 'unavailable'));
  assert.equal(closed, true);
});

test('connecting to a missing socket is unavailable', async () => {
  await assert.rejects(QmpClient.connect(path.join(os.tmpdir(), `kctl-no-qmp-${process.pid}.sock`), 500), (e: unknown) => isKctlError(e, 'unavailable'));
});
