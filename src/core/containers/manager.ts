/**
 * The container manager: Docker's container lifecycle (create, start, attach, stop, kill, wait,
 * remove) on top of one VM per running container.
 *
 * A container and its VM have separate lifecycles: the container record (containers/<id>/) lives
 * from create to rm; a VM (vms/<vmId>/) exists only while the container runs, and is booted for it
 * by the VM driver or taken from the pool of pre-booted VMs (vm/pool.ts). The record names the VM it runs in,
 * so a restarted daemon re-adopts running containers: it reconnects to the agent, re-wires the
 * output to the log, and marks containers whose VM died meanwhile as exited.
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  conflict, failedPrecondition, invalidArgument, isKctlError, KctlError, notFound, toKctlError,
} from '../errors.js';
import type { RootLayout } from '../paths.js';
import type { Logger } from '../util/log.js';
import { readJson, writeJsonAtomic } from '../util/fsx.js';
import { KeyedMutex } from '../util/mutex.js';
import { withUndo } from '../util/undo.js';
import { parseSignal } from '../util/signals.js';
import type { ImageConfig, ImageRecord } from '../images/types.js';
import type { ContainerRecord, ContainerSpec, Isolation, RestartPolicy } from './types.js';
import { ZERO_TIME } from './types.js';
import { NO_RESTART, nextRestartDelay, shouldRestart, shouldRestartAtDaemonStart, validateRestartPolicy } from './restart.js';
import { newId, randomName, validateName } from './names.js';
import { JsonFileLogWriter, parseLogOptions, type StreamName } from './logs.js';
import { mergeEnv, resolveProcess } from './process.js';
import type { VmDriver, VmInfo } from '../vm/driver.js';
import type { VmPool } from '../vm/pool.js';
import { AgentClient, type AgentProcess, type ExitInfo } from '../agent/client.js';
import { prepareRootfs, mountRootfs, unmountRootfs, removeRootfs } from '../images/rootfs.js';
import { containerHosts, HOSTS_FILE_INDEX, isBuiltinNetworkMode, planContainerIO, validateNetworkMode } from '../network/plan.js';
import type { Endpoint, NetworkRecord, NetworkStore } from '../network/store.js';
import type { SwitchManager } from '../network/switch.js';
import { namesOn } from '../network/service.js';
import { parseExposed } from '../network/ports.js';
import type { VolumeStore } from '../volumes/store.js';
import { checkDuplicateTargets } from '../volumes/mounts.js';

/** What the container manager needs from the image side (implemented by images/service.ts). */
export interface ImageProvider {
  /** The image for a new container; pulls it when missing and `pull` is set. */
  resolveForCreate(ref: string, o: { pull: boolean; auth?: unknown; onProgress?: (e: unknown) => void }): Promise<{ record: ImageRecord; config: ImageConfig }>;
  /** The image's unpacked layers, lowest first. */
  lowerDirs(record: ImageRecord): Promise<string[]>;
  byId(id: string): Promise<ImageRecord | undefined>;
}

export interface OutputSink {
  /**
   * Output of the container. Returning false says the consumer is congested: the container's output
   * stops being credited (the guest stops reading it, and the process blocks on write) until
   * waitDrain() resolves, so a slow client never makes kctld buffer without bound.
   */
  onOutput(stream: StreamName, data: Buffer): void | boolean;
  waitDrain?(): Promise<void>;
  onExit?(code: number): void;
}

/** A process started with `exec` in a running container (Docker's exec instance). */
export interface ExecRecord {
  Id: string;
  ContainerID: string;
  Args: string[];
  Env: string[];
  WorkingDir: string;
  User: string;
  Tty: boolean;
  OpenStdin: boolean;
  Running: boolean;
  ExitCode: number | null;
  Pid: number;
  process?: AgentProcess;
}

export interface ExecOptions {
  cmd: string[];
  env?: string[];
  workingDir?: string;
  user?: string;
  tty?: boolean;
  stdin?: boolean;
  privileged?: boolean;
}

export interface ManagerOptions {
  layout: RootLayout;
  images: ImageProvider;
  vms: VmDriver;
  log: Logger;
  defaults: () => { vcpus: number; memoryMiB: number };
  /** Upper bounds for waits (ms). */
  timeouts?: Partial<{ agentConnect: number; vmStop: number }>;
  /** Named volumes (-v name:/path); without it, volume mounts are refused. */
  volumes?: VolumeStore;
  /** daemon.json network settings: the containers' subnet and DNS servers. */
  network?: () => { subnet: string; dns: string[] };
  /** User-defined networks and their switches; without them only bridge and none exist. */
  networks?: { store: NetworkStore; switches: SwitchManager };
  /** Pre-booted VMs (daemon.json pool-size); a start that fits takes one instead of booting. */
  pool?: VmPool<AgentClient>;
}

/** In-memory state of a running container. */
interface Runtime {
  vm: VmInfo;
  agent: AgentClient;
  init: AgentProcess;
  log: JsonFileLogWriter;
  sinks: Set<OutputSink>;
  /** Sinks that asked to slow down; while any is, the init's output is not credited. */
  congested?: Set<OutputSink>;
  unwatchVm: () => void;
  finishing?: Promise<void>;
}

const DEFAULT_STOP_TIMEOUT = 10;

export class ContainerManager extends EventEmitter {
  private records = new Map<string, ContainerRecord>();
  private runtimes = new Map<string, Runtime>();
  private locks = new KeyedMutex();
  private execs = new Map<string, ExecRecord>();
  /** Back-off state of restart policies, per container (in memory, as Docker's restart manager). */
  private restartDelay = new Map<string, number>();
  private restartTimers = new Map<string, NodeJS.Timeout>();
  private readonly log: Logger;

  constructor(private readonly o: ManagerOptions) {
    super();
    this.setMaxListeners(0);
    this.log = o.log.with({ component: 'containers' });
  }

  // ------------------------------------------------------------------ loading and re-adoption

  /** Loads every container record and re-adopts the VMs of running ones. */
  async init(): Promise<void> {
    await fs.mkdir(this.o.layout.containersDir, { recursive: true, mode: 0o700 });
    for (const id of await fs.readdir(this.o.layout.containersDir)) {
      const file = path.join(this.o.layout.containerDir(id), 'container.json');
      try {
        const rec = await readJson<ContainerRecord>(file);
        if (rec && rec.Id === id) this.records.set(id, rec);
      } catch (err) {
        // A torn record (crash during a write that was not ours: writes are atomic) is kept aside.
        this.log.error('container record unreadable; moved aside', { id, error: (err as Error).message });
        await fs.rename(file, `${file}.corrupt`).catch(() => undefined);
      }
    }
    const referenced = new Set<string>();
    await Promise.all([...this.records.values()].map(async (rec) => {
      if (rec.State.Status === 'running' || rec.State.Status === 'paused' || rec.State.Status === 'restarting') {
        if (rec.State.VmId) referenced.add(rec.State.VmId);
        await this.readopt(rec).catch((err) => this.log.error('re-adopt failed', { id: rec.Id, error: (err as Error).message }));
      } else if (rec.State.VmId) {
        // A start that the previous daemon did not finish: its VM (if any) is not the container's.
        this.log.warn('undoing an unfinished start', { id: rec.Id, vmId: rec.State.VmId });
        const vm = await this.o.vms.load(rec.State.VmId).catch(() => undefined);
        if (vm) await this.o.vms.destroy(vm).catch(() => undefined);
        delete rec.State.VmId;
        await this.releaseRootfs(rec);
        await this.save(rec).catch(() => undefined);
      }
    }));
    await this.reconcileSwitches().catch((err) => this.log.error('network switches not reconciled', { error: (err as Error).message }));
    // Restart policies apply when the daemon starts, as with dockerd.
    for (const rec of this.records.values()) {
      const s = rec.State.Status;
      if (s === 'running' || s === 'paused') continue;
      const p = rec.Spec.restartPolicy ?? NO_RESTART;
      if (s === 'restarting' || (s === 'exited' && !rec.State.FinishedAt.startsWith('0001') && shouldRestartAtDaemonStart(p, rec.State.ExitCode, !!rec.State.StoppedByUser, rec.RestartCount))) {
        if (p.Name === 'always') rec.State.StoppedByUser = false;
        this.log.info('restarting by policy at daemon start', { id: rec.Id, policy: p.Name });
        this.scheduleRestart(rec, 0);
      }
    }
    // VMs that no container claims are orphans of a crash between "VM started" and "state recorded".
    for (const vm of await this.o.vms.list()) {
      if (!referenced.has(vm.vmId) && !this.o.pool?.owns(vm.vmId)) {
        this.log.warn('destroying orphan VM', { vmId: vm.vmId });
        await this.o.vms.destroy(vm).catch(() => undefined);
      }
    }
    for (const vmId of await this.o.vms.sweepUnreadable(referenced)) {
      this.log.warn('removed the remains of a VM whose destroy was interrupted', { vmId });
    }
  }

  private async readopt(rec: ContainerRecord): Promise<void> {
    const vm = rec.State.VmId ? await this.o.vms.load(rec.State.VmId) : undefined;
    if (!vm || !this.o.vms.isAlive(vm)) {
      this.log.warn('container VM died while kctld was down', { id: rec.Id, vmId: rec.State.VmId });
      if (vm) await this.o.vms.destroy(vm).catch(() => undefined);
      await this.markExited(rec, 137, 'the VM exited while kctld was not running');
      await this.releaseRootfs(rec);
      return;
    }
    // A paused VM cannot answer the agent handshake: thaw it for the reconnect and freeze it again.
    const wasPaused = rec.State.Status === 'paused';
    if (wasPaused) await this.o.vms.resume(vm);
    const agent = await AgentClient.connect(vm.agentSocket, { timeoutMs: this.o.timeouts?.agentConnect ?? 15000, log: this.log.with({ id: rec.Id }) });
    if (wasPaused) await this.o.vms.pause(vm);
    const init = agent.processes().find((p) => p.id === 1);
    if (!init) {
      agent.close();
      await this.o.vms.destroy(vm).catch(() => undefined);
      await this.markExited(rec, 137, 'the guest agent lost the container process');
      await this.releaseRootfs(rec);
      return;
    }
    this.wire(rec, vm, agent, init);
    this.log.info('re-adopted running container', { id: rec.Id, vmId: vm.vmId });
  }

  // ------------------------------------------------------------------ queries

  list(o: { all?: boolean; last?: number } = {}): ContainerRecord[] {
    let out = [...this.records.values()].sort((a, b) => b.Created.localeCompare(a.Created));
    if (o.last && o.last > 0) out = out.slice(0, o.last);
    else if (!o.all) out = out.filter((r) => r.State.Status === 'running' || r.State.Status === 'paused' || r.State.Status === 'restarting');
    return out;
  }

  /** Finds a container by full id, name, or unambiguous id prefix (Docker's rules). */
  get(ref: string): ContainerRecord {
    const key = ref.replace(/^\//, '');
    const byId = this.records.get(key);
    if (byId) return byId;
    for (const r of this.records.values()) if (r.Name === key) return r;
    if (/^[0-9a-f]+$/.test(key)) {
      const hits = [...this.records.values()].filter((r) => r.Id.startsWith(key));
      if (hits.length === 1) return hits[0];
      if (hits.length > 1) throw invalidArgument(`multiple IDs found with provided prefix: ${key}`);
    }
    throw notFound(`No such container: ${ref}`);
  }

  isRunning(id: string): boolean {
    return this.runtimes.has(id);
  }

  // ------------------------------------------------------------------ create

  async create(spec: ContainerSpec, o: { auth?: unknown; pull?: boolean; onProgress?: (e: unknown) => void } = {}): Promise<{ id: string; warnings: string[] }> {
    const name = spec.name ? validateName(spec.name) : randomName((n) => this.nameTaken(n));
    if (this.nameTaken(name)) {
      const other = [...this.records.values()].find((r) => r.Name === name)!;
      throw conflict(`Conflict. The container name "/${name}" is already in use by container "${other.Id}". You have to remove (or rename) that container to be able to reuse that name.`);
    }
    const { record: image, config } = await this.o.images.resolveForCreate(spec.image, { pull: !!o.pull, auth: o.auth, onProgress: o.onProgress });
    const id = newId();
    const hostname = spec.hostname || id.slice(0, 12);
    const userNet = await this.prepareNetworkAndMounts(spec, config);
    const proc = resolveProcess({ ...spec, hostname }, config);
    const defaults = this.o.defaults();
    const warnings: string[] = [];
    const vcpus = spec.cpus > 0 ? Math.ceil(spec.cpus) : defaults.vcpus;
    let memoryMiB = spec.memoryBytes > 0 ? Math.ceil(spec.memoryBytes / (1024 * 1024)) : defaults.memoryMiB;
    if (memoryMiB < 64) {
      warnings.push(`memory ${memoryMiB}MiB is below the VM minimum; using 64MiB`);
      memoryMiB = 64;
    }
    const dir = this.o.layout.containerDir(id);
    const rec: ContainerRecord = {
      Id: id,
      Name: name,
      Created: new Date().toISOString(),
      ImageRef: spec.image,
      ImageId: image.id,
      Spec: spec,
      Path: proc.args[0],
      Args: proc.args.slice(1),
      Env: proc.env,
      WorkingDir: proc.cwd,
      User: proc.user,
      Hostname: hostname,
      StopSignal: spec.stopSignal || config.config?.StopSignal || 'SIGTERM',
      StopTimeout: spec.stopTimeout ?? DEFAULT_STOP_TIMEOUT,
      VCPUs: vcpus,
      MemoryMiB: memoryMiB,
      RestartCount: 0,
      State: { Status: 'created', Pid: 0, ExitCode: 0, Error: '', StartedAt: ZERO_TIME, FinishedAt: ZERO_TIME, OOMKilled: false },
      LogPath: path.join(dir, `${id}-json.log`),
    };
    parseSignal(rec.StopSignal); // reject a bad --stop-signal at create, as Docker does
    parseLogOptions(spec.logOpts); // and bad --log-opt values
    rec.Spec.restartPolicy = validateRestartPolicy(spec.restartPolicy);
    if (spec.autoRemove && rec.Spec.restartPolicy.Name !== 'no') {
      throw invalidArgument('Conflicting options: --restart and --rm', { hint: 'a container removed when it exits cannot be restarted' });
    }
    // The address is taken synchronously with the record's registration, so concurrent creates never share one.
    if (userNet) rec.Networks = { [userNet.Id]: this.newEndpoint(userNet, spec.networkAliases ?? [], spec.ip) };
    this.records.set(id, rec);
    try {
      await withUndo(async (undo) => {
        await fs.mkdir(dir, { mode: 0o700 });
        undo.push('container dir', () => fs.rm(dir, { recursive: true, force: true }));
        await fs.writeFile(rec.LogPath, '', { mode: 0o600 });
        await this.save(rec);
      });
    } catch (err) {
      this.records.delete(id);
      throw err;
    }
    this.emit('event', { type: 'container', action: 'create', id });
    this.log.info('created', { id, name, image: image.id });
    return { id, warnings };
  }

  private nameTaken(name: string): boolean {
    for (const r of this.records.values()) if (r.Name === name) return true;
    return false;
  }

  // ------------------------------------------------------------------ start

  /**
   * Starts the container: mounts its root filesystem, boots its VM, starts its process through the
   * agent. `sinks` are attached before the process starts so no output is lost.
   */
  async start(ref: string, o: { sinks?: OutputSink[]; rows?: number; cols?: number } = {}): Promise<Isolation> {
    const rec = this.get(ref);
    return this.locks.run(rec.Id, async () => {
      if (this.runtimes.has(rec.Id)) {
        const rt = this.runtimes.get(rec.Id)!;
        for (const s of o.sinks ?? []) rt.sinks.add(s);
        return rec.State.Isolation!;
      }
      if (rec.State.Status === 'removing') throw conflict(`container ${rec.Id} is marked for removal and cannot be started`);
      this.cancelRestart(rec);
      return this.doStart(rec, [...(o.sinks ?? []), ...this.takePendingSinks(rec.Id)], { rows: o.rows, cols: o.cols });
    });
  }

  private async doStart(rec: ContainerRecord, sinks: OutputSink[], term: { rows?: number; cols?: number } = {}): Promise<Isolation> {
    const log = this.log.with({ id: rec.Id });
    const image = await this.o.images.byId(rec.ImageId);
    if (!image) throw failedPrecondition(`image ${rec.ImageId} of container ${rec.Name} is no longer present`, { hint: 'pull the image again or remove the container' });
    const t0 = Date.now();
    return withUndo(async (undo) => {
      const lower = await this.o.images.lowerDirs(image);
      const plan = await prepareRootfs(this.o.layout, rec.Id, lower);
      await mountRootfs(plan);
      undo.push('rootfs mount', () => unmountRootfs(plan));

      const net = this.o.network?.() ?? { subnet: '10.0.2.0/24', dns: [] };
      const endpoints = this.startEndpoints(rec);
      const io = await planContainerIO({
        id: rec.Id, hostname: rec.Hostname, name: rec.Name, networkMode: rec.Spec.networkMode ?? '',
        publish: rec.Spec.publish ?? [], mounts: rec.Spec.mounts ?? [], dns: rec.Spec.dns ?? [], extraHosts: rec.Spec.extraHosts ?? [],
        endpoints: endpoints.map((e) => e.ep),
        internal: endpoints.length > 0 && endpoints.every((e) => e.net.Internal),
        peers: this.peersOf(rec),
      }, { volumes: this.o.volumes, subnet: net.subnet, daemonDns: net.dns });

      // A pre-booted VM when one fits (vm/pool.ts), else a VM of its own.
      const claim = await this.o.pool?.claim({
        containerId: rec.Id, vcpus: rec.VCPUs, memoryMiB: rec.MemoryMiB, shares: io.shares, nics: io.nics, rootfs: plan.mergedDir,
      });
      const pooled = claim?.vm ? claim : undefined;
      if (pooled) undo.push('pool VM', async () => { await this.o.pool!.sweep(); this.o.pool!.refill(); });
      const vm = pooled?.vm ?? await this.o.vms.start({
        vmId: randomBytes(6).toString('hex'),
        vcpus: rec.VCPUs,
        memoryMiB: rec.MemoryMiB,
        shares: [{ tag: 'rootfs', source: plan.mergedDir, readOnly: false }, ...io.shares],
        network: io.nics,
      });
      undo.push('vm', () => this.o.vms.destroy(vm));
      // Record the VM before anything else can fail, so a crash from here on leaves no orphan.
      rec.State.VmId = vm.vmId;
      await this.save(rec);
      undo.push('vm record', async () => { delete rec.State.VmId; await this.save(rec); });
      await this.attachPorts(vm, endpoints.map((e, i) => ({ ...e, nic: io.endpointNics[i]! })));

      const agent = pooled?.agent ?? await AgentClient.connect(vm.agentSocket, { timeoutMs: this.o.timeouts?.agentConnect ?? 30000, log });
      undo.push('agent', () => agent.close());
      const bootMs = Date.now() - t0;
      log.debug('agent ready', { bootMs });
      const tStart = Date.now();
      const init = await agent.startContainer({
        args: [rec.Path, ...rec.Args],
        env: rec.Env,
        cwd: rec.WorkingDir,
        user: rec.User,
        tty: rec.Spec.tty,
        stdin: rec.Spec.openStdin,
        ...(rec.Spec.tty && term.rows && term.cols ? { rows: term.rows, cols: term.cols } : {}),
        hostname: rec.Hostname,
        rootfsTag: 'rootfs',
        ...(pooled ? { rootfsSubdir: pooled.rootfsSubdir } : {}),
        readonlyRootfs: rec.Spec.readOnlyRootfs || undefined,
        init: rec.Spec.init || undefined,
        net: io.agent.net,
        netIfs: io.agent.netIfs,
        mounts: io.agent.mounts,
        files: io.agent.files,
      });
      // The agent's START, in the guest: mounts, network, namespaces, exec (guest/agent/PROTOCOL.md).
      const startMs = Date.now() - tStart;
      if (pooled) this.o.pool!.refill();
      const isolation: Isolation = {
        Kind: 'vm',
        Hypervisor: vm.hypervisor,
        HypervisorVersion: vm.hypervisorVersion,
        Machine: vm.machine,
        Accelerator: vm.accelerator,
        AcceleratorReason: vm.acceleratorReason,
        GuestKernel: agent.facts.kernelRelease,
        VCPUs: agent.facts.vcpus,
        MemoryMiB: Math.round(agent.facts.memoryKiB / 1024),
        RootfsShare: `virtio-fs (virtiofsd, sandboxed): overlay of ${lower.length} image layer${lower.length === 1 ? '' : 's'} + a writable layer`,
        AgentChannel: vm.agentChannel,
        VMPid: vm.qemuPid,
        VMUid: vm.qemuUid ?? (process.getuid?.() ?? 0),
        BootMs: bootMs,
        FromPool: !!pooled,
        ...(claim && !claim.vm && claim.miss ? { PoolMiss: claim.miss } : {}),
      };
      rec.State = {
        ...rec.State,
        Status: 'running',
        Pid: vm.qemuPid,
        ExitCode: 0,
        Error: '',
        StartedAt: new Date().toISOString(),
        FinishedAt: ZERO_TIME,
        StoppedByUser: false,
        VmId: vm.vmId,
        Isolation: isolation,
        Ports: io.ports,
        IPAddress: io.ip,
        Gateway: io.gateway,
        MountPoints: io.mountPoints,
      };
      await this.save(rec);
      const rt = this.wire(rec, vm, agent, init);
      for (const s of sinks) rt.sinks.add(s);
      this.refreshPeerHosts(rec);
      log.info('started', { vmId: vm.vmId, bootMs, startMs, accelerator: vm.accelerator, fromPool: !!pooled });
      this.emit('event', { type: 'container', action: 'start', id: rec.Id });
      return isolation;
    }).catch(async (err) => {
      const e = toKctlError(err);
      // Docker keeps the container and records why it could not start.
      rec.State.Error = e.message;
      if (e.kind === 'command_not_found') rec.State.ExitCode = 127;
      else if (e.kind === 'cannot_invoke') rec.State.ExitCode = 126;
      else rec.State.ExitCode = 128;
      await this.save(rec).catch(() => undefined);
      throw e;
    });
  }

  /** Connects a running container's process to its log, its sinks and its exit handling. */
  private wire(rec: ContainerRecord, vm: VmInfo, agent: AgentClient, init: AgentProcess): Runtime {
    const rt: Runtime = {
      vm, agent, init,
      log: new JsonFileLogWriter(rec.LogPath, parseLogOptions(rec.Spec.logOpts)),
      sinks: new Set(),
      unwatchVm: () => undefined,
    };
    this.runtimes.set(rec.Id, rt);
    const deliver = (stream: StreamName) => (data: Buffer) => {
      try {
        rt.log.write(stream, data);
      } catch (err) {
        this.log.error('log write failed', { id: rec.Id, error: (err as Error).message });
      }
      for (const s of rt.sinks) {
        if (s.onOutput(stream, data) === false && s.waitDrain) this.congest(rt, s);
      }
    };
    init.on('stdout', deliver('stdout'));
    init.on('stderr', deliver('stderr'));
    init.exited.then(
      (info) => this.finish(rec, rt, exitCodeOf(info), ''),
      async (err) => {
        // The channel dropped. Usually because the VM died: give the VM watch a moment to say so.
        for (let i = 0; i < 20 && this.o.vms.isAlive(vm); i++) await sleep(50);
        const why = this.o.vms.isAlive(vm) ? `lost the container process: ${(err as Error).message}` : 'the VM exited unexpectedly';
        void this.finish(rec, rt, 137, why);
      },
    );
    rt.unwatchVm = this.o.vms.onExit(vm, (why) => {
      const reason = why.virtiofsdExited
        ? `virtiofsd (${why.virtiofsdExited}) exited: the container's filesystem is gone`
        : 'the VM exited unexpectedly';
      void this.finish(rec, rt, 137, reason);
    });
    agent.on('close', () => {
      // The channel dropped. If QEMU is gone the VM watch reports it; otherwise wait briefly.
      setTimeout(() => {
        if (this.runtimes.get(rec.Id) === rt && !this.o.vms.isAlive(vm)) void this.finish(rec, rt, 137, 'the VM exited unexpectedly');
      }, 1000).unref();
    });
    return rt;
  }

  /** The container's process is over (or its VM died): record it, tear the VM down, apply policy. */
  private finish(rec: ContainerRecord, rt: Runtime, code: number, error: string): Promise<void> {
    if (rt.finishing) return rt.finishing;
    rt.finishing = (async () => {
      const log = this.log.with({ id: rec.Id });
      rt.unwatchVm();
      log.debug('process over; stopping the VM', { exitCode: code });
      try { rt.log.close(); } catch { /* already closed */ }
      await rt.agent.shutdown(2000).catch(() => undefined);
      rt.agent.close();
      log.debug('guest powered off');
      await this.o.vms.stop(rt.vm, this.o.timeouts?.vmStop ?? 5000).catch(async (err) => {
        log.warn('VM stop failed; destroying', { error: (err as Error).message });
        await this.o.vms.destroy(rt.vm).catch(() => undefined);
      });
      this.runtimes.delete(rec.Id);
      for (const [eid, ex] of this.execs) if (ex.ContainerID === rec.Id) { if (ex.Running) { ex.Running = false; ex.ExitCode ??= 137; } this.execs.delete(eid); }
      await this.releaseRootfs(rec);
      await this.markExited(rec, code, error);
      this.refreshPeerHosts(rec);
      log.info('exited', { exitCode: code, error: error || undefined });
      this.emit('event', { type: 'container', action: 'die', id: rec.Id, exitCode: code });
      // --rm: the container is gone before anyone attached hears the exit (docker run --rm waits for it).
      if (rec.Spec.autoRemove) {
        await this.remove(rec.Id, { force: true }).catch((err) => log.error('auto-remove failed', { error: (err as Error).message }));
      }
      for (const s of rt.sinks) s.onExit?.(code);
      this.emit(`exit:${rec.Id}`, code);
      if (!rec.Spec.autoRemove) void this.applyRestartPolicy(rec, code);
    })();
    return rt.finishing;
  }

  private async markExited(rec: ContainerRecord, code: number, error: string): Promise<void> {
    rec.State = { ...rec.State, Status: 'exited', Pid: 0, ExitCode: code, Error: error, FinishedAt: new Date().toISOString() };
    delete rec.State.VmId;
    delete rec.State.Ports;
    delete rec.State.IPAddress;
    delete rec.State.Gateway;
    await this.save(rec);
  }

  private async releaseRootfs(rec: ContainerRecord): Promise<void> {
    // A pool VM's share holds a bind mount of the root filesystem: it goes first.
    await this.o.pool?.sweep().catch((err) => this.log.warn('pool sweep failed', { id: rec.Id, error: (err as Error).message }));
    await unmountRootfs({ mergedDir: path.join(this.o.layout.containerDir(rec.Id), 'rootfs') }).catch((err) => this.log.warn('rootfs unmount failed', { id: rec.Id, error: (err as Error).message }));
  }

  private async applyRestartPolicy(rec: ContainerRecord, code: number): Promise<void> {
    const p = rec.Spec.restartPolicy ?? NO_RESTART;
    if (!this.records.has(rec.Id)) return;
    if (!shouldRestart(p, code, !!rec.State.StoppedByUser, rec.RestartCount)) {
      this.restartDelay.delete(rec.Id);
      return;
    }
    const ranFor = Date.parse(rec.State.FinishedAt) - Date.parse(rec.State.StartedAt);
    const delay = nextRestartDelay(this.restartDelay.get(rec.Id) ?? 0, Number.isFinite(ranFor) ? ranFor : 0);
    this.restartDelay.set(rec.Id, delay);
    rec.State.Status = 'restarting';
    await this.save(rec);
    this.scheduleRestart(rec, delay);
  }

  /** Starts the container again after `delayMs`, unless it was stopped, started or removed meanwhile. */
  private scheduleRestart(rec: ContainerRecord, delayMs: number): void {
    clearTimeout(this.restartTimers.get(rec.Id));
    const timer = setTimeout(() => {
      this.restartTimers.delete(rec.Id);
      void this.locks.run(rec.Id, async () => {
        if (!this.records.has(rec.Id) || this.runtimes.has(rec.Id) || rec.State.StoppedByUser) {
          if (rec.State.Status === 'restarting') { rec.State.Status = 'exited'; await this.save(rec).catch(() => undefined); }
          return;
        }
        rec.RestartCount++;
        try {
          await this.doStart(rec, []);
          this.emit('event', { type: 'container', action: 'restart', id: rec.Id });
        } catch (err) {
          this.log.error('restart by policy failed', { id: rec.Id, error: (err as Error).message });
          rec.State.Status = 'exited';
          rec.State.FinishedAt = new Date().toISOString();
          await this.save(rec).catch(() => undefined);
          void this.applyRestartPolicy(rec, rec.State.ExitCode || 128);
        }
      });
    }, delayMs);
    timer.unref();
    this.restartTimers.set(rec.Id, timer);
  }

  /** Docker's update: for now the restart policy. */
  async update(ref: string, o: { restartPolicy?: RestartPolicy }): Promise<void> {
    const rec = this.get(ref);
    await this.locks.run(rec.Id, async () => {
      if (o.restartPolicy) {
        const p = validateRestartPolicy(o.restartPolicy);
        if (rec.Spec.autoRemove && p.Name !== 'no') throw invalidArgument('Restart policy cannot be updated because AutoRemove is enabled for the container');
        rec.Spec.restartPolicy = p;
      }
      await this.save(rec);
    });
  }

  // ------------------------------------------------------------------ attach, signals, stop

  /** Attaches to a running container's stdio. Returns a detach function. */
  attach(ref: string, sink: OutputSink): { detach: () => void; write(data: Buffer): void; closeStdin(): void; resize(rows: number, cols: number): void } {
    const rec = this.get(ref);
    const rt = this.runtimes.get(rec.Id);
    if (!rt) throw failedPrecondition(`You cannot attach to a stopped container, start it first`);
    if (rec.State.Status === 'paused') throw conflict('You cannot attach to a paused container, unpause it first');
    rt.sinks.add(sink);
    return {
      detach: () => { rt.sinks.delete(sink); this.uncongest(rt, sink); },
      write: (d) => rt.init.write(d),
      closeStdin: () => rt.init.closeStdin(),
      resize: (r, c) => rt.init.resize(r, c),
    };
  }

  // ------------------------------------------------------------------ exec

  /** Docker's exec create: validated now, started by startExec. */
  createExec(ref: string, o: ExecOptions): ExecRecord {
    const rec = this.get(ref);
    if (!this.runtimes.has(rec.Id)) throw conflict(`Container ${rec.Id} is not running`);
    if (rec.State.Status === 'paused') throw conflict(`Container ${rec.Id} is paused, unpause the container before exec`);
    if (o.privileged) {
      throw invalidArgument('--privileged is not supported: the container runs in its own VM and kctl does not grant it the guest kernel\'s full privileges');
    }
    if (!o.cmd.length || !o.cmd[0]) throw invalidArgument('No exec command specified');
    const ex: ExecRecord = {
      Id: newId(),
      ContainerID: rec.Id,
      Args: o.cmd,
      Env: mergeEnv(rec.Env, o.env ?? []),
      WorkingDir: o.workingDir || rec.WorkingDir,
      User: o.user || rec.User,
      Tty: !!o.tty,
      OpenStdin: !!o.stdin,
      Running: false,
      ExitCode: null,
      Pid: 0,
    };
    if (!ex.WorkingDir.startsWith('/')) throw invalidArgument(`the working directory '${ex.WorkingDir}' is invalid, it needs to be an absolute path`);
    this.execs.set(ex.Id, ex);
    return ex;
  }

  getExec(id: string): ExecRecord {
    const ex = this.execs.get(id);
    if (!ex) throw notFound(`No such exec instance: ${id}`);
    return ex;
  }

  /**
   * Starts an exec instance: the process runs in the container's namespaces in its VM, with its own
   * stdio. Resolves once it runs; its output goes to `sink`, and sink.onExit gets its exit code.
   */
  async startExec(id: string, sink: OutputSink, o: { rows?: number; cols?: number } = {}): Promise<AgentProcess> {
    const ex = this.getExec(id);
    if (ex.Running || ex.ExitCode !== null) throw conflict(`exec ${id} has already been started`);
    const rt = this.runtimes.get(ex.ContainerID);
    if (!rt) throw conflict(`Container ${ex.ContainerID} is not running`);
    ex.Running = true;
    let proc: AgentProcess;
    try {
      proc = await rt.agent.exec({
        args: ex.Args, env: ex.Env, cwd: ex.WorkingDir, user: ex.User, tty: ex.Tty, stdin: ex.OpenStdin,
        rows: o.rows, cols: o.cols,
      });
    } catch (err) {
      ex.Running = false;
      const e = toKctlError(err);
      ex.ExitCode = e.kind === 'command_not_found' ? 127 : e.kind === 'cannot_invoke' ? 126 : 126;
      throw e;
    }
    ex.process = proc;
    ex.Pid = proc.pid;
    // A congested consumer stops the exec's output credit until it drains (bounded buffering).
    let waiting = false;
    const relay = (stream: StreamName) => (d: Buffer) => {
      if (sink.onOutput(stream, d) === false && sink.waitDrain && !waiting) {
        waiting = true;
        proc.pause();
        const go = () => { waiting = false; proc.resume(); };
        sink.waitDrain().then(go, go);
      }
    };
    proc.on('stdout', relay('stdout'));
    proc.on('stderr', relay('stderr'));
    proc.exited.then(
      (info) => { ex.Running = false; ex.ExitCode = exitCodeOf(info); sink.onExit?.(ex.ExitCode); },
      () => { ex.Running = false; ex.ExitCode = 137; sink.onExit?.(137); },
    );
    this.emit('event', { type: 'container', action: 'exec_start', id: ex.ContainerID, execId: ex.Id });
    return proc;
  }

  async kill(ref: string, signal?: string): Promise<void> {
    const rec = this.get(ref);
    const rt = this.runtimes.get(rec.Id);
    if (!rt) throw conflict(`Cannot kill container: ${rec.Id}: Container ${rec.Id} is not running`);
    const signo = parseSignal(signal, 9);
    await this.thawIfPaused(rec);
    if (signo === 9 || signo === 15) {
      // Docker counts a kill as a manual stop for the restart policy.
      rec.State.StoppedByUser = true;
      await this.save(rec);
    }
    rt.init.signal(signo);
    if (signo === 9) {
      // SIGKILL always ends the container; if the guest does not answer, end the VM.
      const done = await Promise.race([rt.init.exited.then(() => true, () => true), sleep(5000).then(() => false)]);
      if (!done) await this.finish(rec, rt, 137, 'the guest did not deliver SIGKILL; the VM was stopped');
      else await rt.finishing;
    }
  }

  /** Docker's stop: the stop signal, then SIGKILL after the timeout. Stopping a stopped container is fine. */
  async stop(ref: string, timeoutSec?: number): Promise<void> {
    const rec = this.get(ref);
    const rt = this.runtimes.get(rec.Id);
    rec.State.StoppedByUser = true;
    this.cancelRestart(rec);
    if (!rt) {
      if (rec.State.Status === 'restarting') rec.State.Status = 'exited';
      await this.save(rec);
      return;
    }
    await this.save(rec);
    await this.thawIfPaused(rec);
    const t = timeoutSec === undefined || timeoutSec < 0 ? rec.StopTimeout : timeoutSec;
    rt.init.signal(parseSignal(rec.StopSignal, 15));
    const exited = rt.init.exited.then(() => true, () => true);
    if (!(await Promise.race([exited, sleep(t * 1000).then(() => false)]))) {
      rt.init.signal(9);
      if (!(await Promise.race([exited, sleep(5000).then(() => false)]))) {
        await this.finish(rec, rt, 137, 'the guest did not deliver SIGKILL; the VM was stopped');
      }
    }
    await rt.finishing;
  }

  private cancelRestart(rec: ContainerRecord): void {
    const t = this.restartTimers.get(rec.Id);
    if (t) clearTimeout(t);
    this.restartTimers.delete(rec.Id);
    this.restartDelay.delete(rec.Id);
  }

  async restart(ref: string, timeoutSec?: number): Promise<void> {
    await this.stop(ref, timeoutSec);
    await this.start(ref);
  }

  /** Resolves with the exit code once the container is not running (Docker's wait). */
  async wait(ref: string, condition: 'not-running' | 'next-exit' | 'removed' = 'not-running', signal?: AbortSignal): Promise<number> {
    const rec = this.get(ref);
    if (condition === 'not-running' && !this.runtimes.has(rec.Id) && rec.State.Status !== 'restarting') return rec.State.ExitCode;
    const event = condition === 'removed' ? `removed:${rec.Id}` : `exit:${rec.Id}`;
    return new Promise<number>((resolve, reject) => {
      const onEvent = (code: number) => { signal?.removeEventListener('abort', onAbort); resolve(code); };
      const onAbort = () => { this.off(event, onEvent); reject(new KctlError('canceled', 'wait canceled')); };
      this.once(event, onEvent);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async remove(ref: string, o: { force?: boolean } = {}): Promise<void> {
    const rec = this.get(ref);
    if (this.runtimes.has(rec.Id)) {
      if (!o.force) {
        throw conflict(`You cannot remove a running container ${rec.Id}. Stop the container before attempting removal or force remove`);
      }
      await this.kill(rec.Id, 'KILL').catch((err) => { if (!isKctlError(err, 'conflict')) throw err; });
    }
    this.cancelRestart(rec);
    await this.locks.run(rec.Id, async () => {
      if (!this.records.has(rec.Id)) return; // removed meanwhile (auto-remove): nothing to do
      rec.State.Status = 'removing';
      await this.save(rec).catch(() => undefined);
      if (rec.State.VmId) {
        const vm = await this.o.vms.load(rec.State.VmId);
        if (vm) await this.o.vms.destroy(vm).catch(() => undefined);
      }
      await this.releaseRootfs(rec);
      await removeRootfs(this.o.layout, rec.Id).catch(() => undefined);
      await fs.rm(this.o.layout.containerDir(rec.Id), { recursive: true, force: true });
      this.records.delete(rec.Id);
    });
    this.emit('event', { type: 'container', action: 'destroy', id: rec.Id });
    this.emit(`removed:${rec.Id}`, rec.State.ExitCode);
    this.log.info('removed', { id: rec.Id });
  }

  /** Stops watching VMs and closes agent channels, leaving VMs running (daemon shutdown). */
  async detachAll(): Promise<void> {
    for (const rt of this.runtimes.values()) {
      rt.unwatchVm();
      rt.agent.removeAllListeners('close');
      rt.agent.close();
      try { rt.log.flush(); } catch { /* ignore */ }
    }
  }

  /**
   * Docker's `container prune`: removes every container that is not running, paused or restarting.
   * Returns the removed ids and the bytes their writable layers and logs took.
   */
  async prune(): Promise<{ ContainersDeleted: string[]; SpaceReclaimed: number }> {
    const { dirSize } = await import('../util/du.js');
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const rec of this.list({ all: true })) {
      if (this.runtimes.has(rec.Id) || ['running', 'paused', 'restarting', 'removing'].includes(rec.State.Status)) continue;
      const size = await dirSize(this.o.layout.containerDir(rec.Id));
      try {
        await this.remove(rec.Id);
      } catch (err) {
        if (isKctlError(err, 'not_found') || isKctlError(err, 'conflict')) continue; // removed or started meanwhile
        throw err;
      }
      deleted.push(rec.Id);
      reclaimed += size;
    }
    return { ContainersDeleted: deleted, SpaceReclaimed: reclaimed };
  }

  // ------------------------------------------------------------------ networks and volumes

  /** Validates the network and mount requests at create, as Docker does, and fills in `-P` and anonymous volumes. */
  private async prepareNetworkAndMounts(spec: ContainerSpec, config: ImageConfig): Promise<NetworkRecord | undefined> {
    let userNet: NetworkRecord | undefined;
    if (isBuiltinNetworkMode(spec.networkMode ?? '')) {
      spec.networkMode = validateNetworkMode(spec.networkMode ?? '');
      if (spec.networkAliases?.length) throw invalidArgument('network-scoped alias is supported only for containers in user defined networks');
      if (spec.ip) throw invalidArgument('user specified IP address is supported on user defined networks only');
    } else {
      userNet = this.o.networks?.store.find(spec.networkMode!);
      if (!userNet) throw notFound(`network ${spec.networkMode} not found`, { hint: 'create it with `kctl network create`' });
      spec.networkMode = userNet.Name;
      if (userNet.Internal && (spec.publish?.length || spec.publishAll)) throw invalidArgument(`cannot publish ports: network ${userNet.Name} is internal`);
    }
    if (spec.networkMode === 'none' && (spec.publish?.length || spec.publishAll)) {
      throw invalidArgument('conflicting options: port publishing and the container type network mode', { hint: 'drop -p/-P or --network none' });
    }
    if (spec.publishAll) {
      const have = new Set((spec.publish ?? []).map((b) => `${b.containerPort}/${b.protocol}`));
      for (const key of Object.keys(config.config?.ExposedPorts ?? {})) {
        const p = parseExposed(key);
        if (p && !have.has(`${p.containerPort}/${p.protocol}`)) (spec.publish ??= []).push({ ...p, hostIp: '', hostPort: 0 });
      }
    }
    const mounts = spec.mounts ?? [];
    checkDuplicateTargets(mounts);
    for (const m of mounts) {
      if (m.type === 'bind' && !m.createHostDir) {
        const st = await fs.stat(m.source).catch(() => undefined);
        if (!st) throw invalidArgument(`invalid mount config for type "bind": bind source path does not exist: ${m.source}`, { hint: 'create it first, or use -v, which creates it' });
      }
      if (m.type === 'volume') {
        if (!this.o.volumes) throw invalidArgument('named volumes are not available in this daemon');
        const v = await this.o.volumes.create(m.source);
        m.source = v.Name;
      }
    }
    return userNet;
  }

  // ------------------------------------------------------------------ user-defined networks

  /** Containers with an endpoint on the network, running or not. */
  networkUsers(netId: string): ContainerRecord[] {
    return [...this.records.values()].filter((r) => r.Networks?.[netId]);
  }

  /** A new endpoint with the lowest free address (or `ip`); call synchronously before recording it. */
  private newEndpoint(net: NetworkRecord, aliases: string[], ip?: string): Endpoint {
    const used = new Set(this.networkUsers(net.Id).map((r) => r.Networks![net.Id]!.IPAddress));
    return this.o.networks!.store.endpoint(net, this.o.networks!.store.allocate(net, used, ip), aliases, ip);
  }

  /**
   * `network connect`: a created or stopped container gets an endpoint; its NIC appears at the next
   * start. A microVM has no NIC hotplug (virtio-mmio), so a running container is refused.
   */
  async connectNetwork(ref: string, net: NetworkRecord, o: { aliases?: string[]; ip?: string } = {}): Promise<void> {
    const rec = this.get(ref);
    await this.locks.run(rec.Id, async () => {
      if ((rec.Spec.networkMode || 'bridge') === 'none') {
        throw invalidArgument(`container ${rec.Name} runs with --network none and cannot be connected to a network`);
      }
      if (rec.Networks?.[net.Id]) throw new KctlError('permission_denied', `endpoint with name ${rec.Name} already exists in network ${net.Name}`);
      if (this.runtimes.has(rec.Id)) {
        throw failedPrecondition(`cannot connect running container ${rec.Name} to network ${net.Name}: its VM cannot take a new NIC while it runs`, { hint: `stop it, connect it, and start it again (kctl stop ${rec.Name} && kctl network connect ${net.Name} ${rec.Name} && kctl start ${rec.Name})` });
      }
      if (Object.keys(rec.Networks ?? {}).length >= 7) throw failedPrecondition(`container ${rec.Name} is on too many networks (at most 7)`);
      rec.Networks = { ...rec.Networks, [net.Id]: this.newEndpoint(net, o.aliases ?? [], o.ip) };
      await this.save(rec);
    });
    this.emit('event', { type: 'network', action: 'connect', id: net.Id, container: rec.Id });
  }

  /** `network disconnect`: drops the endpoint of a container that is not running. */
  async disconnectNetwork(ref: string, netId: string, _o: { force?: boolean } = {}): Promise<void> {
    const rec = this.get(ref);
    await this.locks.run(rec.Id, async () => {
      const ep = rec.Networks?.[netId] ?? Object.values(rec.Networks ?? {}).find((e) => e.NetworkName === netId);
      if (!ep) throw notFound(`container ${rec.Name} is not connected to network ${this.o.networks?.store.find(netId)?.Name ?? netId}`);
      if (this.runtimes.has(rec.Id)) {
        throw failedPrecondition(`cannot disconnect running container ${rec.Name} from network ${ep.NetworkName}: its VM cannot drop a NIC while it runs`, { hint: 'stop it first' });
      }
      const rest = { ...rec.Networks };
      delete rest[ep.NetworkID];
      rec.Networks = rest;
      await this.save(rec);
    });
    this.emit('event', { type: 'network', action: 'disconnect', id: netId, container: rec.Id });
  }

  /** The endpoints a start uses, primary network first; a network removed meanwhile fails the start, as in Docker. */
  private startEndpoints(rec: ContainerRecord): { ep: Endpoint; net: NetworkRecord }[] {
    const out: { ep: Endpoint; net: NetworkRecord }[] = [];
    for (const ep of Object.values(rec.Networks ?? {})) {
      const net = this.o.networks?.store.find(ep.NetworkID);
      if (!net) throw notFound(`network ${ep.NetworkName} not found`, { hint: `disconnect it: kctl network disconnect --force ${ep.NetworkName} ${rec.Name}` });
      out.push({ ep, net });
    }
    return out.sort((a, b) => Number(b.net.Name === rec.Spec.networkMode) - Number(a.net.Name === rec.Spec.networkMode));
  }

  /** Running containers sharing a network with `rec`, with the address and names to list in its /etc/hosts. */
  private peersOf(rec: ContainerRecord): { ip: string; names: string[] }[] {
    const out: { ip: string; names: string[] }[] = [];
    for (const netId of Object.keys(rec.Networks ?? {})) {
      for (const other of this.networkUsers(netId)) {
        if (other.Id === rec.Id || !this.runtimes.has(other.Id)) continue;
        out.push({ ip: other.Networks![netId]!.IPAddress, names: namesOn(other, netId) });
      }
    }
    return out;
  }

  private hostsOf(rec: ContainerRecord): string {
    const eps = Object.values(rec.Networks ?? {}).sort((a, b) => Number(b.NetworkName === rec.Spec.networkMode) - Number(a.NetworkName === rec.Spec.networkMode));
    return containerHosts({ hostname: rec.Hostname, name: rec.Name, endpoints: eps, peers: this.peersOf(rec), extraHosts: rec.Spec.extraHosts ?? [] }, rec.State.IPAddress ?? '');
  }

  /** Rewrites /etc/hosts in every running container that shares a network with `rec` (it came or went). */
  private refreshPeerHosts(rec: ContainerRecord): void {
    const seen = new Set<string>();
    for (const netId of Object.keys(rec.Networks ?? {})) {
      for (const other of this.networkUsers(netId)) {
        if (other.Id === rec.Id || seen.has(other.Id)) continue;
        seen.add(other.Id);
        const rt = this.runtimes.get(other.Id);
        if (!rt) continue;
        try {
          rt.agent.updateFile(HOSTS_FILE_INDEX, this.hostsOf(other));
        } catch (err) {
          this.log.warn('/etc/hosts not updated', { id: other.Id, error: (err as Error).message });
        }
      }
    }
  }

  /** Connects a running VM's user-network NICs to their switches. */
  private async attachPorts(vm: VmInfo, ports: { net: NetworkRecord; ep: Endpoint; nic: number }[]): Promise<void> {
    for (const p of ports) {
      const fresh = await this.o.networks!.switches.ensure(p.net);
      if (fresh) await this.reattachAll(p.net, vm.vmId);
      await this.o.networks!.switches.attach(p.net, { name: `${vm.vmId}.${p.nic}`, mac: p.ep.MacAddress, socket: vm.nicSockets![p.nic]!, uid: vm.qemuUid });
    }
  }

  /** After a switch was (re)started: connects every running container's NIC on that network again. */
  private async reattachAll(net: NetworkRecord, exceptVm?: string): Promise<void> {
    for (const rec of this.networkUsers(net.Id)) {
      const rt = this.runtimes.get(rec.Id);
      if (!rt || rt.vm.vmId === exceptVm || !rt.vm.nicSockets) continue;
      const mac = rec.Networks![net.Id]!.MacAddress;
      const nic = rt.vm.nicMacs?.indexOf(mac) ?? -1;
      if (nic < 0) continue;
      await this.o.networks!.switches.attach(net, { name: `${rt.vm.vmId}.${nic}`, mac, socket: rt.vm.nicSockets[nic]!, uid: rt.vm.qemuUid })
        .catch((err) => this.log.warn('NIC not re-attached', { id: rec.Id, network: net.Name, error: (err as Error).message }));
    }
  }

  /** At daemon start: every network with running containers has its switch (a dead one is replaced and its ports re-attached). */
  private async reconcileSwitches(): Promise<void> {
    if (!this.o.networks) return;
    for (const net of this.o.networks.store.list()) {
      if (!this.networkUsers(net.Id).some((r) => this.runtimes.has(r.Id))) continue;
      if (await this.o.networks.switches.ensure(net)) await this.reattachAll(net);
    }
  }

  /** Containers (names) whose spec mounts the named volume: such a volume cannot be removed. */
  volumeUsers(name: string): string[] {
    return [...this.records.values()].filter((r) => (r.Spec.mounts ?? []).some((m) => m.type === 'volume' && m.source === name)).map((r) => r.Name);
  }

  /** `kctl port`: the forwarded ports of a running container. */
  ports(ref: string): import('../network/ports.js').PortMapping[] {
    const rec = this.get(ref);
    return this.runtimes.has(rec.Id) ? rec.State.Ports ?? [] : [];
  }

  private async save(rec: ContainerRecord): Promise<void> {
    await writeJsonAtomic(path.join(this.o.layout.containerDir(rec.Id), 'container.json'), rec);
  }

  // ------------------------------------------------------------------ attach before start, pause, rename

  private pendingSinks = new Map<string, Set<OutputSink>>();

  private takePendingSinks(id: string): OutputSink[] {
    const set = this.pendingSinks.get(id);
    this.pendingSinks.delete(id);
    return set ? [...set] : [];
  }

  /**
   * Docker's attach: to a running container now, to a created or stopped one from its next start
   * (`docker run` attaches before it starts the container, so no output is lost). The handle's
   * write/resize reach the container only while it runs.
   */
  attachOrWait(ref: string, sink: OutputSink): { detach: () => void; write(data: Buffer): boolean; onDrain(fn: () => void): void; closeStdin(): void; resize(rows: number, cols: number): void; running(): boolean } {
    const rec = this.get(ref);
    const id = rec.Id;
    if (rec.State.Status === 'paused') throw conflict('You cannot attach to a paused container, unpause it first');
    if (!this.runtimes.has(id)) {
      let set = this.pendingSinks.get(id);
      if (!set) this.pendingSinks.set(id, (set = new Set()));
      set.add(sink);
    } else {
      this.runtimes.get(id)!.sinks.add(sink);
    }
    return {
      detach: () => {
        this.pendingSinks.get(id)?.delete(sink);
        if (this.pendingSinks.get(id)?.size === 0) this.pendingSinks.delete(id);
        const rt = this.runtimes.get(id);
        rt?.sinks.delete(sink);
        if (rt) this.uncongest(rt, sink);
      },
      /** False when the caller should wait for onDrain before writing more. */
      write: (d) => this.runtimes.get(id)?.init.write(d) ?? true,
      onDrain: (fn) => {
        const init = this.runtimes.get(id)?.init;
        if (!init || init.hasExited) fn();
        else init.once('drain', fn);
      },
      closeStdin: () => { this.runtimes.get(id)?.init.closeStdin(); },
      resize: (r, c) => { this.runtimes.get(id)?.init.resize(r, c); },
      running: () => this.runtimes.has(id),
    };
  }

  /** Freezes the container's VM (QMP stop); its state becomes 'paused'. */
  async pause(ref: string): Promise<void> {
    const rec = this.get(ref);
    await this.locks.run(rec.Id, async () => {
      const rt = this.runtimes.get(rec.Id);
      if (!rt || rt.finishing) throw conflict(`Container ${rec.Id} is not running`);
      if (rec.State.Status === 'paused') throw conflict(`Container ${rec.Id} is already paused`);
      await this.o.vms.pause(rt.vm);
      rec.State.Status = 'paused';
      await this.save(rec);
    });
    this.emit('event', { type: 'container', action: 'pause', id: rec.Id });
  }

  /** Thaws a paused container's VM (QMP cont). */
  async unpause(ref: string): Promise<void> {
    const rec = this.get(ref);
    await this.locks.run(rec.Id, async () => {
      const rt = this.runtimes.get(rec.Id);
      if (!rt || rec.State.Status !== 'paused') throw conflict(`Container ${rec.Id} is not paused`);
      await this.o.vms.resume(rt.vm);
      rec.State.Status = 'running';
      await this.save(rec);
    });
    this.emit('event', { type: 'container', action: 'unpause', id: rec.Id });
  }

  /**
   * A paused VM cannot deliver a signal: stop and kill thaw it first (Docker unpauses before it
   * stops, too). A VM that cannot be thawed is left to the SIGKILL fallback, which ends the VM.
   */
  private async thawIfPaused(rec: ContainerRecord): Promise<void> {
    const rt = this.runtimes.get(rec.Id);
    if (!rt || rec.State.Status !== 'paused') return;
    try {
      await this.o.vms.resume(rt.vm);
      rec.State.Status = 'running';
      await this.save(rec);
      this.emit('event', { type: 'container', action: 'unpause', id: rec.Id });
    } catch (err) {
      this.log.warn('could not thaw a paused VM before stopping it', { id: rec.Id, error: (err as Error).message });
    }
  }

  /** Docker's rename: the new name must be valid and free. */
  async rename(ref: string, newName: string): Promise<void> {
    const rec = this.get(ref);
    const name = validateName(newName.replace(/^\//, ''));
    if (name === rec.Name) return;
    if (this.nameTaken(name)) {
      const other = [...this.records.values()].find((r) => r.Name === name)!;
      throw conflict(`Conflict. The container name "/${name}" is already in use by container "${other.Id}". You have to remove (or rename) that container to be able to reuse that name.`);
    }
    const old = rec.Name;
    rec.Name = name;
    try {
      await this.save(rec);
    } catch (err) {
      rec.Name = old;
      throw err;
    }
    // Peers on shared networks resolve the new name (Docker's DNS does at once).
    if (this.runtimes.has(rec.Id)) this.refreshPeerHosts(rec);
    this.emit('event', { type: 'container', action: 'rename', id: rec.Id, oldName: old });
  }

  // ------------------------------------------------------------------ cp, top, stats

  /**
   * Runs `fn` with the container's root filesystem mounted on the host (`kctl cp`): the running
   * container's own mount, or, for a stopped one, a mount made for the call and undone after it
   * (the container cannot start meanwhile). `fn` must not resolve container paths itself: see cp.ts.
   */
  async withRootfs<T>(ref: string, fn: (root: string) => Promise<T>, o: { path?: string } = {}): Promise<T> {
    const rec = this.get(ref);
    if (o.path !== undefined) {
      // Mounts (-v, --mount, --tmpfs) live in the guest; under them the host sees only the image's directory.
      const p = path.posix.normalize(o.path);
      const m = (rec.Spec.mounts ?? []).find((x) => p === x.target || p.startsWith(x.target.replace(/\/$/, '') + '/'));
      if (m) throw failedPrecondition(`${o.path} is on the ${m.type} mount at ${m.target}: kctl cp reaches the container's root filesystem only`, { hint: m.type === 'bind' ? `copy on the host, at ${m.source}` : 'use kctl exec with a tar stream instead' });
    }
    const merged = path.join(this.o.layout.containerDir(rec.Id), 'rootfs');
    if (this.runtimes.has(rec.Id)) return fn(merged);
    return this.locks.run(rec.Id, async () => {
      if (this.runtimes.has(rec.Id)) return fn(merged);
      if (rec.State.Status === 'removing') throw conflict(`container ${rec.Id} is marked for removal`);
      const image = await this.o.images.byId(rec.ImageId);
      if (!image) throw failedPrecondition(`image ${rec.ImageId} of container ${rec.Name} is no longer present`, { hint: 'pull the image again or remove the container' });
      return withUndo(async (undo) => {
        const plan = await prepareRootfs(this.o.layout, rec.Id, await this.o.images.lowerDirs(image));
        await mountRootfs(plan);
        undo.push('rootfs mount', () => unmountRootfs(plan));
        const out = await fn(plan.mergedDir);
        await unmountRootfs(plan);
        return out;
      });
    });
  }

  /** A sink fell behind: stop crediting the init's output until it drains (or detaches). */
  private congest(rt: Runtime, s: OutputSink): void {
    rt.congested ??= new Set();
    if (rt.congested.has(s)) return;
    rt.congested.add(s);
    rt.init.pause();
    s.waitDrain!().then(() => this.uncongest(rt, s), () => this.uncongest(rt, s));
  }

  private uncongest(rt: Runtime, s: OutputSink): void {
    if (!rt.congested?.delete(s)) return;
    if (rt.congested.size === 0) rt.init.resume();
  }

  /** The running container's VM and agent, for resource and process queries (stats, top). */
  runtimeOf(ref: string): { rec: ContainerRecord; vm: VmInfo; agent: AgentClient } {
    const rec = this.get(ref);
    const rt = this.runtimes.get(rec.Id);
    if (!rt || rt.finishing) throw conflict(`Container ${rec.Id} is not running`);
    return { rec, vm: rt.vm, agent: rt.agent };
  }
}

/** Docker's exit code: the process's code, or 128 + the signal that killed it. */
export function exitCodeOf(info: ExitInfo): number {
  if (info.signal) return 128 + info.signal;
  return info.code;
}

