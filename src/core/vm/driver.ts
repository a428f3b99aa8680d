/**
 * The VM driver: starts, watches and stops kctl's microVMs (QEMU `-M microvm` plus one virtiofsd
 * per shared directory). It knows nothing of containers; a container is given a VM by the layer
 * above, and a pool of pre-booted VMs can sit between the two.
 *
 * Processes are started detached (their own session and process group, stdio to files in the VM
 * directory), so they outlive a daemon restart. Everything needed to find them again is persisted
 * atomically in vms/<vmId>/vm.json as each process starts, and a process is only ever signalled
 * after checking that its PID still has the recorded start time (PIDs are reused).
 *
 *   vms/<vmId>/ (0700)
 *     vm.json             VmInfo
 *     qmp.sock agent.sock QEMU's monitor and the agent's virtio-serial port (0600)
 *     fs<N>.sock          vhost-user socket of virtiofsd number N (0600; kctld binds it, virtiofsd inherits it)
 *     net/<N>.pid         the PID file of the passt serving NIC N (passt inherits a socket pair with QEMU)
 *     console.log         the guest serial console
 *     qemu.log            QEMU's stderr/stdout
 *     virtiofsd-<tag>.log virtiofsd's stderr
 */
import { execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { conflict, deadlineExceeded, internal, invalidArgument, isKctlError, KctlError, tail, unavailable } from '../errors.js';
import type { RootLayout } from '../paths.js';
import { readJson, writeJsonAtomic } from '../util/fsx.js';
import type { Logger } from '../util/log.js';
import { withUndo } from '../util/undo.js';
import { findGuestAssets, type AssetLookup, type GuestAssets } from './assets.js';
import { defaultProbePath, runHostProbe, type ProbeResult } from './hostprobe.js';
import {
  isSameLiveProcess, killGroupIfSame, readProcStat, groupHasLiveMembers, liveProcessGroups, readTail, sleep, spawnDetached,
} from './proc.js';
import { QmpClient, withQmp } from './qmp.js';
import { AGENT_PORT_NAME, DEFAULT_TB_SIZE_MIB, kernelCmdline, qemuArgs, type Accelerator, type KernelKind, type NetDevice, type QemuConfig } from './qemu-args.js';
import { virtiofsdCommand, type CacheMode } from './virtiofsd-args.js';
import { inheritableListener, inheritablePair, type InheritableSocket } from './inherit.js';
import { passtArgs, type PasstConfig } from '../network/passt-args.js';

export interface ShareSpec {
  tag: string;
  source: string;
  readOnly: boolean;
}

export interface VmSpec {
  /** 12 lowercase hex characters (unix socket paths are limited to 107 bytes). */
  vmId: string;
  vcpus: number;
  memoryMiB: number;
  shares: ShareSpec[];
  /** Extra kernel parameters for the guest agent, appended after kctl's own. */
  kernelArgs?: string[];
  /** NICs, eth0 first (see src/core/network/README.md); absent: none. */
  network?: VmNic[];
}

/**
 * A NIC: served by its own passt (the NAT to the outside and published ports), or, without
 * `passt`, a socket QEMU listens on for the switch of a user-defined network (VmInfo.nicSockets).
 */
export interface VmNic {
  mac: string;
  passt?: Omit<PasstConfig, 'binary' | 'socket' | 'logFile' | 'runAs' | 'pidFile'>;
}

/** A process that serves one NIC of the VM (passt). */
export interface NetHelperInfo {
  pid: number;
  startTime: string;
  /** Before kctl passed passt a socket pair: the path it listened on. */
  socket?: string;
}

export interface VirtiofsdInfo {
  tag: string;
  pid: number;
  startTime: string;
  source: string;
  readOnly: boolean;
  socket: string;
}

/** Persisted as vms/<vmId>/vm.json; enough to re-adopt the VM after a daemon restart. */
export interface VmInfo {
  vmId: string;
  dir: string;
  hypervisor: 'qemu';
  hypervisorVersion: string;
  machine: 'microvm';
  accelerator: Accelerator;
  acceleratorReason: string;
  kernel: string;
  kernelKind: KernelKind;
  initrd: string;
  vcpus: number;
  memoryMiB: number;
  /** 0 while the VM is still starting (virtiofsd up, QEMU not yet spawned). */
  qemuPid: number;
  /** /proc/<pid>/stat starttime of QEMU: the identity check against PID reuse. */
  qemuStartTime: string;
  virtiofsd: VirtiofsdInfo[];
  /** One passt per passt NIC; absent in VMs without a network. */
  netHelpers?: NetHelperInfo[];
  /** Per NIC (in VmSpec.network order): the socket QEMU listens on for a switch, '' for passt NICs. */
  nicSockets?: string[];
  /** Per NIC: its MAC (to find a user-network NIC again after a daemon restart). */
  nicMacs?: string[];
  agentSocket: string;
  qmpSocket: string;
  consoleLog: string;
  agentChannel: 'virtio-serial' | 'vsock';
  startedAt: string;
  /** 'starting' until QMP answered; a VM left 'starting' by a crashed daemon is garbage. */
  state?: 'starting' | 'running';
  /**
   * The unprivileged uid QEMU (and this VM's passt) runs as; absent when QEMU runs as the daemon's
   * user (KVM hosts whose /dev/kvm that uid cannot open, or a daemon that is not root).
   */
  qemuUid?: number;
}

export interface HostInfo {
  accelerator: Accelerator;
  acceleratorReason: string;
  kvm: ProbeResult['kvm'] | 'unknown';
  kvmMicros?: number;
  tscKhz?: number;
  tscSource: ProbeResult['tscSource'];
  probeMillis?: number;
  qemu?: { path: string; version: string };
  virtiofsd?: { path: string; version: string };
  assets?: GuestAssets;
  /** What stops VMs from starting on this host, each with what to do about it. Empty when ready. */
  problems: string[];
}

/** A file other users can read: every directory on the way has o+x and the file o+r. */
function readableByOthers(file: string): boolean {
  try {
    if ((fs.statSync(file).mode & 0o004) === 0) return false;
    for (let d = path.dirname(path.resolve(file)); ; d = path.dirname(d)) {
      if ((fs.statSync(d).mode & 0o001) === 0) return false;
      if (d === '/') return true;
    }
  } catch {
    return false;
  }
}

export interface VmDriverOptions {
  layout: RootLayout;
  log: Logger;
  qemuPath?: string;
  virtiofsdPath?: string;
  unsharePath?: string;
  passtPath?: string;
  probePath?: string;
  /** 'auto' (default) runs the KVM self-test; 'tcg' never uses KVM; 'kvm' uses it even if slow. */
  accelerator?: 'auto' | Accelerator;
  /** TCG translation cache per VM (MiB), read at every start (daemon.json can change it). */
  tbSizeMiB?: number | (() => number | undefined);
  cache?: CacheMode;
  assets?: AssetLookup;
  /** Bound on waiting for each virtiofsd socket and for QMP to answer. */
  startTimeoutMs?: number;
  /** Keep QEMU running as the daemon's user even when it is root. */
  qemuAsRoot?: boolean;
  /** native/out/kctl-vmexec: starts VM processes with their memory open to KSM (and drops to QEMU's uid). */
  vmexecPath?: string;
}

/** dist/src/core/vm/driver.js -> <package>/native/out/kctl-vmexec */
export function defaultVmexecPath(): string {
  return process.env.KCTL_VMEXEC || fileURLToPath(new URL('../../../../native/out/kctl-vmexec', import.meta.url));
}

export interface ExitReason {
  qemuExited: boolean;
  /** The tag of the share whose virtiofsd died while QEMU still ran. */
  virtiofsdExited?: string;
}

const VM_ID_RE = /^[0-9a-f]{12}$/;
/** The user passt runs as (it refuses root): Debian's nobody. */
const PASST_UID = 65534;
const CHILD_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' };
const POLL_MS = 200;

function validateVmId(vmId: string): void {
  if (!VM_ID_RE.test(vmId)) throw invalidArgument(`invalid VM id ${JSON.stringify(vmId)}: expected 12 lowercase hex characters`);
}

function firstExisting(candidates: string[]): string | undefined {
  return candidates.find((p) => {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function runVersion(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 5000, killSignal: 'SIGKILL', env: CHILD_ENV }, (err, stdout, stderr) => {
      if (err) reject(unavailable(`${file} ${args.join(' ')} failed: ${err.message.split('\n')[0]}`, { detail: tail(String(stderr)) }));
      else resolve((String(stdout) + String(stderr)).split('\n')[0].trim());
    });
  });
}

export class VmDriver {
  private readonly layout: RootLayout;
  private readonly log: Logger;
  private readonly opts: VmDriverOptions;
  private host?: Promise<HostInfo>;
  /** Processes this daemon spawned, so exits are seen at once (others are polled via /proc). */
  private readonly children = new Map<number, ChildProcess>();

  constructor(opts: VmDriverOptions) {
    this.opts = opts;
    this.layout = opts.layout;
    this.log = opts.log;
  }

  // ---------------------------------------------------------------------------------------------
  // Host facts

  /** Probes the host once (KVM self-test, TSC rate, QEMU/virtiofsd versions, guest assets) and caches it. */
  hostInfo(): Promise<HostInfo> {
    this.host ??= this.probeHost().catch((err) => {
      this.host = undefined;
      throw err;
    });
    return this.host;
  }

  private async probeHost(): Promise<HostInfo> {
    const problems: string[] = [];
    const want = this.opts.accelerator ?? 'auto';
    let probe: ProbeResult | undefined;
    try {
      probe = await runHostProbe(this.opts.probePath ?? defaultProbePath());
    } catch (err) {
      const e = err as KctlError;
      this.log.warn('host probe failed; using TCG without the TSC rate (slower boot)', { error: e.message, detail: e.detail });
    }
    let accelerator: Accelerator;
    let acceleratorReason: string;
    if (want === 'tcg') {
      accelerator = 'tcg';
      acceleratorReason = 'TCG chosen by configuration';
    } else if (want === 'kvm') {
      accelerator = 'kvm';
      acceleratorReason = `KVM chosen by configuration${probe ? ` (self-test: ${probe.kvm}, ${probe.reason})` : ''}`;
    } else if (!probe) {
      accelerator = 'tcg';
      acceleratorReason = 'no usable KVM: the KVM self-test could not run (kctl-hostprobe missing or failed); running under TCG, ~10x slower';
    } else if (probe.kvm === 'usable') {
      accelerator = 'kvm';
      acceleratorReason = `KVM self-test passed: ${probe.reason}`;
    } else {
      accelerator = 'tcg';
      acceleratorReason = `no usable KVM (${probe.kvm}: ${probe.reason}); running under TCG, ~10x slower`;
    }

    const qemuPath = this.opts.qemuPath ?? firstExisting(['/usr/bin/qemu-system-x86_64', '/usr/local/bin/qemu-system-x86_64']);
    const vfsPath = this.opts.virtiofsdPath ?? firstExisting(['/usr/lib/qemu/virtiofsd', '/usr/libexec/virtiofsd', '/usr/local/libexec/virtiofsd']);
    let qemu: HostInfo['qemu'];
    let virtiofsd: HostInfo['virtiofsd'];
    if (!qemuPath) problems.push('qemu-system-x86_64 is not installed: apt-get install qemu-system-x86');
    else {
      try {
        const v = await runVersion(qemuPath, ['--version']);
        qemu = { path: qemuPath, version: /version\s+(\S+)/.exec(v)?.[1] ?? v };
      } catch (err) {
        problems.push(`${qemuPath} does not run: ${(err as Error).message}`);
      }
    }
    if (!vfsPath) problems.push('virtiofsd is not installed: apt-get install qemu-system-common');
    else {
      try {
        const v = await runVersion(vfsPath, ['--version']);
        virtiofsd = { path: vfsPath, version: /version\s+(\S+)/.exec(v)?.[1] ?? v };
      } catch (err) {
        problems.push(`${vfsPath} does not run: ${(err as Error).message}`);
      }
    }
    if (!firstExisting([this.opts.passtPath ?? '/usr/bin/passt'])) {
      problems.push('passt is not installed: apt-get install passt (containers need it for their network; --network none works without it)');
    }
    let assets: GuestAssets | undefined;
    try {
      assets = findGuestAssets(this.opts.assets);
    } catch (err) {
      const e = err as KctlError;
      problems.push(`${e.message}${e.hint ? `: ${e.hint}` : ''}`);
    }
    if (accelerator === 'tcg' && probe?.tscKhz === undefined) {
      this.log.warn('host TSC rate unknown: the guest kernel calibrates without it (slower boot)');
    }
    return {
      accelerator,
      acceleratorReason,
      kvm: probe?.kvm ?? 'unknown',
      kvmMicros: probe?.kvmMicros,
      tscKhz: probe?.tscKhz,
      tscSource: probe?.tscSource ?? 'none',
      probeMillis: probe ? Math.round(probe.probeMicros / 1000) : undefined,
      qemu,
      virtiofsd,
      assets,
      problems,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Start

  async start(spec: VmSpec): Promise<VmInfo> {
    validateVmId(spec.vmId);
    this.validateShares(spec.shares);
    const host = await this.hostInfo();
    if (!host.qemu || !host.virtiofsd) {
      throw unavailable(`cannot start VMs on this host: ${host.problems.join('; ')}`, { hint: 'run `kctl info` for details' });
    }
    // Re-resolve the assets on every start: they may have been (re)built since the probe.
    const assets = findGuestAssets(this.opts.assets);
    const log = this.log.with({ vmId: spec.vmId });
    const timeoutMs = this.opts.startTimeoutMs ?? 10_000;
    const dir = this.layout.vmDir(spec.vmId);

    return withUndo(async (undo) => {
      await fsp.mkdir(this.layout.vmsDir, { recursive: true, mode: 0o700 });
      try {
        await fsp.mkdir(dir, { mode: 0o700 });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw conflict(`VM ${spec.vmId} already exists`, { hint: 'use another VM id or destroy the old VM' });
        throw err;
      }
      undo.push('remove VM directory', () => fsp.rm(dir, { recursive: true, force: true }));
      await fsp.chmod(dir, 0o700);

      // QEMU drops no privileges itself (QEMU 7.2's -runas is killed by its own seccomp filter when
      // elevateprivileges=deny), so a root daemon starts it directly under a uid of its own, per VM.
      const qemuUid = this.qemuUidFor(spec.vmId, host.accelerator, [assets.kernel, assets.initrd]);
      const qdir = qemuUid === undefined ? dir : path.join(dir, 'q');
      if (qemuUid !== undefined) {
        // The uid must be able to reach its own directory (x on the way, not r).
        for (const d of [this.layout.root, this.layout.vmsDir, dir]) {
          const st = await fsp.stat(d);
          if ((st.mode & 0o001) === 0) await fsp.chmod(d, (st.mode & 0o7777) | 0o001);
        }
        await fsp.mkdir(qdir, { mode: 0o700 });
        await fsp.chown(qdir, qemuUid, qemuUid);
      }

      const info: VmInfo = {
        vmId: spec.vmId,
        dir,
        ...(qemuUid !== undefined ? { qemuUid } : {}),
        hypervisor: 'qemu',
        hypervisorVersion: host.qemu!.version,
        machine: 'microvm',
        accelerator: host.accelerator,
        acceleratorReason: host.acceleratorReason,
        kernel: assets.kernel,
        kernelKind: assets.kernelKind,
        initrd: assets.initrd,
        vcpus: spec.vcpus,
        memoryMiB: spec.memoryMiB,
        qemuPid: 0,
        qemuStartTime: '',
        virtiofsd: [],
        agentSocket: path.join(qdir, 'agent.sock'),
        qmpSocket: path.join(qdir, 'qmp.sock'),
        consoleLog: path.join(qdir, 'console.log'),
        agentChannel: 'virtio-serial',
        startedAt: new Date().toISOString(),
        state: 'starting',
      };
      for (const s of [info.agentSocket, info.qmpSocket]) {
        if (Buffer.byteLength(s) > 107) throw invalidArgument(`socket path ${s} is longer than 107 bytes`, { hint: 'use a shorter KCTL_ROOT' });
      }
      // The append to argv is built (and validated) before anything is spawned.
      const append = kernelCmdline({
        accelerator: host.accelerator,
        kernelKind: assets.kernelKind,
        tscKhz: host.tscKhz,
        extra: spec.kernelArgs,
      });
      const qemuConfig: QemuConfig = {
        binary: host.qemu!.path,
        name: `kctl-${spec.vmId}`,
        machine: { kind: 'microvm', acpi: assets.kernelKind === 'debian' },
        accel: host.accelerator === 'kvm' ? { kind: 'kvm' } : { kind: 'tcg', tbSizeMiB: (typeof this.opts.tbSizeMiB === 'function' ? this.opts.tbSizeMiB() : this.opts.tbSizeMiB) ?? DEFAULT_TB_SIZE_MIB },
        vcpus: spec.vcpus,
        memoryMiB: spec.memoryMiB,
        boot: { kernel: assets.kernel, initrd: assets.initrd, append },
        filesystems: spec.shares.map((s, i) => ({ tag: s.tag, socket: path.join(dir, `fs${i}.sock`) })),
        // A passt NIC is one end of a socket pair that QEMU inherits: descriptors 3, 4, ... in NIC order.
        network: (spec.network ?? []).map((n, i): NetDevice => (n.passt
          ? { kind: 'stream', socket: { fd: 3 + passtIndex(spec.network!, i) }, mac: n.mac }
          : { kind: 'stream', socket: path.join(qdir, `nic${i}.sock`), mac: n.mac, listen: true })),
        agent: { kind: 'virtio-serial', socket: info.agentSocket, portName: AGENT_PORT_NAME },
        qmpSocket: info.qmpSocket,
        consoleLog: info.consoleLog,
      };
      const argv = qemuArgs(qemuConfig);
      if (spec.network?.some((n) => !n.passt)) {
        info.nicSockets = qemuConfig.network!.map((n, i) => (spec.network![i]!.passt ? '' : (n as { socket: string }).socket));
        info.nicMacs = spec.network.map((n) => n.mac);
      }
      for (const s of info.nicSockets ?? []) {
        if (Buffer.byteLength(s) > 107) throw invalidArgument(`socket path ${s} is longer than 107 bytes`, { hint: 'use a shorter KCTL_ROOT' });
      }
      await writeJsonAtomic(path.join(dir, 'vm.json'), info);

      // 1. virtiofsd, passt and QEMU start side by side (vm/inherit.ts): each virtiofsd inherits a
      // listening socket at fs<i>.sock, which QEMU connects to (the connection waits in the backlog
      // until virtiofsd accepts it), and each passt one end of a socket pair whose other end QEMU
      // inherits. Nobody waits for another's socket to appear. vm.json is rewritten after every
      // spawn (a crashed daemon must find every process); the writes queue up so that the last one
      // holds everything.
      let saving: Promise<void> = Promise.resolve();
      const saveInfo = () => (saving = saving.then(() => writeJsonAtomic(path.join(dir, 'vm.json'), info)));
      const held: InheritableSocket[] = [];
      const closeHeld = () => { for (const h of held) h.close(); };
      undo.push('close inherited sockets', closeHeld);

      const passtNics = (spec.network ?? []).map((n, i) => ({ n, i })).filter((x) => x.n.passt);
      const passtBinary = this.opts.passtPath ?? '/usr/bin/passt';
      if (passtNics.length) {
        if (!firstExisting([passtBinary])) {
          throw unavailable(`passt is not installed (${passtBinary}): containers need it for their network`, { hint: 'apt-get install passt, or run the container with --network none' });
        }
        // passt drops to an unprivileged user and writes its pid file there: a directory of its own.
        // The path to it must be traversable (x, not r) by that user: the state root, vms/ and this VM's directory.
        for (const d of [this.layout.root, this.layout.vmsDir, dir]) {
          const st = await fsp.stat(d);
          if ((st.mode & 0o001) === 0) await fsp.chmod(d, (st.mode & 0o7777) | 0o001);
        }
        await fsp.mkdir(path.join(dir, 'net'), { mode: 0o700 });
        await fsp.chown(path.join(dir, 'net'), qemuUid ?? PASST_UID, qemuUid ?? PASST_UID);
      }

      const listeners: InheritableSocket[] = [];
      for (const fsDev of qemuConfig.filesystems) {
        const l = await inheritableListener(fsDev.socket);
        held.push(l);
        listeners.push(l);
        await fsp.chmod(fsDev.socket, 0o600);
        if (qemuUid !== undefined) await fsp.chown(fsDev.socket, qemuUid, qemuUid);
      }
      const pairs: [InheritableSocket, InheritableSocket][] = [];
      for (const { i } of passtNics) {
        // The rendezvous socket lives in this VM's directory (only root writes there) and is gone at once.
        const pair = await inheritablePair(path.join(dir, `net${i}.pair`));
        held.push(...pair);
        pairs.push(pair);
      }

      for (const [i, share] of spec.shares.entries()) {
        const socket = qemuConfig.filesystems[i].socket;
        const logFile = path.join(dir, `virtiofsd-${share.tag}.log`);
        const cmd = virtiofsdCommand({
          binary: host.virtiofsd!.path,
          unshareBinary: this.opts.unsharePath ?? '/usr/bin/unshare',
          socket: { fd: 3 },
          source: share.source,
          readOnly: share.readOnly,
          cache: this.opts.cache ?? 'auto',
        });
        const listener = listeners[i]!;
        const proc = await this.spawnDetached(cmd.file, cmd.args, logFile, `virtiofsd for ${share.tag}`, undefined, [listener.take()])
          .finally(() => listener.close());
        undo.push(`kill virtiofsd ${share.tag}`, () => this.killAndWait(proc.pid, proc.startTime, 2000));
        info.virtiofsd.push({ tag: share.tag, pid: proc.pid, startTime: proc.startTime, source: share.source, readOnly: share.readOnly, socket });
        await saveInfo();
        log.debug('virtiofsd started', { tag: share.tag, pid: proc.pid, source: share.source, readOnly: share.readOnly });
      }
      const launchers: { launcher: { pid: number; startTime: string }; i: number; ports: number; pidFile: string; outFile: string }[] = [];
      for (const [k, { n: nic, i }] of passtNics.entries()) {
        const logFile = path.join(dir, `passt${i}.log`);
        const pidFile = path.join(dir, 'net', `${i}.pid`);
        const args = passtArgs({ ...nic.passt!, binary: '', socket: { fd: 3 }, logFile, pidFile, runAs: qemuUid ?? PASST_UID });
        const outFile = path.join(dir, `passt${i}.out`);
        const end = pairs[k]![0];
        const launcher = await this.spawnDetached(passtBinary, args, outFile, `passt for NIC ${i}`, undefined, [end.take()]).finally(() => end.close());
        undo.push(`kill passt launcher ${i}`, () => this.killAndWait(launcher.pid, launcher.startTime, 2000));
        launchers.push({ launcher, i, ports: nic.passt!.ports.length, pidFile, outFile });
      }

      // 2. QEMU.
      const qemuLog = path.join(dir, 'qemu.log');
      const t0 = Date.now();
      const q = await this.spawnDetached(host.qemu!.path, argv, qemuLog, 'QEMU', qemuUid, pairs.map((p) => p[1].take())).finally(closeHeld);
      undo.push('kill QEMU', () => this.killAndWait(q.pid, q.startTime, 2000));
      info.qemuPid = q.pid;
      info.qemuStartTime = q.startTime;
      await saveInfo();

      // 2a. passt forks into the background once it has bound the published ports: adopting it (its
      // PID, from the file it writes) is what says the ports were free. This runs beside QEMU's start.
      const adoptPassts = async () => {
        for (const { launcher, i, ports, pidFile, outFile } of launchers) {
          const proc = await this.adoptDaemon(launcher, pidFile, qemuUid ?? PASST_UID, timeoutMs, `passt (network of NIC ${i})`, outFile);
          undo.push(`kill passt ${i}`, () => this.killAndWait(proc.pid, proc.startTime, 2000));
          (info.netHelpers ??= []).push({ pid: proc.pid, startTime: proc.startTime });
          await saveInfo();
          log.debug('passt ready', { nic: i, pid: proc.pid, ports });
        }
      };
      // Settled before the VM start goes on or fails, so that the undo list sees every passt adopted.
      const passtsDone = adoptPassts().then(() => undefined, (err: unknown) => err);

      const qemuUp = async () => {
        // 2b. QEMU runs as a uid of its own, and it creates its listening sockets in a directory that
        // uid owns. kctld (root) must not connect by a path that uid controls (a compromised QEMU could
        // swap a socket for a link to another VM's agent): each socket is moved into the VM directory,
        // which only root can write, and checked to be a socket of that uid before kctld uses it.
        if (qemuUid !== undefined) {
          const own = [info.qmpSocket, info.agentSocket, ...(info.nicSockets ?? []).filter(Boolean)];
          await this.waitFor(
            () => own.every((s) => fs.existsSync(s)),
            () => !isSameLiveProcess(q.pid, q.startTime),
            timeoutMs,
            'QEMU',
            qemuLog,
          );
          const moved = (s: string) => path.join(dir, path.basename(s));
          for (const s of own) {
            await fsp.rename(s, moved(s));
            const st = await fsp.lstat(moved(s));
            if (!st.isSocket() || st.uid !== qemuUid) throw internal(`QEMU's ${path.basename(s)} is not a socket of uid ${qemuUid}: refusing to use it`);
          }
          info.qmpSocket = moved(info.qmpSocket);
          info.agentSocket = moved(info.agentSocket);
          if (info.nicSockets) info.nicSockets = info.nicSockets.map((s) => (s ? moved(s) : s));
          await saveInfo();
        }

        // 3. Wait for QMP to answer: QEMU has parsed its config, opened its devices and connected to virtiofsd.
        let qmp: QmpClient | undefined;
        await this.waitFor(
          async () => {
            if (!fs.existsSync(info.qmpSocket)) return false;
            try {
              qmp = await QmpClient.connect(info.qmpSocket, 1000);
              return true;
            } catch {
              return false;
            }
          },
          () => !isSameLiveProcess(q.pid, q.startTime),
          timeoutMs,
          'QEMU',
          qemuLog,
          () => info.virtiofsd.map((v) => readTail(path.join(dir, `virtiofsd-${v.tag}.log`), 2048)).filter(Boolean).join('\n'),
        );
        try {
          const st = await qmp!.execute<{ status?: string }>('query-status');
          if (st?.status !== 'running') throw unavailable(`QEMU is ${st?.status ?? 'in an unknown state'} instead of running`, { detail: readTail(qemuLog) });
          if (qmp!.version) info.hypervisorVersion = qmp!.version;
        } finally {
          qmp!.close();
        }
        for (const s of [info.qmpSocket, info.agentSocket, ...(info.nicSockets ?? []).filter(Boolean)]) await fsp.chmod(s, 0o600).catch(() => {});
      };
      const qemuErr = await qemuUp().then(() => undefined, (err: unknown) => err ?? new Error('QEMU did not start'));
      // passt's failure (a published port taken) says more than what it did to QEMU.
      const passtErr = await passtsDone;
      if (passtErr) throw passtErr;
      if (qemuErr) throw qemuErr;
      info.state = 'running';
      await saveInfo();
      log.info('VM started', { qemuPid: q.pid, accelerator: info.accelerator, qmpReadyMs: Date.now() - t0, shares: spec.shares.length });
      return info;
    }).catch(async (err) => {
      if (isKctlError(err)) throw err;
      throw new KctlError(err?.code === 'ENOSPC' ? 'resource_exhausted' : 'internal', `cannot start VM ${spec.vmId}: ${(err as Error).message}`, { cause: err });
    });
  }

  private validateShares(shares: ShareSpec[]): void {
    const tags = new Set<string>();
    for (const s of shares) {
      if (tags.has(s.tag)) throw invalidArgument(`share tag ${s.tag} is used twice`);
      tags.add(s.tag);
      let st: fs.Stats;
      try {
        st = fs.statSync(s.source);
      } catch {
        throw invalidArgument(`share source ${s.source} does not exist`);
      }
      if (!st.isDirectory()) throw invalidArgument(`share source ${s.source} is not a directory`);
    }
  }

  /** Spawns `file` in its own session with stdio to `logFile`; returns its PID and start time. */
  /**
   * The uid this VM's QEMU runs as: when the daemon is root, one of a range of otherwise unused uids
   * (200000 + a number from the VM id), so a compromised QEMU holds no privileges and cannot signal or
   * trace another VM's processes. QEMU stays with the daemon's user when the daemon is not root, when
   * KVM is used (/dev/kvm is root's here), when the qemuAsRoot option is set, or when the guest
   * assets are not readable by others.
   */
  private qemuUidFor(vmId: string, accelerator: Accelerator, files: string[]): number | undefined {
    if (process.getuid?.() !== 0 || this.opts.qemuAsRoot || accelerator === 'kvm') return undefined;
    for (const f of files) {
      if (!readableByOthers(f)) {
        this.log.warn('guest assets are not readable by others: QEMU runs as root', { file: f });
        return undefined;
      }
    }
    return 200_000 + (parseInt(vmId.slice(0, 8), 16) % 100_000);
  }

  private async spawnDetached(file: string, args: string[], logFile: string, what: string, uid?: number, fds?: number[]): Promise<{ pid: number; startTime: string }> {
    // As root, through kctl-vmexec: the process's private memory is open to same-page merging
    // (KSM), and kctl-vmexec drops to `uid` itself after asking for that (it needs privilege).
    const vmexec = this.opts.vmexecPath ?? defaultVmexecPath();
    const p = process.getuid?.() === 0 && firstExisting([vmexec])
      ? await spawnDetached(vmexec, [...(uid !== undefined ? ['--uid', String(uid)] : []), '--', file, ...args], { logFile, what, env: CHILD_ENV, fds })
      : await spawnDetached(file, args, { logFile, what, env: CHILD_ENV, uid, fds });
    this.children.set(p.pid, p.child);
    p.child.once('exit', () => setTimeout(() => this.children.delete(p.pid), 5000).unref());
    return { pid: p.pid, startTime: p.startTime };
  }


  /**
   * Waits for a self-daemonizing launcher to exit 0, then reads the daemon's PID from `pidFile`. The
   * file is written by the daemon's unprivileged user, so the PID is only trusted if that process
   * belongs to `uid` and started after the launcher: kctl never signals a process it cannot vouch for.
   */
  private async adoptDaemon(
    launcher: { pid: number; startTime: string },
    pidFile: string,
    uid: number,
    timeoutMs: number,
    what: string,
    logFile: string,
  ): Promise<{ pid: number; startTime: string }> {
    const child = this.children.get(launcher.pid);
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), timeoutMs);
      const done = (c: number | null) => { clearTimeout(timer); resolve(c); };
      if (!child || child.exitCode !== null) done(child?.exitCode ?? (isSameLiveProcess(launcher.pid, launcher.startTime) ? null : 0));
      else child.once('exit', (c) => done(c ?? 1));
    });
    if (code === null) throw deadlineExceeded(`${what} did not start within ${timeoutMs} ms`, { detail: readTail(logFile) });
    if (code !== 0) throw unavailable(`${what} failed to start (exit status ${code})`, { detail: readTail(logFile), hint: `see ${logFile}` });
    let pid = NaN;
    try {
      const text = await fsp.readFile(pidFile, 'utf8');
      pid = /^\d{1,9}\n?$/.test(text) ? Number(text) : NaN;
    } catch {
      // handled below
    }
    const st = Number.isInteger(pid) ? readProcStat(pid) : undefined;
    const owner = Number.isInteger(pid) ? await fsp.stat(`/proc/${pid}`).then((s) => s.uid, () => -1) : -1;
    if (!st || owner !== uid || Number(st.startTime) < Number(launcher.startTime)) {
      throw unavailable(`${what} did not leave a running process`, { detail: readTail(logFile), hint: `see ${logFile}` });
    }
    this.log.debug('daemon adopted', { what, pid });
    return { pid, startTime: st.startTime };
  }

  /** Polls `ready` until true; fails early with the log tail if `dead` turns true; bounded by `timeoutMs`. */
  private async waitFor(
    ready: () => boolean | Promise<boolean>,
    dead: () => boolean,
    timeoutMs: number,
    what: string,
    logFile: string,
    extraDetail?: () => string,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    // Fine-grained at first: each of these waits is on the path of every container start, and most
    // end within a few milliseconds (a coarse first step would add its own length to the start).
    let delay = 1;
    for (;;) {
      if (await ready()) return;
      if (dead()) {
        // Let the process finish writing its last words before reading them.
        await sleep(50);
        const detail = [readTail(logFile), extraDetail?.()].filter(Boolean).join('\n');
        throw unavailable(`${what} exited during VM start`, { detail, hint: `see ${logFile}` });
      }
      if (Date.now() >= deadline) {
        throw deadlineExceeded(`${what} was not ready within ${timeoutMs} ms`, { detail: readTail(logFile), hint: 'the host may be overloaded; retry, or see `kctl info`' });
      }
      await sleep(delay);
      delay = Math.min(delay * 2, 25);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // State

  async load(vmId: string): Promise<VmInfo | undefined> {
    validateVmId(vmId);
    try {
      return await readJson<VmInfo>(path.join(this.layout.vmDir(vmId), 'vm.json'));
    } catch (err) {
      throw internal(`VM state ${path.join(this.layout.vmDir(vmId), 'vm.json')} is unreadable: ${(err as Error).message}`, {
        hint: 'destroy the VM directory; this is a bug if it happens after a clean shutdown',
        cause: err,
      });
    }
  }

  async list(): Promise<VmInfo[]> {
    let names: string[];
    try {
      names = await fsp.readdir(this.layout.vmsDir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: VmInfo[] = [];
    for (const n of names.filter((n) => VM_ID_RE.test(n)).sort()) {
      try {
        const info = await this.load(n);
        if (info) out.push(info);
      } catch (err) {
        this.log.warn('skipping unreadable VM state', { vmId: n, error: (err as Error).message });
      }
    }
    return out;
  }

  /** QEMU runs and is the process that was started (same PID and start time). */
  isAlive(info: VmInfo): boolean {
    return info.qemuPid > 0 && isSameLiveProcess(info.qemuPid, info.qemuStartTime);
  }

  /**
   * Calls `cb` once when QEMU exits or one of the VM's virtiofsd processes dies. Uses the child's
   * exit event when this daemon spawned it, and polls /proc otherwise (a restarted daemon is not the
   * parent), so death is noticed within about POLL_MS. Returns an unsubscribe function.
   */
  onExit(info: VmInfo, cb: (why: ExitReason) => void): () => void {
    let done = false;
    const check = () => {
      if (done) return;
      let why: ExitReason | undefined;
      if (!this.isAlive(info)) why = { qemuExited: true };
      else {
        const dead = info.virtiofsd.find((v) => !isSameLiveProcess(v.pid, v.startTime));
        if (dead) why = { qemuExited: false, virtiofsdExited: dead.tag };
      }
      if (!why) return;
      stop();
      try {
        cb(why);
      } catch (err) {
        this.log.error('VM exit callback threw', { vmId: info.vmId, error: (err as Error).message });
      }
    };
    // Not unref'd: a subscription keeps the process alive until it fires or is unsubscribed.
    const timer = setInterval(check, POLL_MS);
    const onChildExit = () => setImmediate(check);
    const watched = [info.qemuPid, ...info.virtiofsd.map((v) => v.pid)]
      .map((pid) => this.children.get(pid))
      .filter((c): c is ChildProcess => !!c);
    for (const c of watched) c.on('exit', onChildExit);
    const stop = () => {
      done = true;
      clearInterval(timer);
      for (const c of watched) c.off('exit', onChildExit);
    };
    setImmediate(check);
    return stop;
  }

  async pause(info: VmInfo): Promise<void> {
    await this.qmpCommand(info, 'stop');
  }

  async resume(info: VmInfo): Promise<void> {
    await this.qmpCommand(info, 'cont');
  }

  private async qmpCommand(info: VmInfo, cmd: string): Promise<void> {
    if (!this.isAlive(info)) throw unavailable(`VM ${info.vmId} is not running`);
    await withQmp(info.qmpSocket, (c) => c.execute(cmd));
  }

  // ---------------------------------------------------------------------------------------------
  // Stop

  /**
   * Stops the VM within `timeoutMs`: ACPI power-off when the kernel has ACPI (the kctl kernel has
   * none; its agent powers the guest off itself), then QMP `quit`, then SIGTERM and SIGKILL. Then
   * virtiofsd and passt are killed and the VM directory removed (destroy).
   */
  async stop(info: VmInfo, timeoutMs: number): Promise<void> {
    const log = this.log.with({ vmId: info.vmId });
    const deadline = Date.now() + Math.max(0, timeoutMs);
    const left = () => Math.max(0, deadline - Date.now());
    if (this.isAlive(info)) {
      if (info.kernelKind === 'debian') {
        await withQmp(info.qmpSocket, (c) => c.execute('system_powerdown'), Math.min(1000, left()) || 1).catch(() => {});
        await this.waitGone(info.qemuPid, info.qemuStartTime, left() / 2);
      } else {
        // The kctl kernel has no ACPI: the caller has had the agent power the guest off (SHUTDOWN),
        // so QEMU is usually on its way out already. A QMP connection now would only slow that down.
        await this.waitGone(info.qemuPid, info.qemuStartTime, Math.min(250, left()));
      }
      if (this.isAlive(info) && left() > 0) {
        await withQmp(info.qmpSocket, (c) => c.execute('quit').catch(() => {}), Math.min(1000, left()) || 1).catch((err) => {
          log.debug('QMP quit failed', { error: (err as Error).message });
        });
        await this.waitGone(info.qemuPid, info.qemuStartTime, left());
      }
      if (this.isAlive(info)) {
        log.warn('QEMU did not stop in time; sending SIGTERM');
        killGroupIfSame(info.qemuPid, info.qemuStartTime, 'SIGTERM');
        await this.waitGone(info.qemuPid, info.qemuStartTime, 1000);
      }
    }
    // virtiofsd and passt (--one-off) would exit on their own once QEMU's connection closes, but
    // nothing of theirs is left to finish: every guest request ended with QEMU, and virtiofsd writes
    // through to the host's files as it serves. destroy() kills them at once rather than wait.
    await this.destroy(info);
  }

  /** Idempotent hard stop: SIGKILL to QEMU and every virtiofsd (their process groups), then removes the VM directory. */
  /**
   * Removes VM directories that hold no readable vm.json, except those in `keep`: what is left when
   * the daemon was killed while a destroy was deleting a directory (its processes were already gone,
   * since destroy kills them before it removes files). Returns the ids removed.
   */
  async sweepUnreadable(keep: Set<string>): Promise<string[]> {
    let names: string[];
    try {
      names = await fsp.readdir(this.layout.vmsDir);
    } catch {
      return [];
    }
    const removed: string[] = [];
    for (const n of names.filter((n) => VM_ID_RE.test(n) && !keep.has(n))) {
      const info = await this.load(n).catch(() => undefined);
      if (info) continue;
      await fsp.rm(this.layout.vmDir(n), { recursive: true, force: true });
      removed.push(n);
    }
    return removed;
  }

  async destroy(info: VmInfo): Promise<void> {
    validateVmId(info.vmId);
    const procs = [
      ...(info.qemuPid > 0 ? [{ pid: info.qemuPid, startTime: info.qemuStartTime }] : []),
      ...info.virtiofsd.map((v) => ({ pid: v.pid, startTime: v.startTime })),
      ...(info.netHelpers ?? []).map((v) => ({ pid: v.pid, startTime: v.startTime })),
    ];
    for (const p of procs) this.killGroup(p.pid, p.startTime, 'SIGKILL');
    const stuck = await this.waitGroupsGone(procs, 3000);
    if (stuck.length) {
      throw unavailable(`VM ${info.vmId}: processes ${stuck.join(', ')} did not die after SIGKILL`, { hint: 'they may be stuck in the kernel (D state); retry later' });
    }
    // Remove only the directory this layout owns for this VM id, never a path read from vm.json.
    await fsp.rm(this.layout.vmDir(info.vmId), { recursive: true, force: true });
    this.log.debug('VM destroyed', { vmId: info.vmId });
  }

  /** Kills the process group led by `pid` if `pid` is still ours; if the leader is gone but members of its group remain, they are ours too (a PID cannot be reused while it names a live group). */
  private killGroup(pid: number, startTime: string, signal: NodeJS.Signals): void {
    const st = readProcStat(pid);
    if (st) {
      if (st.startTime === startTime) killGroupIfSame(pid, startTime, signal);
      return;
    }
    if (groupHasLiveMembers(pid)) {
      try {
        process.kill(-pid, signal);
      } catch {
        // already gone
      }
    }
  }

  private async killAndWait(pid: number, startTime: string, timeoutMs: number): Promise<void> {
    this.killGroup(pid, startTime, 'SIGKILL');
    if ((await this.waitGroupsGone([{ pid, startTime }], timeoutMs)).length) {
      throw unavailable(`process ${pid} did not die after SIGKILL`);
    }
  }

  private async waitGone(pid: number, startTime: string, timeoutMs: number): Promise<boolean> {
    return pollUntil(() => !isSameLiveProcess(pid, startTime), timeoutMs);
  }

  /**
   * Waits until none of `procs` (process group leaders) nor any member of their groups lives; returns
   * the leaders still alive at the deadline. One scan of /proc per round serves every group.
   */
  private async waitGroupsGone(procs: { pid: number; startTime: string }[], timeoutMs: number): Promise<number[]> {
    const alive = () => {
      let groups: Set<number> | undefined;
      return procs.filter((p) => {
        const st = readProcStat(p.pid);
        if (st && st.startTime === p.startTime && st.state !== 'Z' && st.state !== 'X') return true;
        if (st && st.startTime !== p.startTime) return false; // the PID was reused: no group of ours is left under it
        groups ??= liveProcessGroups();
        return groups.has(p.pid);
      });
    };
    if (await pollUntil(() => alive().length === 0, timeoutMs)) return [];
    return alive().map((p) => p.pid);
  }
}

/**
 * Polls `done` until true or `timeoutMs` passes: every 1 ms at first, backing off to 20 ms. The VM's
 * processes usually go within a few milliseconds of being told to, and `kctl run --rm` waits for it.
 */
async function pollUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 1; ; delay = Math.min(delay * 2, 20)) {
    if (done()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(delay);
  }
}

/** The position of NIC `i` among the NICs that passt serves (QEMU inherits their sockets in that order). */
function passtIndex(nics: { passt?: unknown }[], i: number): number {
  return nics.slice(0, i).filter((n) => n.passt).length;
}
