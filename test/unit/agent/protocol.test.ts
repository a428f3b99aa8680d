import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

import { KctlError, isKctlError } from '../../../src/core/errors.js';
import {
  FrameDecoder,
  HEADER_BYTES,
  MAX_ARGS,
  MAX_ENV,
  MAX_PAYLOAD,
  MsgType,
  Tag,
  decodeExit,
  decodeHello,
  decodeProcState,
  decodeRecords,
  decodeSpec,
  decodeStartFailed,
  encodeFrame,
  encodeHello,
  encodeRecords,
  encodeSpec,
  type ContainerSpec,
} from '../../../src/core/agent/protocol.js';

const base: ContainerSpec = {
  args: ['sh', '-c', 'echo "$X"'],
  env: ['X=1', 'PATH=/bin:/usr/bin', 'EMPTY='],
  cwd: '/work dir',
  user: 'app:extra',
  tty: true,
  stdin: true,
  rows: 33,
  cols: 101,
  hostname: 'web-1',
  rootfsTag: 'rootfs',
  readonlyRootfs: true,
  capabilities: 0xa80425fbn | (1n << 21n),
};

const protocolErr = (e: unknown) => isKctlError(e, 'unavailable') && /guest agent protocol error/.test(e.message);

test('frames round-trip whole, byte by byte, and in random splits', () => {
  const frames = [
    encodeFrame(MsgType.STDOUT, 7, Buffer.from('hello')),
    encodeFrame(MsgType.STDIN_CLOSE, 0xffffffff),
    encodeFrame(MsgType.STDERR, 2, randomBytes(70_000)),
  ];
  const stream = Buffer.concat(frames);
  const whole = new FrameDecoder().push(stream);
  assert.equal(whole.length, 3);
  assert.deepEqual(whole.map((f) => [f.type, f.id]), [[MsgType.STDOUT, 7], [MsgType.STDIN_CLOSE, 0xffffffff], [MsgType.STDERR, 2]]);
  assert.equal(whole[0]!.payload.toString(), 'hello');
  assert.deepEqual(whole[2]!.payload, frames[2]!.subarray(HEADER_BYTES));

  const d = new FrameDecoder();
  const got = [];
  for (let i = 0; i < 200; i++) got.push(...d.push(stream.subarray(i, i + 1)));
  assert.equal(got.length, 2);
  assert.equal(d.pending, 200 - frames[0]!.length - frames[1]!.length);

  const d2 = new FrameDecoder();
  const out = [];
  for (let pos = 0; pos < stream.length; ) {
    const n = 1 + Math.floor(Math.random() * 5000);
    out.push(...d2.push(stream.subarray(pos, pos + n)));
    pos += n;
  }
  assert.equal(out.length, 3);
  assert.deepEqual(out[2]!.payload, whole[2]!.payload);
  assert.equal(d2.pending, 0);
});

test('the largest frame is accepted, one byte more is a protocol error before any allocation', () => {
  const max = encodeFrame(MsgType.STDOUT, 1, Buffer.alloc(MAX_PAYLOAD, 1));
  assert.equal(new FrameDecoder().push(max)[0]!.payload.length, MAX_PAYLOAD);
  assert.throws(() => encodeFrame(MsgType.STDOUT, 1, Buffer.alloc(MAX_PAYLOAD + 1)), (e) => isKctlError(e, 'invalid_argument'));
  const header = Buffer.alloc(4);
  header.writeUInt32BE(MAX_PAYLOAD + HEADER_BYTES - 4 + 1);
  const d = new FrameDecoder();
  assert.throws(() => d.push(header), protocolErr);
  assert.equal(d.pending, 0, 'nothing is kept after a bad length');
  assert.throws(() => d.push(Buffer.from([1])), protocolErr, 'a failed stream stays failed');
  header.writeUInt32BE(0xffffffff);
  assert.throws(() => new FrameDecoder().push(header), protocolErr);
  header.writeUInt32BE(HEADER_BYTES - 5); // shorter than type + id
  assert.throws(() => new FrameDecoder().push(header), protocolErr);
});

test('garbage streams only ever throw KctlError', () => {
  for (let i = 0; i < 2000; i++) {
    const d = new FrameDecoder();
    const junk = randomBytes(1 + Math.floor(Math.random() * 64));
    try {
      for (const f of d.push(junk)) {
        assert.ok(f.payload.length <= MAX_PAYLOAD);
        for (const fn of [decodeHello, decodeExit, decodeProcState, decodeStartFailed]) {
          try { fn(f.payload); } catch (e) { assert.ok(e instanceof KctlError, String(e)); }
        }
      }
    } catch (e) {
      assert.ok(e instanceof KctlError, String(e));
    }
    assert.ok(d.pending <= junk.length);
  }
});

test('specs round-trip through the encoder and the decoder', () => {
  assert.deepEqual(decodeSpec(encodeSpec(base, true), true), base);
  const exec = { args: ['ls'], env: [], cwd: '/', user: '', tty: false, stdin: false };
  const back = decodeSpec(encodeSpec(exec, false), false);
  assert.deepEqual(back.args, ['ls']);
  assert.equal(back.tty, false);
  assert.throws(() => decodeSpec(encodeSpec(base, true), false), protocolErr, 'START-only records are refused in EXEC');
});

test('spec bounds are enforced on both sides', () => {
  const bad = (s: Partial<ContainerSpec>) => () => encodeSpec({ ...base, ...s }, true);
  const inval = (e: unknown) => isKctlError(e, 'invalid_argument');
  assert.throws(bad({ args: [] }), inval);
  assert.throws(bad({ args: [''] }), inval);
  assert.throws(bad({ args: Array(MAX_ARGS + 1).fill('a') }), inval);
  assert.throws(bad({ env: Array(MAX_ENV + 1).fill('A=1') }), inval);
  assert.throws(bad({ env: ['NOEQUALS'] }), inval);
  assert.throws(bad({ env: ['=x'] }), inval);
  assert.throws(bad({ args: ['a\0b'] }), inval);
  assert.throws(bad({ cwd: 'relative' }), inval);
  assert.throws(bad({ cwd: '/' + 'a'.repeat(5000) }), inval);
  assert.throws(bad({ hostname: 'a'.repeat(65) }), inval);
  assert.throws(bad({ hostname: 'has space' }), inval);
  assert.throws(bad({ rootfsTag: 't'.repeat(37) }), inval);
  assert.throws(bad({ rootfsTag: '' }), inval);
  for (const d of ['..', '.', 'a/b', '', 'x'.repeat(65), 'sp ace']) assert.throws(bad({ rootfsSubdir: d }), inval, `rootfs subdir ${JSON.stringify(d)}`);
  assert.throws(bad({ rows: 0 }), inval);
  assert.throws(bad({ cols: 70000 }), inval);
  assert.throws(bad({ user: 'u'.repeat(257) }), inval);
  assert.throws(bad({ args: Array(20).fill('x'.repeat(60_000)) }), inval, 'more than 1 MiB in total');

  const raw = (tag: number, value: Buffer) => encodeRecords([{ tag, value: Buffer.from('a') }, { tag: Tag.ROOTFS_TAG, value: Buffer.from('r') }, { tag, value }].slice(tag === Tag.ARG ? 1 : 0));
  assert.throws(() => decodeSpec(encodeRecords([{ tag: 999, value: Buffer.alloc(0) }]), true), protocolErr, 'unknown tag');
  assert.throws(() => decodeSpec(raw(Tag.ROOTFS_SUBDIR, Buffer.from('..')), true), protocolErr, 'a subdir that leaves the share');
  assert.equal(decodeSpec(encodeSpec({ ...base, rootfsSubdir: 'root' }, true), true).rootfsSubdir, 'root');
  assert.throws(() => decodeSpec(raw(Tag.TTY, Buffer.from([2])), true), protocolErr);
  assert.throws(() => decodeSpec(raw(Tag.ROWS, Buffer.from([0, 0])), true), protocolErr);
  assert.throws(() => decodeSpec(encodeRecords([{ tag: Tag.ARG, value: Buffer.from('a') }, { tag: Tag.CWD, value: Buffer.from('/') }, { tag: Tag.CWD, value: Buffer.from('/') }]), false), protocolErr, 'repeated record');
  assert.throws(() => decodeSpec(encodeRecords([{ tag: Tag.ARG, value: Buffer.from('a') }]), true), protocolErr, 'START needs a rootfs tag');
  assert.throws(() => decodeSpec(encodeRecords([{ tag: Tag.ARG, value: Buffer.alloc(65537, 97) }]), false), protocolErr);
});

test('truncated records are errors, never reads past the end', () => {
  const good = encodeSpec(base, true);
  for (let n = 1; n < good.length; n++) {
    try {
      decodeSpec(good.subarray(0, n), true);
    } catch (e) {
      assert.ok(e instanceof KctlError, `cut at ${n}: ${String(e)}`);
    }
  }
  const lying = Buffer.from([0, Tag.ARG, 0xff, 0xff, 0xff, 0xff, 97]);
  assert.throws(() => decodeRecords(lying, 10), protocolErr);
  assert.throws(() => decodeRecords(encodeRecords(Array(11).fill({ tag: 1, value: Buffer.alloc(0) })), 10), protocolErr);
});

test('HELLO carries the facts; bad magic, sizes and unknown facts are handled', () => {
  const facts = { protocolVersion: 1, agentVersion: '0.1.0', kernelRelease: '6.1.192', vcpus: 2, memoryKiB: 248_300, bootMs: 230 };
  const h = decodeHello(encodeHello(facts, 3));
  assert.deepEqual(h, { facts, procs: 3 });
  const withExtra = Buffer.concat([encodeHello(facts, 0), encodeRecords([{ tag: 0x1ff, value: Buffer.from('future') }])]);
  assert.deepEqual(decodeHello(withExtra).facts, facts);
  const bad = encodeHello(facts, 0);
  bad.write('XXXX', 0, 'latin1');
  assert.throws(() => decodeHello(bad), protocolErr);
  assert.throws(() => decodeHello(encodeHello(facts, 65)), protocolErr, 'process count bounded');
  const longKernel = Buffer.concat([Buffer.from('KCTL\0\x01', 'latin1'), encodeRecords([{ tag: Tag.KERNEL_RELEASE, value: Buffer.alloc(300, 97) }])]);
  assert.throws(() => decodeHello(longKernel), protocolErr);
});

test('exit, process state and start failure payloads are range-checked', () => {
  const exit = Buffer.alloc(8);
  exit.writeUInt32BE(137, 0);
  exit.writeUInt32BE(9, 4);
  assert.deepEqual(decodeExit(exit), { code: 137, signal: 9 });
  exit.writeUInt32BE(256, 0);
  assert.throws(() => decodeExit(exit), protocolErr);
  assert.throws(() => decodeExit(Buffer.alloc(7)), protocolErr);
  const ps = Buffer.alloc(18);
  ps.writeUInt32BE(42, 0);
  ps[4] = 2;
  ps.writeUInt32BE(3, 5);
  assert.deepEqual(decodeProcState(ps), { pid: 42, exited: true, code: 3, signal: 0, stdinPending: 0, tty: false });
  ps[4] = 9;
  assert.throws(() => decodeProcState(ps), protocolErr);
  const sf = Buffer.concat([Buffer.from([1, 0, 0, 0, 2]), Buffer.from('exec: "x"\x1b[2J: not found')]);
  const f = decodeStartFailed(sf);
  assert.equal(f.kind, 1);
  assert.equal(f.errno, 2);
  assert.ok(!f.message.includes('\x1b'), 'terminal escapes from the guest are neutralised');
  assert.throws(() => decodeStartFailed(Buffer.alloc(5 + 1025)), protocolErr);
});
