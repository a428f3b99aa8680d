/** AgentClient against a scripted fake agent on a unix socket (no VM). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { AgentClient } from '../../../src/core/agent/client.js';
import { isKctlError } from '../../../src/core/errors.js';
import {
  FailKind,
  FrameDecoder,
  MsgType,
  OUTPUT_WINDOW,
  STDIN_WINDOW,
  decodeSpec,
  encodeFrame,
  encodeHello,
  u32,
  type Frame,
} from '../../../src/core/agent/protocol.js';

const facts = { protocolVersion: 1, agentVersion: '9.9.9', kernelRelease: '6.1.0-test', vcpus: 1, memoryKiB: 1000 };

interface Fake {
  path: string;
  frames: Frame[];
  conn(): net.Socket;
  next(type: number): Promise<Frame>;
}

/** A fake agent: greets every connection with `greeting`, records the frames it gets. */
async function fakeAgent(t: { after(fn: () => void | Promise<void>): void }, greeting: () => Buffer): Promise<Fake> {
  const dir = mkdtempSync(join(tmpdir(), 'kctl-agent-unit-'));
  const server = net.createServer();
  const socks: net.Socket[] = [];
  t.after(async () => {
    for (const s of socks) s.destroy();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });
  const frames: Frame[] = [];
  const waiters: { type: number; res: (f: Frame) => void }[] = [];
  server.on('connection', (s) => {
    socks.push(s);
    const dec = new FrameDecoder();
    s.on('data', (d) => {
      for (const f of dec.push(d)) {
        const i = waiters.findIndex((w) => w.type === f.type);
        if (i >= 0) waiters.splice(i, 1)[0]!.res(f);
        else frames.push(f);
      }
    });
    s.on('error', () => {});
    s.write(greeting());
  });
  const path = join(dir, 'agent.sock');
  await new Promise<void>((r) => server.listen(path, r));
  return {
    path,
    frames,
    conn: () => socks[socks.length - 1]!,
    next: (type) => {
      const have = frames.findIndex((f) => f.type === type);
      if (have >= 0) return Promise.resolve(frames.splice(have, 1)[0]!);
      return new Promise((res) => waiters.push({ type, res }));
    },
  };
}

const hello = (procs = 0) => encodeFrame(MsgType.HELLO, 0, encodeHello(facts, procs));

test('handshake skips leftover bytes before HELLO and answers HELLO_ACK', async (t) => {
  const junk = Buffer.concat([Buffer.from([0, 0, 0, 9, 9]), Buffer.from('KCTL no frame'), encodeFrame(MsgType.STDOUT, 4, Buffer.from('old'))]);
  const fake = await fakeAgent(t, () => Buffer.concat([junk, hello()]));
  const c = await AgentClient.connect(fake.path, { timeoutMs: 5000 });
  t.after(() => c.close());
  assert.deepEqual(c.facts, facts);
  const ack = await fake.next(MsgType.HELLO_ACK);
  assert.deepEqual([...ack.payload], [0, 1]);
});

test('a version mismatch fails the connect with a clear error', async (t) => {
  const fake = await fakeAgent(t, () => encodeFrame(MsgType.HELLO, 0, encodeHello({ ...facts, protocolVersion: 7 }, 0)));
  await assert.rejects(AgentClient.connect(fake.path, { timeoutMs: 5000 }), (e) => isKctlError(e, 'failed_precondition') && /version 7/.test(e.message));
});

test('connect is bounded when the socket never appears', async () => {
  const path = join(tmpdir(), `kctl-no-such-${process.pid}-${Date.now()}.sock`);
  await assert.rejects(AgentClient.connect(path, { timeoutMs: 200 }), (e) => isKctlError(e, 'deadline_exceeded'));
});

test('connect is bounded when the guest never says hello', async (t) => {
  const fake = await fakeAgent(t, () => Buffer.alloc(0));
  await assert.rejects(AgentClient.connect(fake.path, { timeoutMs: 300 }), (e) => isKctlError(e, 'deadline_exceeded'));
});

test('START is encoded, STARTED resolves; START_FAILED maps to 127/126 kinds', async (t) => {
  const fake = await fakeAgent(t, () => hello());
  const c = await AgentClient.connect(fake.path, { timeoutMs: 5000 });
  t.after(() => c.close());
  const started = c.startContainer({ args: ['nginx', '-g', 'daemon off;'], env: ['A=1'], cwd: '/', user: '101', tty: false, stdin: false, hostname: 'h', rootfsTag: 'rootfs' });
  const f = await fake.next(MsgType.START);
  assert.equal(f.id, 1);
  assert.deepEqual(decodeSpec(f.payload, true).args, ['nginx', '-g', 'daemon off;']);
  fake.conn().write(encodeFrame(MsgType.STARTED, 1, u32(77)));
  const p = await started;
  assert.equal(p.pid, 77);

  for (const [kind, expect] of [[FailKind.NOT_FOUND, 'command_not_found'], [FailKind.CANNOT_INVOKE, 'cannot_invoke'], [FailKind.NOT_RUNNING, 'failed_precondition']] as const) {
    const ex = c.exec({ args: ['x'], env: [], cwd: '/', user: '', tty: false, stdin: false });
    const e = await fake.next(MsgType.EXEC);
    assert.ok(e.id >= 2);
    fake.conn().write(encodeFrame(MsgType.START_FAILED, e.id, Buffer.concat([Buffer.from([kind, 0, 0, 0, 2]), Buffer.from('exec: "x": nope')])));
    await assert.rejects(ex, (err) => isKctlError(err, expect) && err.message === 'exec: "x": nope');
  }
});

test('output is credited back; a paused process withholds credit until resume', async (t) => {
  const fake = await fakeAgent(t, () => hello());
  const c = await AgentClient.connect(fake.path, { timeoutMs: 5000 });
  t.after(() => c.close());
  const ex = c.exec({ args: ['yes'], env: [], cwd: '/', user: '', tty: false, stdin: false });
  const e = await fake.next(MsgType.EXEC);
  fake.conn().write(encodeFrame(MsgType.STARTED, e.id, u32(5)));
  const p = await ex;
  const seen: string[] = [];
  p.on('stdout', (d: Buffer) => seen.push(d.toString()));
  fake.conn().write(encodeFrame(MsgType.STDOUT, e.id, Buffer.from('abc')));
  const credit = await fake.next(MsgType.CREDIT);
  assert.equal(credit.payload.readUInt32BE(0), 3);
  p.pause();
  fake.conn().write(encodeFrame(MsgType.STDOUT, e.id, Buffer.alloc(1000)));
  fake.conn().write(encodeFrame(MsgType.STDERR, e.id, Buffer.alloc(500)));
  await new Promise<void>((r) => { const on = (d: Buffer) => { if (d.length === 500) { p.off('stderr', on); r(); } }; p.on('stderr', on); });
  assert.equal(fake.frames.filter((f) => f.type === MsgType.CREDIT).length, 0, 'no credit while paused');
  p.resume();
  const later = await fake.next(MsgType.CREDIT);
  assert.equal(later.payload.readUInt32BE(0), 1500);
  assert.ok(OUTPUT_WINDOW >= 1500);
  fake.conn().write(encodeFrame(MsgType.EXIT, e.id, Buffer.from([0, 0, 0, 143, 0, 0, 0, 15])));
  assert.deepEqual(await p.exited, { code: 143, signal: 15 });
  const ack = await fake.next(MsgType.EXIT_ACK);
  assert.equal(ack.id, e.id);
  assert.equal(seen[0], 'abc');
});

test('stdin never exceeds the window the agent granted', async (t) => {
  const fake = await fakeAgent(t, () => hello());
  const c = await AgentClient.connect(fake.path, { timeoutMs: 5000 });
  t.after(() => c.close());
  const ex = c.exec({ args: ['cat'], env: [], cwd: '/', user: '', tty: false, stdin: true });
  const e = await fake.next(MsgType.EXEC);
  fake.conn().write(encodeFrame(MsgType.STARTED, e.id, u32(5)));
  const p = await ex;
  const total = 2 * STDIN_WINDOW + 100_000;
  assert.equal(p.write(Buffer.alloc(total)), false, 'more than a window is queued: wait for drain');
  p.closeStdin();
  let sent = 0;
  while (sent < STDIN_WINDOW) sent += (await fake.next(MsgType.STDIN)).payload.length;
  assert.equal(sent, STDIN_WINDOW, 'exactly one window before any credit');
  const drained = new Promise((r) => p.once('drain', r));
  fake.conn().write(encodeFrame(MsgType.CREDIT, e.id, u32(STDIN_WINDOW)));
  while (sent < 2 * STDIN_WINDOW) sent += (await fake.next(MsgType.STDIN)).payload.length;
  assert.equal(sent, 2 * STDIN_WINDOW);
  await drained;
  fake.conn().write(encodeFrame(MsgType.CREDIT, e.id, u32(STDIN_WINDOW)));
  while (sent < total) sent += (await fake.next(MsgType.STDIN)).payload.length;
  assert.equal(sent, total);
  await fake.next(MsgType.STDIN_CLOSE);
});

test('reconnect: PROC_STATE frames become processes, exited ones resolved and acknowledged', async (t) => {
  const state = (pid: number, exited: boolean, code: number) => {
    const b = Buffer.alloc(18);
    b.writeUInt32BE(pid, 0);
    b[4] = exited ? 2 : 1;
    b.writeUInt32BE(code, 5);
    return b;
  };
  const fake = await fakeAgent(t, () => Buffer.concat([hello(2), encodeFrame(MsgType.PROC_STATE, 1, state(20, false, 0)), encodeFrame(MsgType.PROC_STATE, 5, state(31, true, 3))]));
  const c = await AgentClient.connect(fake.path, { timeoutMs: 5000 });
  t.after(() => c.close());
  const ps = c.processes();
  assert.deepEqual(ps.map((p) => [p.id, p.pid, p.hasExited]), [[1, 20, false], [5, 31, true]]);
  assert.deepEqual(await ps[1]!.exited, { code: 3 });
  assert.equal((await fake.next(MsgType.EXIT_ACK)).id, 5);
});

test('a malformed frame drops the channel and fails pending work with a KctlError', async (t) => {
  const fake = await fakeAgent(t, () => hello());
  const c = await AgentClient.connect(fake.path, { timeoutMs: 5000 });
  const closed = new Promise((r) => c.once('close', r));
  const ex = c.exec({ args: ['x'], env: [], cwd: '/', user: '', tty: false, stdin: false });
  await fake.next(MsgType.EXEC);
  fake.conn().write(Buffer.from([0xff, 0xff, 0xff, 0xff, 1]));
  await assert.rejects(ex, (e) => isKctlError(e, 'unavailable') && /protocol error/.test(e.message));
  await closed;
  assert.equal(c.closed, true);
});
