// The real kctl-netswitch binary between fake QEMU NIC sockets: forwarding, MAC pinning, bounds, sandbox.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { RootLayout } from '../../../src/core/paths.js';
import { NetworkStore } from '../../../src/core/network/store.js';
import { SwitchManager } from '../../../src/core/network/switch.js';
import { nullLogger } from '../../../src/core/util/log.js';

/** A stand-in for QEMU's `-netdev stream,server=on`: accepts the switch's connection, frames in and out. */
class FakeNic {
  server: net.Server;
  conn?: net.Socket;
  frames: Buffer[] = [];
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  constructor(readonly socket: string, readonly mac: string) {
    this.server = net.createServer((c) => {
      this.conn = c;
      c.on('data', (d) => {
        this.buf = Buffer.concat([this.buf, d]);
        while (this.buf.length >= 4 && this.buf.length >= 4 + this.buf.readUInt32BE(0)) {
          const len = this.buf.readUInt32BE(0);
          this.frames.push(this.buf.subarray(4, 4 + len));
          this.buf = this.buf.subarray(4 + len);
        }
        for (const w of this.waiters.splice(0)) w();
      });
      for (const w of this.waiters.splice(0)) w();
    });
  }
  listen(): Promise<void> {
    return new Promise((r) => this.server.listen(this.socket, r));
  }
  async connected(): Promise<void> {
    while (!this.conn) await new Promise<void>((r) => this.waiters.push(r));
  }
  send(dst: string, src: string, payload = 'hello'): void {
    const f = Buffer.concat([macBytes(dst), macBytes(src), Buffer.from([0x08, 0x00]), Buffer.from(payload.padEnd(46, '.'))]);
    const h = Buffer.alloc(4);
    h.writeUInt32BE(f.length);
    this.conn!.write(Buffer.concat([h, f]));
  }
  async waitFrames(n: number, ms = 3000): Promise<void> {
    const end = Date.now() + ms;
    while (this.frames.length < n && Date.now() < end) await new Promise<void>((r) => { this.waiters.push(r); setTimeout(r, 50); });
  }
  close(): void {
    this.conn?.destroy();
    this.server.close();
  }
}

function macBytes(mac: string): Buffer {
  return Buffer.from(mac.split(':').map((h) => parseInt(h, 16)));
}

test('kctl-netswitch forwards between pinned ports, drops spoofed and unowned frames, and runs sandboxed', async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kns-'));
  fs.chmodSync(root, 0o711);
  const store = new NetworkStore(new RootLayout(root));
  await store.load();
  const netw = await store.create({ name: 'unit' });
  fs.chmodSync(store.dir, 0o711);
  const sw = new SwitchManager(store, nullLogger);
  const nics = [new FakeNic(path.join(root, 'a.sock'), '02:42:ac:12:00:02'), new FakeNic(path.join(root, 'b.sock'), '02:42:ac:12:00:03'), new FakeNic(path.join(root, 'c.sock'), '02:42:ac:12:00:04')];
  t.after(async () => {
    for (const n of nics) n.close();
    await sw.stop(netw);
    fs.rmSync(root, { recursive: true, force: true });
  });
  for (const n of nics) await n.listen();

  assert.equal(await sw.ensure(netw), true, 'a new switch starts');
  assert.equal(await sw.ensure(netw), false, 'a running switch is kept');
  const info = JSON.parse(fs.readFileSync(path.join(store.networkDir(netw.Id), 'switch.json'), 'utf8'));
  const status = fs.readFileSync(`/proc/${info.pid}/status`, 'utf8');
  if (process.getuid?.() === 0) assert.match(status, /^Uid:\s+65534\s/m, 'the switch drops to nobody');
  assert.match(status, /^NoNewPrivs:\s+1$/m);
  assert.match(status, /^Seccomp:\s+2$/m);
  assert.equal((fs.statSync(sw.controlSocket(netw)).mode & 0o777), 0o600);

  for (const [i, n] of nics.entries()) await sw.attach(netw, { name: `vm${i}.1`, mac: n.mac, socket: n.socket });
  for (const n of nics) await n.connected();
  const [a, b, c] = nics as [FakeNic, FakeNic, FakeNic];

  a.send(b.mac, a.mac, 'unicast');
  await b.waitFrames(1);
  assert.equal(b.frames.length, 1, 'unicast reaches its owner');
  assert.match(b.frames[0]!.toString('latin1'), /unicast/);

  a.send('ff:ff:ff:ff:ff:ff', a.mac, 'broadcast');
  await c.waitFrames(1);
  await b.waitFrames(2);
  assert.equal(c.frames.length, 1, 'broadcast reaches every other port');
  assert.equal(b.frames.length, 2);

  a.send(c.mac, b.mac, 'spoofed');          // source MAC of another port
  a.send('02:42:ac:12:00:99', a.mac, 'nobody');
  b.send(c.mac, b.mac, 'after');
  await c.waitFrames(2);
  assert.deepEqual(c.frames.map((f) => /(broadcast|spoofed|after)/.exec(f.toString('latin1'))?.[1]), ['broadcast', 'after']);
  assert.equal(a.frames.length, 0, 'a port never gets its own frames back');

  const ports = await sw.list(netw);
  assert.deepEqual(ports.map((p) => p.name).sort(), ['vm0.1', 'vm1.1', 'vm2.1']);
  assert.equal(ports.find((p) => p.name === 'vm0.1')!.drops, 2, 'the spoofed and the unowned frame are counted as drops');

  // A frame length beyond 65535 closes only that port.
  const bad = Buffer.alloc(4);
  bad.writeUInt32BE(1 << 20);
  c.conn!.write(bad);
  const deadline = Date.now() + 3000;
  while ((await sw.list(netw)).length !== 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual((await sw.list(netw)).map((p) => p.name).sort(), ['vm0.1', 'vm1.1']);
  b.send(a.mac, b.mac, 'still');
  await a.waitFrames(1);
  assert.equal(a.frames.length, 1, 'the other ports keep working');

  // A port with a MAC already in use is refused; a bad command gets an error, not a crash.
  await assert.rejects(sw.attach(netw, { name: 'dup.1', mac: a.mac, socket: c.socket }), /another port has that MAC/);
  // Reached as QEMU's own user, a socket that user cannot reach is not attached (a swapped link leads nowhere).
  if (process.getuid?.() === 0) {
    const priv = fs.mkdtempSync(path.join(root, 'priv-'));
    fs.chmodSync(priv, 0o700);
    const hidden = new FakeNic(path.join(priv, 'h.sock'), '02:42:ac:12:00:09');
    nics.push(hidden);
    await hidden.listen();
    await assert.rejects(sw.attach(netw, { name: 'hid.1', mac: hidden.mac, socket: hidden.socket, uid: 65534 }), /Permission denied/);
    await sw.attach(netw, { name: 'hid.1', mac: hidden.mac, socket: hidden.socket });
    await sw.detach(netw, 'hid.1');
  }
  await sw.detach(netw, 'vm1.1');
  assert.deepEqual((await sw.list(netw)).map((p) => p.name), ['vm0.1']);
  assert.ok(await sw.running(netw), 'the switch survived all of it');
});
