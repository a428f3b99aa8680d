/**
 * kctld's gRPC API: decodes requests, calls the engine, encodes answers. No logic lives here.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import { PassThrough, Writable } from 'node:stream';
import type * as grpcT from '@grpc/grpc-js';
import { failedPrecondition, invalidArgument, toKctlError } from '../../core/errors.js';
import type { Engine } from '../../core/engine.js';
import { KCTL_VERSION, DOCKER_API_VERSION } from '../../core/engine.js';
import { inspectContainer, statusText, commandText } from '../../core/containers/view.js';
import { readLogs, parseLogTime, type StreamName } from '../../core/containers/logs.js';
import type { ContainerSpec, Isolation, RestartPolicy } from '../../core/containers/types.js';
import { validateRestartPolicy } from '../../core/containers/restart.js';
import { familiarizeString } from '../../core/images/reference.js';
import { inspectImage } from '../../core/images/view.js';
import { loadContract } from './load.js';
import { networkStorageSpec } from '../../core/network/spec.js';
import { toGrpcError } from './status.js';
import { networkMatches, NETWORK_LIST_FILTERS, NETWORK_PRUNE_FILTERS, parseNetworkFilters } from '../../core/network/filter.js';
import { archivePath, extractInto, statPath } from '../../core/containers/cp.js';
import { topContainer } from '../../core/containers/top.js';
import { statsSample } from '../../core/containers/stats.js';
import type { ContainerConfig__Output } from '../gen/kctl/v1/ContainerConfig.js';
import type { Isolation as PbIsolation } from '../gen/kctl/v1/Isolation.js';
import type { AttachInput__Output } from '../gen/kctl/v1/AttachInput.js';
import type { ExecInput__Output } from '../gen/kctl/v1/ExecInput.js';
import type { AttachOutput } from '../gen/kctl/v1/AttachOutput.js';
import type { AuthConfig__Output } from '../gen/kctl/v1/AuthConfig.js';

type Unary<Req, Res> = (call: grpcT.ServerUnaryCall<Req, Res>, cb: grpcT.sendUnaryData<Res>) => void;

export function isolationToPb(i: Isolation): PbIsolation {
  return {
    kind: i.Kind, hypervisor: i.Hypervisor, hypervisorVersion: i.HypervisorVersion, machine: i.Machine,
    accelerator: i.Accelerator, acceleratorReason: i.AcceleratorReason, guestKernel: i.GuestKernel,
    vcpus: i.VCPUs, memoryMib: i.MemoryMiB, rootfsShare: i.RootfsShare, agentChannel: i.AgentChannel,
    vmPid: i.VMPid, vmUid: i.VMUid ?? 0, bootMs: i.BootMs, fromPool: i.FromPool, poolMiss: i.PoolMiss ?? '',
  };
}

function authOf(a: AuthConfig__Output | null | undefined) {
  if (!a || (!a.username && !a.password && !a.identityToken && !a.registryToken)) return undefined;
  return { username: a.username, password: a.password, identitytoken: a.identityToken, registrytoken: a.registryToken, serveraddress: a.serverAddress };
}

export function specFromPb(c: ContainerConfig__Output): ContainerSpec {
  if (!c.image) throw invalidArgument('an image is required');
  return {
    image: c.image,
    name: c.name || undefined,
    cmd: c.cmd ? c.cmd.values : undefined,
    entrypoint: c.entrypoint ? c.entrypoint.values : undefined,
    env: c.env,
    workingDir: c.workingDir || undefined,
    user: c.user || undefined,
    hostname: c.hostname || undefined,
    labels: c.labels ?? {},
    tty: c.tty,
    openStdin: c.openStdin,
    memoryBytes: c.memoryBytes,
    cpus: c.cpus,
    autoRemove: c.autoRemove,
    stopSignal: c.stopSignal || undefined,
    stopTimeout: c.stopTimeout >= 0 ? c.stopTimeout : undefined,
    restartPolicy: c.restartPolicy?.name ? restartPolicyOf(c.restartPolicy) : undefined,
    init: c.init || undefined,
    logOpts: c.logOpts && Object.keys(c.logOpts).length ? c.logOpts : undefined,
    ...networkStorageSpec({
      publish: c.publish, publishAll: c.publishAll, network: c.network, networkAliases: c.networkAliases,
      volumes: c.volumes, mounts: c.mounts, tmpfs: c.tmpfs, readOnly: c.readOnly, dns: c.dns, addHosts: c.addHosts, ip: c.ip,
    }),
  };
}

function restartPolicyOf(p: { name: string; maximumRetryCount: number }): RestartPolicy {
  return validateRestartPolicy({ Name: p.name as RestartPolicy['Name'], MaximumRetryCount: p.maximumRetryCount });
}

export async function createGrpcServer(engine: Engine, onShutdown: () => void): Promise<grpcT.Server> {
  const { grpc, proto } = await loadContract();
  const fail = (err: unknown) => toGrpcError(grpc, err);
  const unary = <Req, Res>(fn: (req: Req) => Promise<Res>): Unary<Req, Res> => (call, cb) => {
    fn(call.request).then((res) => cb(null, res), (err) => cb(fail(err)));
  };
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 16 * 1024 * 1024 });
  const v1 = proto.kctl.v1;

  server.addService(v1.System.service, {
    Ping: unary(async () => ({ version: KCTL_VERSION, pid: process.pid, root: engine.layout.root })),
    Info: unary(async () => ({ json: JSON.stringify(await engine.info()) })),
    Version: unary(async () => {
      const v = await engine.version();
      return {
        version: v.version, apiVersion: DOCKER_API_VERSION, nodeVersion: process.version, os: 'linux', arch: os.machine(),
        kernelVersion: os.release(), hypervisor: 'qemu', hypervisorVersion: v.hypervisorVersion,
      };
    }),
    Shutdown: unary(async () => {
      setImmediate(onShutdown);
      return {};
    }),
    DiskUsage: unary(async () => ({ json: JSON.stringify(await engine.diskUsage()) })),
    Events: (call: grpcT.ServerWritableStream<unknown, { json: string }>) => {
      void import('../docker/system.js').then(({ eventDoc }) => {
        if (call.cancelled) return;
        const names = new Map<string, { name: string; image: string; labels: Record<string, string> }>();
        const who = (id: string) => {
          try {
            const rec = engine.containers.get(id);
            names.set(id, { name: rec.Name, image: rec.ImageRef, labels: rec.Spec.labels ?? {} });
          } catch { /* removed: keep what was known */ }
          return names.get(id);
        };
        for (const rec of engine.containers.list({ all: true })) who(rec.Id);
        const onEvent = (e: Parameters<typeof eventDoc>[0]) => {
          const doc = eventDoc(e, who(e.id));
          if (doc) call.write({ json: JSON.stringify(doc) });
        };
        engine.containers.on('event', onEvent);
        const stop = () => engine.containers.off('event', onEvent);
        call.on('cancelled', stop);
        call.on('close', stop);
        call.on('error', stop);
      });
    },
  });

  server.addService(v1.Images.service, {
    Pull: (call: grpcT.ServerWritableStream<any, any>) => {
      const req = call.request;
      const ac = new AbortController();
      call.on('cancelled', () => ac.abort());
      const opts = { platform: req.platform || undefined, auth: authOf(req.auth), signal: ac.signal, onProgress: (e: { id?: string; status: string; progressDetail?: { current?: number; total?: number } }) => call.write({ id: e.id ?? '', status: e.status, current: e.progressDetail?.current ?? 0, total: e.progressDetail?.total ?? 0 }) };
      (req.allTags ? engine.images.pullAllTags(req.reference, opts).then((imgs) => imgs.at(-1)!) : engine.images.pull(req.reference, opts))
        .then((img) => { call.write({ status: 'done', imageId: img.id }); call.end(); }, (err) => call.emit('error', Object.assign(new Error(), fail(err))));
    },
    Load: (call: grpcT.ServerReadableStream<any, any>, cb: grpcT.sendUnaryData<any>) => {
      const input = new PassThrough({ highWaterMark: 1024 * 1024 });
      call.on('data', (chunk: { data: Buffer }) => { if (!input.write(chunk.data)) call.pause(); });
      input.on('drain', () => call.resume());
      call.on('end', () => input.end());
      call.on('error', (err) => input.destroy(err));
      engine.images.load(input).then(
        (imgs) => cb(null, { loaded: imgs.flatMap((i) => (i.repoTags.length ? i.repoTags.map((t) => `Loaded image: ${familiarizeString(t)}`) : [`Loaded image ID: ${i.id}`])) }),
        (err) => { input.destroy(); cb(fail(err)); },
      );
    },
    Save: (call: grpcT.ServerWritableStream<any, any>) => {
      const out = new Writable({
        write(chunk: Buffer, _enc, done) {
          if (call.write({ data: chunk })) done();
          else call.once('drain', () => done());
        },
      });
      engine.images.save(call.request.references, out, call.request.format === 'oci-archive' ? 'oci-archive' : 'docker-archive')
        .then(() => new Promise<void>((r) => out.end(r)))
        .then(() => call.end(), (err) => call.emit('error', Object.assign(new Error(), fail(err))));
    },
    List: unary(async () => ({
      images: (await engine.images.listWithSizes()).map((i) => ({
        id: i.id, repoTags: i.repoTags.map(familiarizeString), repoDigests: i.repoDigests.map(familiarizeString), size: i.size, created: i.created,
      })),
    })),
    Inspect: unary(async (req: any) => {
      const img = await engine.images.get(req.reference);
      return { json: JSON.stringify(inspectImage(await engine.images.withSize(img), await engine.images.config(img))) };
    }),
    Remove: unary(async (req: any) => engine.images.remove(req.reference, req.force)),
    Tag: unary(async (req: any) => { await engine.images.tag(req.source, req.target); return {}; }),
    Prune: unary(async (req: any) => ({ json: JSON.stringify(await engine.images.prune({ all: req.all })) })),
  });

  const c = engine.containers;
  server.addService(v1.Containers.service, {
    Create: unary(async (req: any) => {
      const spec = specFromPb(req.config);
      return c.create(spec, { pull: req.config.pullMissing, auth: authOf(req.config.auth) });
    }),
    Start: unary(async (req: any) => ({ isolation: isolationToPb(await c.start(req.id)) })),
    Attach: (call: grpcT.ServerDuplexStream<AttachInput__Output, AttachOutput>) => attach(engine, call, fail),
    Exec: (call: grpcT.ServerDuplexStream<ExecInput__Output, AttachOutput>) => exec(engine, call, fail),
    Stop: unary(async (req: any) => { await c.stop(req.id, req.timeout); return {}; }),
    Restart: unary(async (req: any) => { await c.restart(req.id, req.timeout); return {}; }),
    Kill: unary(async (req: any) => { await c.kill(req.id, req.signal || undefined); return {}; }),
    Remove: unary(async (req: any) => { await c.remove(req.id, { force: req.force }); return {}; }),
    Port: unary(async (req: any) => ({
      ports: c.ports(req.id).map((p) => ({ containerPort: p.containerPort, protocol: p.protocol, hostIp: p.hostIp, hostPort: p.hostPort })),
    })),
    Pause: unary(async (req: any) => { await c.pause(req.id); return {}; }),
    Unpause: unary(async (req: any) => { await c.unpause(req.id); return {}; }),
    StatPath: unary(async (req: any) => ({
      json: JSON.stringify(await c.withRootfs(req.id, (root) => statPath(root, req.path, { follow: req.followLink }), { path: req.path })),
    })),
    CopyFrom: (call: grpcT.ServerWritableStream<any, any>) => copyFrom(engine, call, fail),
    CopyTo: (call: grpcT.ServerReadableStream<any, any>, cb: grpcT.sendUnaryData<any>) => copyTo(engine, call, cb, fail),
    Top: unary(async (req: any) => ({ json: JSON.stringify(await topContainer(c, req.id, req.psArgs ?? [])) })),
    Stats: unary(async (req: any) => ({ json: JSON.stringify(await statsSample(c, req.id)) })),
    Update: unary(async (req: any) => {
      await c.update(req.id, { restartPolicy: req.restartPolicy?.name ? restartPolicyOf(req.restartPolicy) : undefined });
      return {};
    }),
    Prune: unary(async () => ({ json: JSON.stringify(await c.prune()) })),
    List: unary(async (req: any) => ({
      containers: await Promise.all(c.list({ all: req.all, last: req.last }).map(async (r) => {
        const img = await engine.images.byId(r.ImageId);
        return {
          id: r.Id, names: [`/${r.Name}`], image: r.ImageRef || (img?.repoTags[0] ? familiarizeString(img.repoTags[0]) : r.ImageId), imageId: r.ImageId,
          command: commandText(r), created: Math.floor(Date.parse(r.Created) / 1000), state: r.State.Status, status: statusText(r),
          labels: r.Spec.labels, isolation: r.State.Isolation ? `vm/${r.State.Isolation.Accelerator}` : 'vm',
          ports: c.ports(r.Id),
        };
      })),
    })),
    Inspect: unary(async (req: any) => ({ json: JSON.stringify(inspectContainer(c.get(req.id))) })),
    Wait: (call: grpcT.ServerUnaryCall<any, any>, cb: grpcT.sendUnaryData<any>) => {
      const ac = new AbortController();
      call.on('cancelled', () => ac.abort());
      c.wait(call.request.id, call.request.condition || 'not-running', ac.signal).then(
        (code) => cb(null, { exitCode: code, error: '' }),
        (err) => cb(fail(err)),
      );
    },
    Logs: (call: grpcT.ServerWritableStream<any, any>) => {
      const req = call.request;
      const ac = new AbortController();
      call.on('cancelled', () => ac.abort());
      (async () => {
        const rec = c.get(req.id);
        const both = !req.stdout && !req.stderr;
        const tail = req.tail && req.tail !== 'all' ? Number(req.tail) : undefined;
        if (tail !== undefined && (!Number.isInteger(tail) || tail < 0)) throw invalidArgument(`invalid value for --tail: ${req.tail}`);
        for await (const e of readLogs(rec.LogPath, {
          stdout: both || req.stdout, stderr: both || req.stderr, follow: req.follow, tail,
          since: req.since ? parseLogTime(req.since) : undefined, until: req.until ? parseLogTime(req.until) : undefined,
          isLive: () => c.isRunning(rec.Id), signal: ac.signal,
        })) {
          if (!call.write({ stream: e.stream, data: Buffer.from(e.log, 'utf8'), time: e.time })) {
            await new Promise<void>((r) => { call.once('drain', () => r()); ac.signal.addEventListener('abort', () => r(), { once: true }); });
            if (ac.signal.aborted) return;
          }
        }
      })().then(() => call.end(), (err) => call.emit('error', Object.assign(new Error(), fail(err))));
    },
  });
  server.addService(v1.Volumes.service, {
    Create: unary(async (req: any) => ({ json: JSON.stringify(await engine.volumes.create(req.name, req.labels ?? {})) })),
    List: unary(async () => ({ json: JSON.stringify({ Volumes: await engine.volumes.list(), Warnings: [] }) })),
    Inspect: unary(async (req: any) => ({ json: JSON.stringify(await engine.volumes.inspect(req.name)) })),
    Remove: unary(async (req: any) => {
      await engine.volumes.remove(req.name, { force: req.force });
      return {};
    }),
    Prune: unary(async (req: any) => {
      const r = await engine.volumes.prune({ all: req.all });
      return { json: JSON.stringify({ VolumesDeleted: r.removed, SpaceReclaimed: r.reclaimedBytes }) };
    }),
  });
  const n = engine.networks;
  server.addService(v1.Networks.service, {
    Create: unary(async (req: any) => {
      const rec = await n.create({
        name: req.name, driver: req.driver || undefined, subnet: req.subnet || undefined, gateway: req.gateway || undefined,
        internal: req.internal, attachable: req.attachable, labels: req.labels ?? {},
      });
      return { json: JSON.stringify(n.view(rec)) };
    }),
    List: unary(async (req: any) => {
      const f = parseNetworkFilters(req.filters ?? [], NETWORK_LIST_FILTERS);
      return { json: JSON.stringify(n.list().filter((v) => networkMatches(v, f, (x) => c.networkUsers(x.Id).length > 0))) };
    }),
    Inspect: unary(async (req: any) => ({ json: JSON.stringify(n.inspect(req.name)) })),
    Remove: unary(async (req: any) => { await n.remove(req.name); return {}; }),
    Connect: unary(async (req: any) => {
      await n.connect(req.network, req.container, { aliases: req.aliases ?? [], ip: req.ip || undefined });
      return {};
    }),
    Disconnect: unary(async (req: any) => { await n.disconnect(req.network, req.container, { force: req.force }); return {}; }),
    Prune: unary(async (req: any) => {
      const f = parseNetworkFilters(req.filters ?? [], NETWORK_PRUNE_FILTERS);
      return { json: JSON.stringify({ NetworksDeleted: await n.prune({ labels: f.get('label') ?? [] }) }) };
    }),
  });

  return server;
}

/**
 * The server side of an attach or exec stream's output: container output and the exit code are held
 * until `started` went out (so the client sees them in order), writes report back-pressure (false:
 * the client is not keeping up, and the container's output waits for `drained()`), and the stream
 * ends exactly once, with a status on error.
 */
class OutputStream {
  ended = false;
  /** Output after this is dropped (exec --detach: the client has gone, the process runs on). */
  muted = false;
  private ready = false;
  private pending: AttachOutput[] = [];

  /** `started` went out: the exit code will follow (from the sink), whatever the client does. */
  get started(): boolean {
    return this.ready;
  }

  constructor(
    private readonly call: grpcT.ServerDuplexStream<unknown, AttachOutput>,
    private readonly fail: (e: unknown) => object,
    private readonly onEnd: () => void = () => undefined,
  ) {}

  send(m: AttachOutput): boolean {
    if (this.ended || this.muted) return true;
    if (!this.ready) { this.pending.push(m); return true; }
    const ok = this.call.write(m);
    if (m.exitCode !== undefined) this.end();
    return ok;
  }

  /** Writes `started`, then whatever output was held. */
  start(iso: Isolation): void {
    this.call.write({ started: isolationToPb(iso) });
    this.ready = true;
    for (const m of this.pending.splice(0)) this.send(m);
  }

  drained = (): Promise<void> => new Promise<void>((resolve) => {
    const c = this.call;
    const done = () => { c.off('drain', done); c.off('close', done); c.off('cancelled', done); c.off('finish', done); resolve(); };
    c.on('drain', done);
    c.on('close', done);
    c.on('cancelled', done);
    c.on('finish', done);
  });

  end(err?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
    if (err) this.call.emit('error', Object.assign(new Error(), this.fail(err)));
    else this.call.end();
  }

  /** A sink for the container manager: this stream's share of a container's or a process's output. */
  sink(want: { stdout: boolean; stderr: boolean } = { stdout: true, stderr: true }) {
    return {
      onOutput: (stream: StreamName, data: Buffer) => (want[stream] ? this.send(stream === 'stdout' ? { stdout: data } : { stderr: data }) : true),
      waitDrain: this.drained,
      onExit: (code: number) => { this.send({ exitCode: code }); },
    };
  }
}

/** The attach stream: output of the container to the client, stdin/resize/signals to the container. */
function attach(engine: Engine, call: grpcT.ServerDuplexStream<AttachInput__Output, AttachOutput>, fail: (e: unknown) => object): void {
  const c = engine.containers;
  let handle: ReturnType<typeof c.attach> | undefined;
  let id = '';
  let stdinOnce = false;
  const out = new OutputStream(call, fail, () => handle?.detach());
  // Messages are handled strictly in order: stdin that arrives while the VM boots waits for it.
  let chain: Promise<void> = Promise.resolve();
  call.on('data', (msg: AttachInput__Output) => {
    chain = chain.then(async () => {
      if (out.ended) return;
      switch (msg.msg) {
        case 'open': {
          const o = msg.open!;
          id = c.get(o.id).Id;
          stdinOnce = o.stdinOnce;
          const s = out.sink({ stdout: o.stdout, stderr: o.stderr });
          const iso = o.start ? await c.start(id, { sinks: [s], rows: o.rows || undefined, cols: o.cols || undefined }) : undefined;
          if (c.isRunning(id)) {
            handle = c.attach(id, s);
            if (o.rows > 0 && o.cols > 0) handle.resize(o.rows, o.cols);
          } else if (!o.start) {
            throw failedPrecondition('You cannot attach to a stopped container, start it first');
          }
          out.start(iso ?? c.get(id).State.Isolation!);
          return;
        }
        case 'stdin':
          handle?.write(msg.stdin!);
          return;
        case 'stdinClose':
          if (stdinOnce) handle?.closeStdin();
          return;
        case 'resize':
          handle?.resize(msg.resize!.rows, msg.resize!.cols);
          return;
        case 'signal':
          if (id && c.isRunning(id)) await c.kill(id, String(msg.signal));
          return;
        default:
          throw invalidArgument('unknown attach message');
      }
    }).catch((err) => out.end(toKctlError(err)));
  });
  call.on('end', () => { chain = chain.then(() => { if (!handle && !out.started) out.end(); }); });
  call.on('cancelled', () => out.end());
  call.on('error', () => out.end());
}

/** The exec stream: a new process in a running container, with its own stdio and exit code. */
function exec(engine: Engine, call: grpcT.ServerDuplexStream<ExecInput__Output, AttachOutput>, fail: (e: unknown) => object): void {
  const c = engine.containers;
  let proc: Awaited<ReturnType<typeof c.startExec>> | undefined;
  const out = new OutputStream(call, fail);
  let chain: Promise<void> = Promise.resolve();
  call.on('data', (msg: ExecInput__Output) => {
    chain = chain.then(async () => {
      if (out.ended) return;
      switch (msg.msg) {
        case 'open': {
          const o = msg.open!;
          const ex = c.createExec(o.container, {
            cmd: o.cmd, env: o.env, workingDir: o.workingDir || undefined, user: o.user || undefined,
            tty: o.tty, stdin: o.stdin && !o.detach, privileged: o.privileged,
          });
          proc = await c.startExec(ex.Id, out.sink(), { rows: o.rows || undefined, cols: o.cols || undefined });
          out.muted = o.detach; // detached: nothing but `started` goes to the client
          out.start(c.get(o.container).State.Isolation!);
          if (o.detach) out.end();
          return;
        }
        case 'stdin':
          proc?.write(msg.stdin!);
          return;
        case 'stdinClose':
          proc?.closeStdin();
          return;
        case 'resize':
          proc?.resize(msg.resize!.rows, msg.resize!.cols);
          return;
        case 'signal':
          proc?.signal(msg.signal!);
          return;
        default:
          throw invalidArgument('unknown exec message');
      }
    }).catch((err) => out.end(toKctlError(err)));
  });
  call.on('end', () => { chain = chain.then(() => { if (!proc) out.end(); }); });
  // A client that goes away: a process with a terminal is hung up on (as Docker does); others keep running.
  call.on('cancelled', () => { if (proc?.tty && !out.ended && !out.muted) proc.signal(1); out.end(); });
  call.on('error', () => out.end());
}

/** Binds the server on a unix socket that only the daemon's user can open (mode 0600). */
export async function listenUnix(server: grpcT.Server, socketPath: string): Promise<void> {
  const { grpc } = await loadContract();
  await fs.rm(socketPath, { force: true });
  const old = process.umask(0o077);
  try {
    await new Promise<void>((resolve, reject) => {
      server.bindAsync(`unix://${socketPath}`, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve()));
    });
  } finally {
    process.umask(old);
  }
  await fs.chmod(socketPath, 0o600);
}

/** `kctl cp CONTAINER:SRC ...`: the tar stream of a path in the container, flow-controlled by the client. */
function copyFrom(engine: Engine, call: grpcT.ServerWritableStream<any, any>, fail: (err: unknown) => object): void {
  const ac = new AbortController();
  call.on('cancelled', () => ac.abort());
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (call.write({ data: chunk })) done();
      else call.once('drain', () => done());
    },
  });
  engine.containers.withRootfs(call.request.id, async (root) => {
    // Stat first so a missing path is a clean not-found before any byte is sent.
    await statPath(root, call.request.path, { follow: call.request.followLink });
    await archivePath(root, call.request.path, out, { follow: call.request.followLink, signal: ac.signal });
  }, { path: call.request.path }).then(() => call.end(), (err) => call.emit('error', Object.assign(new Error(), fail(err))));
}

/** `kctl cp ... CONTAINER:DEST`: the first message names the container and directory, then tar data. */
function copyTo(engine: Engine, call: grpcT.ServerReadableStream<any, any>, cb: grpcT.sendUnaryData<any>, fail: (err: unknown) => object): void {
  const input = new PassThrough({ highWaterMark: 1024 * 1024 });
  let started = false;
  call.on('data', (m: { id: string; path: string; copyUidGid: boolean; data: Buffer }) => {
    if (!started) {
      started = true;
      const { id, path, copyUidGid } = m;
      engine.containers.withRootfs(id, (root) => extractInto(root, path, input, { copyUidGid }), { path }).then(
        () => cb(null, {}),
        (err) => { input.destroy(); call.destroy(); cb(fail(err) as grpcT.ServiceError); },
      );
    }
    if (m.data?.length && !input.write(m.data)) call.pause();
  });
  input.on('drain', () => call.resume());
  call.on('end', () => { if (!started) cb(fail(invalidArgument('the copy stream named no container')) as grpcT.ServiceError); else input.end(); });
  call.on('error', (err) => input.destroy(err));
  call.on('cancelled', () => input.destroy(new Error('the client cancelled the copy')));
}

