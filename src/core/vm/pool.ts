/**
 * The pool of pre-booted VMs (warm start). With `pool-size` N in daemon.json, kctld keeps N idle
 * VMs booted, their guest agent connected and waiting, and a container start that fits the pool's
 * template takes one instead of booting its own: the start is then a bind mount on the host and
 * the agent's START alone.
 *
 * Each pool VM has its own virtio-fs share, an empty directory pool/<vmId>/ served by its own
 * sandboxed virtiofsd, with one empty subdirectory `root`. A claim bind-mounts the container's
 * overlay (containers/<id>/rootfs) onto pool/<vmId>/root, and the agent's START names that
 * subdirectory (ROOTFS_SUBDIR in guest/agent/PROTOCOL.md): the agent mounts the share, binds
 * `root` as the container root and detaches the rest. The guest never looks into the share before
 * START, so it caches nothing of the empty directory.
 *
 * virtiofsd runs in a mount namespace of its own, made when it started, long before the claim. The
 * bind mount reaches it through mount propagation: pool/ is a bind mount of itself made shared, so
 * virtiofsd's copy of it is a slave (virtiofsd makes its whole tree MS_SLAVE before it pivots into
 * the share) and receives mounts made below it on the host. A mount below one VM's share propagates
 * to no other VM: their virtiofsd only kept the bind of their own share directory. (Kata's VM cache
 * does not work with virtio-fs; this is what lets kctl's pool use it.)
 *
 * Which containers the pool serves: those whose VM would be the template's. Same vCPUs and memory
 * (`pool-vcpus`, `pool-memory-mib`, by default the daemon's defaults), no bind mounts or volumes
 * (each needs a virtio-fs share, and shares are devices fixed when QEMU starts), and the network
 * the pool VMs were booted with: the default network without published ports (passt binds the host
 * ports when it starts, with the VM). Everything else - `--memory`, `--cpus`, `-v`, `-p`,
 * `--network none` - boots its own VM, as without a pool, and the isolation report says why.
 *
 * On disk, beside the VM's own vms/<vmId>/vm.json:
 *   pool/<vmId>.json   PoolRecord: booting -> idle -> claimed (by a container)
 *   pool/<vmId>/root/  the mount point of the container root once claimed
 * A restarted kctld re-adopts idle VMs that still fit the template (their agent answers and runs
 * nothing), destroys the others, and removes what claimed VMs left once their VM is gone. Pool VMs
 * outlive the daemon as container VMs do. A claimed VM belongs to its container and is stopped with
 * it: pool VMs are never reused.
 */
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { failedPrecondition, KctlError, tail } from '../errors.js';
import type { RootLayout } from '../paths.js';
import type { Logger } from '../util/log.js';
import { readJson, writeJsonAtomic } from '../util/fsx.js';
import type { ExitReason, ShareSpec, VmInfo, VmNic, VmSpec } from './driver.js';

/** The subdirectory of a pool VM's share that becomes the container root. */
export const POOL_ROOT_SUBDIR = 'root';
const SHARE_TAG = 'rootfs';
const VM_ID_RE = /^[0-9a-f]{12}$/;
const MAX_BACKOFF_MS = 60_000;
/** A booting VM's agent has this long to say hello; an idle one found at daemon start, less. */
const BOOT_HELLO_MS = 30_000;
const READOPT_HELLO_MS = 5_000;
/** Longest a claim holds back the refill when the start does not call refill(). */
const REFILL_AFTER_CLAIM_MS = 2000;

/** What every VM of the pool is: a container fits when its VM would be exactly this. */
export interface PoolTemplate {
  vcpus: number;
  memoryMiB: number;
  /** The default network's NICs (MACs aside; each pool VM gets its own). Served by passt. */
  nics: VmNic[];
}

export interface PoolSettings {
  /** Idle VMs to keep booted; 0 turns the pool off. */
  size: number;
  template: PoolTemplate;
}

export interface PoolRecord {
  vmId: string;
  state: 'booting' | 'idle' | 'claimed';
  template: PoolTemplate;
  createdAt: string;
  containerId?: string;
}

/** The parts of the VM driver the pool uses (a fake in unit tests). */
export interface PoolVms {
  start(spec: VmSpec): Promise<VmInfo>;
  destroy(info: VmInfo): Promise<void>;
  load(vmId: string): Promise<VmInfo | undefined>;
  isAlive(info: VmInfo): boolean;
  onExit(info: VmInfo, cb: (why: ExitReason) => void): () => void;
}

/** The parts of the agent client the pool uses. */
export interface PoolAgent {
  readonly closed: boolean;
  processes(): unknown[];
  close(): void;
  on(event: 'close', cb: () => void): unknown;
  off(event: 'close', cb: () => void): unknown;
}

/** Host mounts (a fake in unit tests). */
export interface PoolMounts {
  /** Makes `dir` a shared mount point (a bind mount of itself) so mounts below it propagate. */
  makeShared(dir: string): Promise<void>;
  bind(source: string, target: string): Promise<void>;
  /** Unmounts `dir` if it is a mount point (lazily when busy). */
  unmount(dir: string): Promise<void>;
  isMountPoint(dir: string): Promise<boolean>;
}

export interface PoolOptions<A extends PoolAgent> {
  layout: RootLayout;
  vms: PoolVms;
  log: Logger;
  settings: () => Promise<PoolSettings>;
  /** Connects to the VM's agent and waits for its HELLO, within `timeoutMs`. */
  connectAgent: (vm: VmInfo, timeoutMs: number) => Promise<A>;
  mounts?: PoolMounts;
  /** First delay after a failed boot (doubles up to a minute). */
  backoffMs?: number;
}

/** What a container start asks of the pool. */
export interface PoolRequest {
  containerId: string;
  vcpus: number;
  memoryMiB: number;
  shares: ShareSpec[];
  nics: VmNic[];
  /** The container's root filesystem on the host (its overlay mount). */
  rootfs: string;
}

export type PoolClaim<A> =
  | { vm: VmInfo; agent: A; rootfsSubdir: string }
  | { vm?: undefined; miss: string };

export interface PoolStatus {
  Size: number;
  Ready: number;
  Booting: number;
  VCPUs: number;
  MemoryMiB: number;
  Network: string;
  /** Why the pool cannot fill, when it cannot (the last failed boot). */
  Problem?: string;
}

interface Idle<A> {
  rec: PoolRecord;
  vm: VmInfo;
  agent: A;
  unwatch: () => void;
}

/** What a NIC is, MAC aside: its passt configuration, or a port on a user-defined network's switch. */
function nicKey(nics: VmNic[]): string {
  return JSON.stringify(nics.map((n) => n.passt ?? 'switch'));
}

function describeNics(nics: VmNic[]): string {
  if (nics.length === 0) return 'none';
  return nics.map((n) => (n.passt ? `default (${n.passt.address}/${n.passt.prefix}${n.passt.ports.length ? `, ${n.passt.ports.length} published ports` : ''})` : 'user-defined')).join(', ');
}

export function sameTemplate(a: PoolTemplate, b: PoolTemplate): boolean {
  return a.vcpus === b.vcpus && a.memoryMiB === b.memoryMiB && nicKey(a.nics) === nicKey(b.nics);
}

/** Why a container cannot take a VM of this template, or undefined when it can. */
export function poolMiss(t: PoolTemplate, r: Pick<PoolRequest, 'vcpus' | 'memoryMiB' | 'shares' | 'nics'>): string | undefined {
  if (r.vcpus !== t.vcpus || r.memoryMiB !== t.memoryMiB) {
    return `its VM size (${r.vcpus} vCPU, ${r.memoryMiB} MiB) is not the pool's (${t.vcpus} vCPU, ${t.memoryMiB} MiB)`;
  }
  if (r.shares.length) return 'bind mounts and volumes are virtio-fs shares of their own, which a VM gets when it boots';
  if (nicKey(r.nics) !== nicKey(t.nics)) {
    if (r.nics.some((n) => !n.passt)) return 'pool VMs are on the default network; a user-defined network\'s NIC is plugged into its switch when the VM boots';
    return r.nics.length === 0
      ? 'pool VMs have the default network; --network none boots a VM without a NIC'
      : 'its network is not the pool VMs\' (published ports are bound by passt when the VM boots)';
  }
  return undefined;
}

function randomMac(): string {
  const b = randomBytes(3);
  return `52:54:00:${[...b].map((x) => x.toString(16).padStart(2, '0')).join(':')}`;
}

export class VmPool<A extends PoolAgent> {
  private readonly dir: string;
  private readonly log: Logger;
  private readonly mounts: PoolMounts;
  private records = new Map<string, PoolRecord>();
  private idle: Idle<A>[] = [];
  private booting = 0;
  private filling?: Promise<void>;
  private backoff = 0;
  private retryTimer?: NodeJS.Timeout;
  private closed = false;
  private started = false;
  private problem?: string;
  private last?: PoolSettings;

  constructor(private readonly o: PoolOptions<A>) {
    this.dir = o.layout.poolDir;
    this.log = o.log.with({ component: 'pool' });
    this.mounts = o.mounts ?? hostMounts;
  }

  private recordFile(vmId: string): string {
    return path.join(this.dir, `${vmId}.json`);
  }

  shareDir(vmId: string): string {
    return path.join(this.dir, vmId);
  }

  /** Reads the pool's records; call before the container manager sweeps orphan VMs. */
  async load(): Promise<void> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch {
      return;
    }
    for (const n of names) {
      const m = /^([0-9a-f]{12})\.json$/.exec(n);
      if (!m) continue;
      try {
        const rec = await readJson<PoolRecord>(this.recordFile(m[1]!));
        if (rec?.vmId === m[1]) this.records.set(rec.vmId, rec);
      } catch (err) {
        this.log.warn('unreadable pool record; its VM is cleaned up', { vmId: m[1], error: (err as Error).message });
        this.records.set(m[1]!, { vmId: m[1]!, state: 'booting', template: { vcpus: 0, memoryMiB: 0, nics: [] }, createdAt: '' });
      }
    }
  }

  /** VMs the pool answers for (not yet claimed by a container): the manager leaves them alone. */
  owns(vmId: string): boolean {
    const r = this.records.get(vmId);
    return !!r && r.state !== 'claimed';
  }

  /** Re-adopts idle VMs of a previous daemon, cleans up the rest, then fills the pool in the background. */
  async start(): Promise<void> {
    this.started = true;
    const settings = await this.o.settings();
    this.last = settings;
    let kept = 0;
    await Promise.all([...this.records.values()].map(async (rec) => {
      const vm = await this.o.vms.load(rec.vmId).catch(() => undefined);
      const alive = !!vm && this.o.vms.isAlive(vm);
      if (rec.state === 'claimed') {
        if (!alive) await this.cleanup(rec, vm);
        return;
      }
      if (rec.state === 'idle' && alive && vm.state === 'running' && sameTemplate(rec.template, settings.template) && kept < settings.size) {
        kept++;
        try {
          const agent = await this.o.connectAgent(vm, READOPT_HELLO_MS);
          if (agent.processes().length === 0) {
            this.addIdle(rec, vm, agent);
            this.log.info('re-adopted idle pool VM', { vmId: rec.vmId });
            return;
          }
          agent.close();
        } catch (err) {
          this.log.warn('idle pool VM does not answer', { vmId: rec.vmId, error: (err as Error).message });
        }
        kept--;
      }
      await this.cleanup(rec, vm);
    }));
    // Directories left without a record (a crash between mkdir and the record): nothing runs there.
    for (const n of await fs.readdir(this.dir).catch(() => [] as string[])) {
      if (VM_ID_RE.test(n) && !this.records.has(n)) await this.removeShare(n);
    }
    this.kick();
  }

  /** daemon.json changed: drop idle VMs of another template and fill to the new size. */
  async reconfigure(): Promise<void> {
    if (!this.started || this.closed) return;
    this.last = await this.o.settings();
    await this.trim();
    this.backoff = 0;
    this.problem = undefined;
    this.kick();
  }

  /**
   * Takes an idle VM for a container and puts its root filesystem in place, or says why not (the
   * caller boots a VM of its own). A VM whose bind mount fails is destroyed and not offered again.
   */
  async claim(req: PoolRequest): Promise<PoolClaim<A>> {
    if (this.closed) return { miss: '' };
    const settings = this.last;
    if (!settings || (settings.size === 0 && this.idle.length === 0)) return { miss: '' };
    const why = poolMiss(settings.template, req);
    if (why) return { miss: why };
    for (;;) {
      const i = this.idle.findIndex((e) => sameTemplate(e.rec.template, settings.template));
      if (i < 0) {
        this.kick();
        return { miss: this.problem ? `the pool cannot boot VMs: ${this.problem}` : 'no pre-booted VM was ready (the pool refills in the background)' };
      }
      const [e] = this.idle.splice(i, 1);
      e!.unwatch();
      // The refill waits for this start (refill()), so that booting a VM does not slow it down;
      // a start that never says so is not waited for long.
      setTimeout(() => this.kick(), REFILL_AFTER_CLAIM_MS).unref();
      if (e!.agent.closed || !this.o.vms.isAlive(e!.vm)) {
        await this.discard(e!, 'it died while idle');
        continue;
      }
      const target = path.join(this.shareDir(e!.rec.vmId), POOL_ROOT_SUBDIR);
      try {
        e!.rec.state = 'claimed';
        e!.rec.containerId = req.containerId;
        await this.save(e!.rec);
        // mount(8) follows symlinks: the mount point must still be the directory the pool made.
        if (!(await fs.lstat(target)).isDirectory()) throw failedPrecondition(`${target} is not a directory`);
        await this.mounts.bind(req.rootfs, target);
      } catch (err) {
        this.log.warn('claiming a pool VM failed; the container boots its own', { vmId: e!.rec.vmId, error: (err as Error).message });
        await this.discard(e!, 'its claim failed');
        return { miss: `the pool VM could not take the root filesystem: ${(err as Error).message}` };
      }
      this.log.info('pool VM claimed', { vmId: e!.rec.vmId, id: req.containerId });
      return { vm: e!.vm, agent: e!.agent, rootfsSubdir: POOL_ROOT_SUBDIR };
    }
  }

  /** The start that claimed a VM is done (its process runs, or it failed): boot the replacement. */
  refill(): void {
    this.kick();
  }

  /**
   * Removes what claimed VMs left behind once their VM is gone: the bind mount of the container
   * root, the share directory, the record. The container manager calls it before it unmounts a
   * container's root filesystem.
   */
  async sweep(): Promise<void> {
    for (const rec of [...this.records.values()]) {
      if (rec.state !== 'claimed') continue;
      const vm = await this.o.vms.load(rec.vmId).catch(() => undefined);
      if (vm && this.o.vms.isAlive(vm)) continue;
      await this.cleanup(rec, vm);
    }
  }

  status(): PoolStatus {
    const t = this.last?.template;
    return {
      Size: this.last?.size ?? 0,
      Ready: this.idle.length,
      Booting: this.booting,
      VCPUs: t?.vcpus ?? 0,
      MemoryMiB: t?.memoryMiB ?? 0,
      Network: t ? describeNics(t.nics) : 'none',
      ...(this.problem ? { Problem: this.problem } : {}),
    };
  }

  /** Stops filling and lets go of the agents; the idle VMs keep running for the next daemon. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    for (const e of this.idle) {
      e.unwatch();
      e.agent.close();
    }
    this.idle = [];
    await this.filling?.catch(() => undefined);
  }

  /** Idle VMs that are ready now (for tests and the bench). */
  get ready(): number {
    return this.idle.length;
  }

  /** Drops idle VMs of another template, and those beyond the pool's size, under the latest settings. */
  private async trim(): Promise<void> {
    const settings = this.last;
    if (!settings) return;
    for (const e of [...this.idle]) {
      if (!sameTemplate(e.rec.template, settings.template) || this.idle.length > settings.size) {
        await this.drop(e, 'the pool settings changed');
      }
    }
  }

  // ------------------------------------------------------------------ filling

  private kick(): void {
    if (this.closed || this.filling || this.retryTimer) return;
    this.filling = this.fill().finally(() => {
      this.filling = undefined;
    });
  }

  private async fill(): Promise<void> {
    while (!this.closed) {
      const settings = await this.o.settings().catch(() => this.last);
      if (!settings) return;
      this.last = settings;
      if (this.idle.length >= settings.size) return;
      try {
        await this.bootOne(settings.template);
        // The settings may have changed while it booted (daemon.json reloaded): it may not belong.
        this.last = await this.o.settings().catch(() => this.last);
        await this.trim();
        this.backoff = 0;
        this.problem = undefined;
      } catch (err) {
        const e = err as KctlError;
        this.problem = e.message;
        this.backoff = Math.min(this.backoff ? this.backoff * 2 : this.o.backoffMs ?? 1000, MAX_BACKOFF_MS);
        this.log.warn('booting a pool VM failed; retrying later', { error: e.message, detail: e.detail, retryInMs: this.backoff });
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          this.kick();
        }, this.backoff);
        this.retryTimer.unref();
        return;
      }
    }
  }

  private async bootOne(template: PoolTemplate): Promise<void> {
    const vmId = randomBytes(6).toString('hex');
    const rec: PoolRecord = { vmId, state: 'booting', template, createdAt: new Date().toISOString() };
    this.booting++;
    let vm: VmInfo | undefined;
    try {
      await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
      await this.mounts.makeShared(this.dir);
      this.records.set(vmId, rec);
      await this.save(rec);
      const share = this.shareDir(vmId);
      await fs.mkdir(share, { mode: 0o755 });
      await fs.mkdir(path.join(share, POOL_ROOT_SUBDIR), { mode: 0o755 });
      const t0 = Date.now();
      vm = await this.o.vms.start({
        vmId,
        vcpus: template.vcpus,
        memoryMiB: template.memoryMiB,
        shares: [{ tag: SHARE_TAG, source: share, readOnly: false }],
        network: template.nics.map((n) => ({ ...n, mac: randomMac() })),
        // The agent rehearses a container start before it says hello, so that under TCG the real one
        // runs translated code (guest/agent/PROTOCOL.md; daemon-side warm start 90-98 ms without it, ~50 ms with it).
        kernelArgs: ['kctl.rehearse'],
      });
      const agent = await this.o.connectAgent(vm, BOOT_HELLO_MS);
      if (this.closed) {
        // The daemon is stopping: the VM stays for the next one, as idle VMs do.
        agent.close();
        rec.state = 'idle';
        await this.save(rec);
        return;
      }
      rec.state = 'idle';
      await this.save(rec);
      this.addIdle(rec, vm, agent);
      this.log.info('pool VM ready', { vmId, readyMs: Date.now() - t0, ready: this.idle.length });
    } catch (err) {
      await this.cleanup(rec, vm ?? (await this.o.vms.load(vmId).catch(() => undefined)));
      throw err;
    } finally {
      this.booting--;
    }
  }

  private addIdle(rec: PoolRecord, vm: VmInfo, agent: A): void {
    const e: Idle<A> = { rec, vm, agent, unwatch: () => undefined };
    const onClose = () => void this.dropIfIdle(e, 'its agent channel closed');
    agent.on('close', onClose);
    const unwatchVm = this.o.vms.onExit(vm, (why) => void this.dropIfIdle(e, why.virtiofsdExited ? `virtiofsd (${why.virtiofsdExited}) exited` : 'QEMU exited'));
    e.unwatch = () => {
      agent.off('close', onClose);
      unwatchVm();
    };
    this.idle.push(e);
  }

  private async dropIfIdle(e: Idle<A>, why: string): Promise<void> {
    if (!this.idle.includes(e)) return;
    await this.drop(e, why);
    this.kick();
  }

  private async drop(e: Idle<A>, why: string): Promise<void> {
    this.idle = this.idle.filter((x) => x !== e);
    e.unwatch();
    await this.discard(e, why);
  }

  private async discard(e: Idle<A>, why: string): Promise<void> {
    this.log.info('pool VM discarded', { vmId: e.rec.vmId, why });
    e.agent.close();
    await this.cleanup(e.rec, e.vm);
  }

  /** Destroys the VM (if any), unmounts the container root, removes the share and the record. */
  private async cleanup(rec: PoolRecord, vm: VmInfo | undefined): Promise<void> {
    try {
      if (vm) await this.o.vms.destroy(vm);
      await this.removeShare(rec.vmId);
      await fs.rm(this.recordFile(rec.vmId), { force: true });
      this.records.delete(rec.vmId);
    } catch (err) {
      this.log.warn('pool VM cleanup failed; retried at the next sweep', { vmId: rec.vmId, error: (err as Error).message });
    }
  }

  /**
   * Removes pool/<vmId>/, only once its VM is gone. The share was writable by the guest, so it may
   * hold anything a guest that broke out of its container left there, `root` replaced by a symlink
   * included: a symlink is never unmounted (umount would follow it), and the directory is only
   * removed, recursively, once nothing is mounted on `root`.
   */
  private async removeShare(vmId: string): Promise<void> {
    const share = this.shareDir(vmId);
    const root = path.join(share, POOL_ROOT_SUBDIR);
    const st = await fs.lstat(root).catch(() => undefined);
    if (st?.isDirectory()) {
      await this.mounts.unmount(root);
      if (await this.mounts.isMountPoint(root)) throw failedPrecondition(`${root} is still mounted`);
    }
    await fs.rm(share, { recursive: true, force: true });
  }

  private async save(rec: PoolRecord): Promise<void> {
    await writeJsonAtomic(this.recordFile(rec.vmId), rec);
  }
}

// --------------------------------------------------------------------- host mounts

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 10_000, killSignal: 'SIGKILL' }, (err, _out, stderr) => {
      if (!err) resolve();
      else reject(failedPrecondition(`${cmd} ${args.join(' ')} failed`, { detail: tail(String(stderr)) }));
    });
  });
}

async function mountInfo(): Promise<{ mountPoint: string; optional: string }[]> {
  const text = await fs.readFile('/proc/self/mountinfo', 'utf8');
  return text.split('\n').filter(Boolean).map((line) => {
    const f = line.split(' ');
    const sep = f.indexOf('-');
    return {
      mountPoint: f[4]!.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))),
      optional: f.slice(6, sep).join(' '),
    };
  });
}

export const hostMounts: PoolMounts = {
  async makeShared(dir) {
    const real = await fs.realpath(dir);
    const own = (await mountInfo()).filter((m) => m.mountPoint === real);
    if (own.some((m) => /\bshared:\d+/.test(m.optional))) return;
    if (own.length === 0) await run('mount', ['--bind', real, real]);
    await run('mount', ['--make-shared', real]);
  },
  async bind(source, target) {
    await run('mount', ['--bind', source, target]);
  },
  async unmount(dir) {
    if (!(await this.isMountPoint(dir))) return;
    try {
      await run('umount', [dir]);
    } catch {
      if (await this.isMountPoint(dir)) await run('umount', ['-l', dir]);
    }
  },
  async isMountPoint(dir) {
    let real: string;
    try {
      real = await fs.realpath(dir);
    } catch {
      return false;
    }
    return (await mountInfo()).some((m) => m.mountPoint === real);
  },
};
