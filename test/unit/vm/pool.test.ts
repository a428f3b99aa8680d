/**
 * The pool's bookkeeping with a fake VM driver, fake agents and fake mounts: filling, claiming,
 * what does not fit, replacement of dead VMs, failed boots, re-adoption by a restarted daemon.
 * The real thing (QEMU, virtiofsd, mount propagation) is test/integration/vm/pool.test.ts.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RootLayout } from '../../../src/core/paths.js';
import { nullLogger } from '../../../src/core/util/log.js';
import type { ExitReason, VmInfo, VmNic, VmSpec } from '../../../src/core/vm/driver.js';
import { VmPool, poolMiss, type PoolMounts, type PoolSettings, type PoolTemplate } from '../../../src/core/vm/pool.js';

const NIC: VmNic = { mac: '52:54:00:00:00:01', passt: { address: '10.0.2.15', prefix: 24, gateway: '10.0.2.2', dns: '10.0.2.3', ports: [] } };
const TEMPLATE: PoolTemplate = { vcpus: 1, memoryMiB: 256, nics: [NIC] };

class FakeAgent extends EventEmitter {
  closed = false;
  procs: unknown[] = [];
  processes() { return this.procs; }
  close() {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
  }
}

class FakeVms {
  vms = new Map<string, { info: VmInfo; alive: boolean; exit?: (why: ExitReason) => void; spec: VmSpec }>();
  failWith?: Error;
  /** While set, boots wait for it. */
  gate?: Promise<void>;
  destroyed: string[] = [];
  async start(spec: VmSpec): Promise<VmInfo> {
    await this.gate;
    if (this.failWith) throw this.failWith;
    const info = { vmId: spec.vmId, state: 'running', agentSocket: `/x/${spec.vmId}` } as VmInfo;
    this.vms.set(spec.vmId, { info, alive: true, spec });
    return info;
  }
  async destroy(info: VmInfo) {
    const v = this.vms.get(info.vmId);
    if (v) v.alive = false;
    this.vms.delete(info.vmId);
    this.destroyed.push(info.vmId);
  }
  async load(vmId: string) { return this.vms.get(vmId)?.info; }
  isAlive(info: VmInfo) { return !!this.vms.get(info.vmId)?.alive; }
  onExit(info: VmInfo, cb: (why: ExitReason) => void) {
    this.vms.get(info.vmId)!.exit = cb;
    return () => { const v = this.vms.get(info.vmId); if (v) v.exit = undefined; };
  }
  /** QEMU of this VM dies. */
  kill(vmId: string) {
    const v = this.vms.get(vmId)!;
    v.alive = false;
    v.exit?.({ qemuExited: true });
  }
}

class FakeMounts implements PoolMounts {
  binds = new Map<string, string>();
  shared = new Set<string>();
  failBind = false;
  async makeShared(dir: string) { this.shared.add(dir); }
  async bind(source: string, target: string) {
    if (this.failBind) throw new Error('mount: permission denied');
    assert.ok(fs.statSync(target).isDirectory(), 'the mount point exists');
    this.binds.set(target, source);
  }
  async unmount(dir: string) { this.binds.delete(dir); }
  async isMountPoint(dir: string) { return this.binds.has(dir); }
}

const roots: string[] = [];
after(() => { for (const r of roots) fs.rmSync(r, { recursive: true, force: true }); });

function setup(settings: PoolSettings, o: { vms?: FakeVms; mounts?: FakeMounts; root?: string } = {}) {
  const root = o.root ?? fs.mkdtempSync(path.join(os.tmpdir(), 'kctl-pool-unit-'));
  roots.push(root);
  const vms = o.vms ?? new FakeVms();
  const mounts = o.mounts ?? new FakeMounts();
  const agents = new Map<string, FakeAgent>();
  const cfg = { ...settings };
  const pool = new VmPool<FakeAgent>({
    layout: new RootLayout(root), vms, log: nullLogger, mounts, backoffMs: 20,
    settings: async () => structuredClone(cfg),
    connectAgent: async (vm) => {
      const a = new FakeAgent();
      agents.set(vm.vmId, a);
      return a;
    },
  });
  return { root, vms, mounts, agents, cfg, pool };
}

async function until(what: string, fn: () => boolean): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (fn()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const req = (over: Partial<Parameters<VmPool<FakeAgent>['claim']>[0]> = {}) => ({
  containerId: 'c1', vcpus: 1, memoryMiB: 256, shares: [], nics: [{ ...NIC, mac: '52:54:00:aa:bb:cc' }], rootfs: '/containers/c1/rootfs', ...over,
});

test('pool-size 0: no VM is booted and every start boots its own, without a reason to report', async () => {
  const { pool, vms } = setup({ size: 0, template: TEMPLATE });
  await pool.load();
  await pool.start();
  assert.deepEqual(await pool.claim(req()), { miss: '' });
  assert.equal(vms.vms.size, 0);
  assert.equal(pool.status().Size, 0);
  await pool.close();
});

test('fills to its size, hands a VM to a fitting start with the rootfs bound into its share, and refills', async () => {
  const { pool, vms, mounts, root } = setup({ size: 2, template: TEMPLATE });
  await pool.load();
  await pool.start();
  await until('two ready VMs', () => pool.ready === 2);
  const booted = [...vms.vms.values()];
  assert.equal(booted.length, 2);
  for (const v of booted) {
    assert.equal(v.spec.shares.length, 1, 'one virtio-fs share per pool VM');
    assert.equal(v.spec.shares[0]!.source, path.join(root, 'pool', v.spec.vmId));
    assert.deepEqual(v.spec.network![0]!.passt, NIC.passt);
    assert.notEqual(v.spec.network![0]!.mac, NIC.mac, 'each VM gets a MAC of its own');
    assert.deepEqual(v.spec.kernelArgs, ['kctl.rehearse'], 'the agent rehearses a container start before it is ready');
  }

  const c = await pool.claim(req());
  assert.ok(c.vm, 'a fitting start takes a pool VM');
  assert.equal(c.rootfsSubdir, 'root');
  assert.equal(mounts.binds.get(path.join(root, 'pool', c.vm.vmId, 'root')), '/containers/c1/rootfs');
  const rec = JSON.parse(fs.readFileSync(path.join(root, 'pool', `${c.vm.vmId}.json`), 'utf8'));
  assert.equal(rec.state, 'claimed');
  assert.equal(rec.containerId, 'c1');
  assert.equal(pool.owns(c.vm.vmId), false, 'a claimed VM is its container\'s');
  pool.refill(); // the start is done: the manager lets the replacement boot
  await until('the pool to refill', () => pool.ready === 2);
  assert.equal(vms.vms.size, 3);

  // The container ends: its VM is destroyed by the manager, then the sweep removes the rest.
  await vms.destroy(c.vm);
  await pool.sweep();
  assert.equal(mounts.binds.size, 0);
  assert.ok(!fs.existsSync(path.join(root, 'pool', c.vm.vmId)));
  assert.ok(!fs.existsSync(path.join(root, 'pool', `${c.vm.vmId}.json`)));
  await pool.close();
});

test('starts that do not fit the template boot their own VM and say why', async () => {
  const { pool, vms } = setup({ size: 1, template: TEMPLATE });
  await pool.load();
  await pool.start();
  await until('a ready VM', () => pool.ready === 1);
  const misses = [
    await pool.claim(req({ memoryMiB: 512 })),
    await pool.claim(req({ vcpus: 2 })),
    await pool.claim(req({ shares: [{ tag: 'm0', source: '/data', readOnly: false }] })),
    await pool.claim(req({ nics: [{ ...NIC, passt: { ...NIC.passt!, ports: [{ protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80 }] } }] })),
    await pool.claim(req({ nics: [] })),
    await pool.claim(req({ nics: [{ mac: '02:42:ac:14:00:02' }] })),
    await pool.claim(req({ nics: [NIC, { mac: '02:42:ac:14:00:02' }] })),
  ];
  assert.match(misses[0]!.vm ? '' : misses[0]!.miss, /512 MiB\) is not the pool's \(1 vCPU, 256 MiB/);
  assert.match(misses[1]!.vm ? '' : misses[1]!.miss, /2 vCPU/);
  assert.match(misses[2]!.vm ? '' : misses[2]!.miss, /bind mounts and volumes/);
  assert.match(misses[3]!.vm ? '' : misses[3]!.miss, /published ports/);
  assert.match(misses[4]!.vm ? '' : misses[4]!.miss, /--network none/);
  assert.match(misses[5]!.vm ? '' : misses[5]!.miss, /user-defined network/);
  assert.match(misses[6]!.vm ? '' : misses[6]!.miss, /user-defined network/, 'the default network plus a user-defined one');
  assert.equal(pool.ready, 1, 'misses leave the pool alone');
  assert.equal(vms.vms.size, 1);
  assert.equal(poolMiss(TEMPLATE, req()), undefined);
  await pool.close();
});

test('an empty pool says so; an idle VM that dies is destroyed and replaced', async () => {
  const { pool, vms } = setup({ size: 1, template: TEMPLATE });
  await pool.load();
  await pool.start();
  await until('a ready VM', () => pool.ready === 1);
  const first = [...vms.vms.keys()][0]!;
  vms.kill(first);
  await until('a replacement', () => pool.ready === 1 && !vms.vms.has(first));
  assert.ok(vms.destroyed.includes(first), 'the dead VM\'s remains are destroyed');
  assert.ok(!fs.existsSync(pool.shareDir(first)));

  let open!: () => void;
  vms.gate = new Promise((r) => { open = r; });
  assert.ok((await pool.claim(req())).vm);
  pool.refill();
  const empty = await pool.claim(req({ containerId: 'c2' }));
  assert.match(empty.vm ? '' : empty.miss, /no pre-booted VM was ready/);
  await until('the refill to be under way', () => pool.status().Booting === 1);
  open();
  await until('the refill', () => pool.ready === 1);
  await pool.close();
});

test('an idle VM whose agent channel closes is replaced, and one found dead at claim time is skipped', async () => {
  const { pool, vms, agents } = setup({ size: 1, template: TEMPLATE });
  await pool.load();
  await pool.start();
  await until('a ready VM', () => pool.ready === 1);
  const first = [...vms.vms.keys()][0]!;
  agents.get(first)!.close();
  await until('a replacement', () => pool.ready === 1 && !vms.vms.has(first));
  await pool.close();
});

test('failed boots are retried with back-off, reported by status and by a start that misses', async () => {
  const vms = new FakeVms();
  vms.failWith = new Error('qemu-system-x86_64: cannot allocate memory');
  const { pool } = setup({ size: 1, template: TEMPLATE }, { vms });
  await pool.load();
  await pool.start();
  await until('a reported problem', () => !!pool.status().Problem);
  assert.match(pool.status().Problem!, /cannot allocate memory/);
  const c = await pool.claim(req());
  assert.match(c.vm ? '' : c.miss, /the pool cannot boot VMs: .*cannot allocate memory/);
  assert.deepEqual(fs.readdirSync(path.join(pool.shareDir('x'), '..')), [], 'a failed boot leaves no share or record');
  vms.failWith = undefined;
  await until('the retry to succeed', () => pool.ready === 1);
  assert.equal(pool.status().Problem, undefined);
  await pool.close();
});

test('a claim whose bind mount fails destroys that VM and lets the start boot its own', async () => {
  const mounts = new FakeMounts();
  const { pool, vms } = setup({ size: 1, template: TEMPLATE }, { mounts });
  await pool.load();
  await pool.start();
  await until('a ready VM', () => pool.ready === 1);
  const first = [...vms.vms.keys()][0]!;
  mounts.failBind = true;
  const c = await pool.claim(req());
  assert.match(c.vm ? '' : c.miss, /could not take the root filesystem: mount: permission denied/);
  assert.ok(vms.destroyed.includes(first));
  assert.ok(!fs.existsSync(pool.shareDir(first)));
  await pool.close();
});

test('a restarted daemon re-adopts idle VMs, sweeps claimed ones whose VM is gone, destroys half-booted ones', async () => {
  const vms = new FakeVms();
  const mounts = new FakeMounts();
  const a = setup({ size: 2, template: TEMPLATE }, { vms, mounts });
  await a.pool.load();
  await a.pool.start();
  await until('two ready VMs', () => a.pool.ready === 2);
  const c = await a.pool.claim(req());
  assert.ok(c.vm);
  a.pool.refill();
  await until('the refill', () => a.pool.ready === 2);
  await a.pool.close();
  const idle = [...vms.vms.keys()].filter((id) => id !== c.vm.vmId);
  // While the daemon is down: the container's VM dies, and a boot is found half done.
  vms.kill(c.vm.vmId);
  const half = 'abcdefabcdef';
  fs.writeFileSync(path.join(a.root, 'pool', `${half}.json`), JSON.stringify({ vmId: half, state: 'booting', template: TEMPLATE, createdAt: '' }));
  fs.mkdirSync(path.join(a.root, 'pool', half, 'root'), { recursive: true });
  await vms.start({ vmId: half, vcpus: 1, memoryMiB: 256, shares: [] });

  const b = setup({ size: 2, template: TEMPLATE }, { vms, mounts, root: a.root });
  await b.pool.load();
  for (const id of idle) assert.ok(b.pool.owns(id), 'the container manager leaves idle pool VMs alone');
  assert.ok(!b.pool.owns(c.vm.vmId));
  await b.pool.start();
  assert.equal(b.pool.ready, 2, 'both idle VMs are re-adopted, none booted');
  assert.deepEqual([...b.agents.keys()].sort(), idle.sort());
  assert.ok(vms.destroyed.includes(half));
  assert.ok(!fs.existsSync(path.join(a.root, 'pool', half)));
  assert.ok(!fs.existsSync(path.join(a.root, 'pool', c.vm.vmId)), 'the claimed VM\'s share is swept');
  assert.equal(mounts.binds.size, 0);
  await b.pool.close();
});

test('an idle VM whose agent already runs a process is not re-adopted', async () => {
  const vms = new FakeVms();
  const a = setup({ size: 1, template: TEMPLATE }, { vms });
  await a.pool.load();
  await a.pool.start();
  await until('a ready VM', () => a.pool.ready === 1);
  await a.pool.close();
  const first = [...vms.vms.keys()][0]!;
  const b = setup({ size: 1, template: TEMPLATE }, { vms, root: a.root });
  const connect = (b.pool as unknown as { o: { connectAgent: (vm: VmInfo) => Promise<FakeAgent> } }).o;
  const orig = connect.connectAgent;
  connect.connectAgent = async (vm) => {
    const ag = await orig(vm);
    if (vm.vmId === first) ag.procs = [{ id: 1 }];
    return ag;
  };
  await b.pool.load();
  await b.pool.start();
  assert.ok(vms.destroyed.includes(first));
  await until('a fresh VM', () => b.pool.ready === 1);
  await b.pool.close();
});

test('a changed template (SIGHUP) drops idle VMs of the old one and boots the new', async () => {
  const { pool, vms, cfg } = setup({ size: 1, template: TEMPLATE });
  await pool.load();
  await pool.start();
  await until('a ready VM', () => pool.ready === 1);
  const first = [...vms.vms.keys()][0]!;
  cfg.template = { ...TEMPLATE, memoryMiB: 512 };
  await pool.reconfigure();
  await until('a VM of the new size', () => pool.ready === 1 && [...vms.vms.values()].some((v) => v.spec.memoryMiB === 512));
  assert.ok(vms.destroyed.includes(first));
  assert.ok((await pool.claim(req({ memoryMiB: 512 }))).vm);
  cfg.size = 0;
  await pool.reconfigure();
  await until('the pool to empty', () => pool.ready === 0 && vms.vms.size === 1);
  await pool.close();
});

test('daemon.json: pool-size, pool-vcpus and pool-memory-mib are checked like the other sizes', async () => {
  const { parseDaemonConfig } = await import('../../../src/core/config.js');
  const cfg = parseDaemonConfig({ 'pool-size': 2, 'pool-vcpus': 1, 'pool-memory-mib': 128 });
  assert.equal(cfg['pool-size'], 2);
  assert.equal(parseDaemonConfig({})['pool-size'], undefined, 'no pool unless asked for');
  assert.throws(() => parseDaemonConfig({ 'pool-size': -1 }), /"pool-size" must be an integer from 0 to 64/);
  assert.throws(() => parseDaemonConfig({ 'pool-memory-mib': 32 }), /"pool-memory-mib"/);
  assert.throws(() => parseDaemonConfig({ 'pool-size': '2' }), /"pool-size"/);
});

test('a restarted daemon with a smaller pool-size re-adopts only that many idle VMs', async () => {
  const vms = new FakeVms();
  const a = setup({ size: 2, template: TEMPLATE }, { vms });
  await a.pool.load();
  await a.pool.start();
  await until('two ready VMs', () => a.pool.ready === 2);
  await a.pool.close();
  const b = setup({ size: 1, template: TEMPLATE }, { vms, root: a.root });
  await b.pool.load();
  await b.pool.start();
  assert.equal(b.pool.ready, 1);
  assert.equal(vms.vms.size, 1, 'the other idle VM is destroyed');
  assert.equal(vms.destroyed.length, 1);
  await b.pool.close();
});

test('a share the guest filled (files, root replaced by a symlink) is removed without following anything', async () => {
  const { pool, vms, mounts, root } = setup({ size: 1, template: TEMPLATE });
  await pool.load();
  await pool.start();
  await until('a ready VM', () => pool.ready === 1);
  const c = await pool.claim(req());
  assert.ok(c.vm);
  const share = pool.shareDir(c.vm.vmId);
  // While it ran, the guest wrote beside the container root; the bind mount still covers `root`.
  fs.writeFileSync(path.join(share, 'left-behind'), 'x');
  fs.symlinkSync('/proc', path.join(share, 'proc-link'));
  await vms.destroy(c.vm);
  await pool.sweep();
  assert.ok(!fs.existsSync(share));
  assert.ok(fs.existsSync('/proc/self'), 'nothing outside the share was touched');
  assert.equal(mounts.binds.size, 0);

  // `root` itself a symlink (never unmounted through it).
  pool.refill();
  await until('a ready VM', () => pool.ready === 1);
  const d = await pool.claim(req({ containerId: 'c2' }));
  assert.ok(d.vm);
  const share2 = pool.shareDir(d.vm.vmId);
  mounts.binds.delete(path.join(share2, 'root'));
  fs.rmdirSync(path.join(share2, 'root'));
  fs.symlinkSync(root, path.join(share2, 'root'));
  const unmounted: string[] = [];
  const orig = mounts.unmount.bind(mounts);
  mounts.unmount = async (dir: string) => { unmounted.push(dir); await orig(dir); };
  await vms.destroy(d.vm);
  await pool.sweep();
  assert.deepEqual(unmounted, []);
  assert.ok(!fs.existsSync(share2));
  assert.ok(fs.existsSync(root), 'the symlink\'s target stays');
  await pool.close();
});

test('settings changed while a VM boots (SIGHUP to pool-size 0): the VM is not kept once it is ready', async () => {
  const vms = new FakeVms();
  let open!: () => void;
  vms.gate = new Promise<void>((r) => { open = r; });
  const { pool, cfg } = setup({ size: 1, template: TEMPLATE }, { vms });
  await pool.load();
  await pool.start();
  await until('a VM booting', () => vms.vms.size === 0 && pool.status().Booting === 1);
  cfg.size = 0;
  await pool.reconfigure();
  open();
  await until('the booted VM to be destroyed', () => vms.destroyed.length === 1);
  assert.equal(pool.ready, 0);
  assert.equal(vms.vms.size, 0);
  await pool.close();
});
