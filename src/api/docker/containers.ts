/**
 * Container endpoints: create, start, stop, kill, restart, wait, attach, logs, list, inspect,
 * resize, rename, pause, unpause, remove, prune; and clear 501s for what kctl does not have yet.
 */
import type { Engine } from '../../core/engine.js';
import { conflict, invalidArgument, unimplemented } from '../../core/errors.js';
import { inspectContainer, statusText, commandText, networksDocument } from '../../core/containers/view.js';
import { readLogs, parseLogTime } from '../../core/containers/logs.js';
import type { ContainerRecord } from '../../core/containers/types.js';
import type { OutputSink } from '../../core/containers/manager.js';
import { familiarizeString } from '../../core/images/reference.js';
import { dockerMessage } from './errors.js';
import { isKctlError, toKctlError } from '../../core/errors.js';
import { isBuiltinNetworkMode } from '../../core/network/plan.js';
import { qBool, qFilters, qInt, readJson, sendEmpty, sendJson, StreamConn, type Ctx, type Router } from './http.js';
import { frame, streamContentType } from './stream.js';
import { extraEndpoints, specFromDocker } from './spec.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { topContainer } from '../../core/containers/top.js';
import { statsSample, type ContainerStatsSample } from '../../core/containers/stats.js';
import { statPath, archivePath, extractInto, S_IFMT, S_IFDIR, S_IFLNK, type PathStat } from '../../core/containers/cp.js';
import { matchLabel } from '../../core/util/labels.js';

/** Nanoseconds per guest jiffy (the kctl guest kernel runs at HZ=100); only ratios matter to clients. */
const JIFFY_NS = 10_000_000;

function cpuStats(s: ContainerStatsSample | undefined): Record<string, unknown> {
  return {
    cpu_usage: { total_usage: (s?.cpu.busy ?? 0) * JIFFY_NS, usage_in_kernelmode: 0, usage_in_usermode: 0 },
    system_cpu_usage: (s?.cpu.total ?? 0) * JIFFY_NS,
    online_cpus: s?.cpu.onlineCpus ?? 0,
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  };
}

/** Docker's stats document from the core's guest and host samples. */
export function statsDoc(cur: ContainerStatsSample, prev: ContainerStatsSample | undefined): Record<string, unknown> {
  return {
    read: cur.read,
    preread: prev?.read ?? '0001-01-01T00:00:00Z',
    id: cur.id,
    name: `/${cur.name}`,
    pids_stats: { current: cur.pids },
    num_procs: 0,
    cpu_stats: cpuStats(cur),
    precpu_stats: cpuStats(prev),
    memory_stats: { usage: cur.memory.usage, limit: cur.memory.limit, stats: {} },
    blkio_stats: {},
    networks: {},
    kctl_host: cur.host,
  };
}

function archiveParam(ctx: Ctx): string {
  const p = ctx.query.get('path');
  if (!p) throw invalidArgument('a path is required (path=...)');
  return p;
}

/** X-Docker-Container-Path-Stat: base64 JSON with Go's os.FileMode bits, as the docker CLI reads them. */
export function pathStatHeader(st: PathStat): string {
  let mode = st.mode & 0o7777 & 0o777;
  const type = st.mode & S_IFMT;
  if (type === S_IFDIR) mode |= 2 ** 31;
  else if (type === S_IFLNK) mode |= 2 ** 27;
  if (st.mode & 0o4000) mode += 2 ** 23;
  if (st.mode & 0o2000) mode += 2 ** 22;
  if (st.mode & 0o1000) mode += 2 ** 20;
  const doc = { name: st.name, size: st.size, mode: mode >>> 0, mtime: new Date(st.mtime * 1000).toISOString(), linkTarget: st.linkTarget };
  return Buffer.from(JSON.stringify(doc)).toString('base64');
}

export function containerSummary(r: ContainerRecord): Record<string, unknown> {
  return {
    Id: r.Id,
    Names: [`/${r.Name}`],
    Image: r.ImageRef,
    ImageID: r.ImageId,
    Command: commandText(r),
    Created: Math.floor(Date.parse(r.Created) / 1000),
    Ports: (r.State.Ports ?? []).map((p) => ({ IP: p.hostIp || '0.0.0.0', PrivatePort: p.containerPort, PublicPort: p.hostPort, Type: p.protocol })),
    Labels: r.Spec.labels ?? {},
    State: r.State.Status,
    Status: statusText(r),
    HostConfig: { NetworkMode: r.Spec.networkMode ?? 'bridge' },
    NetworkSettings: { Networks: networksDocument(r) },
    Mounts: (r.State.MountPoints ?? []).map((m) => ({ Type: m.Type, ...(m.Name ? { Name: m.Name } : {}), Source: m.Source, Destination: m.Destination, Mode: '', RW: m.RW, Propagation: '' })),
  };
}

const LIST_FILTERS = ['status', 'name', 'id', 'label', 'ancestor', 'exited'];
const STATUSES = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];

export function matchesContainer(r: ContainerRecord, f: Map<string, string[]>, imageIdOf: (ref: string) => string | undefined): boolean {
  const any = (k: string, pred: (v: string) => boolean) => !f.get(k)?.length || f.get(k)!.some(pred);
  return any('status', (v) => r.State.Status === v)
    && any('id', (v) => r.Id.startsWith(v))
    && any('name', (v) => { try { return new RegExp(v).test(`/${r.Name}`); } catch { return r.Name.includes(v); } })
    && any('exited', (v) => r.State.Status === 'exited' && String(r.State.ExitCode) === v)
    // Labels AND, as Docker's: compose asks for its project's and its service's label at once.
    && (f.get('label') ?? []).every((v) => matchLabel(r.Spec.labels ?? {}, v))
    && any('ancestor', (v) => r.ImageRef === v || familiarizeString(r.ImageRef) === familiarizeString(v) || r.ImageId === imageIdOf(v) || r.ImageId.slice(7).startsWith(v.replace(/^sha256:/, '')));
}

/** Unset, "", "0": no bound (as the docker CLI sends them). */
function timeParam(ctx: Ctx, name: string): number | undefined {
  const v = ctx.query.get(name);
  if (!v || v === '0') return undefined;
  return parseLogTime(v);
}

export function containerRoutes(r: Router, engine: Engine): void {
  const c = engine.containers;

  r.on('POST', '/containers/create', async (ctx) => {
    const body = await readJson(ctx);
    const spec = specFromDocker(body, ctx.query.get('name') ?? undefined);
    const extra = extraEndpoints(body);
    // A missing network is a 400 here, not the core's 404: on a 404 from create the docker CLI
    // takes the image for missing and pulls it, then fails with a pull error that hides the cause.
    for (const name of [spec.networkMode ?? '', ...extra.map((e) => e.network)]) {
      if (isBuiltinNetworkMode(name)) continue;
      try {
        engine.networks.inspect(name);
      } catch (err) {
        if (isKctlError(err, 'not_found')) throw invalidArgument(err.message, { hint: err.hint });
        throw err;
      }
    }
    const { id, warnings } = await c.create(spec);
    // Further networks of NetworkingConfig are joined before the container can start, as in Docker;
    // a failure undoes the create.
    try {
      for (const e of extra) await engine.networks.connect(e.network, id, { aliases: e.aliases, ip: e.ip });
    } catch (err) {
      await c.remove(id, { force: true }).catch(() => undefined);
      throw err;
    }
    sendJson(ctx, 201, { Id: id, Warnings: warnings });
  });

  r.on('GET', '/containers/json', async (ctx) => {
    const f = qFilters(ctx.query);
    for (const k of f.keys()) if (!LIST_FILTERS.includes(k)) throw invalidArgument(`invalid filter '${k}'`);
    for (const s of f.get('status') ?? []) if (!STATUSES.includes(s)) throw invalidArgument(`invalid filter 'status=${s}'`);
    const limit = qInt(ctx.query, 'limit');
    const all = qBool(ctx.query, 'all') || (limit !== undefined && limit > 0) || f.has('status') || f.has('exited');
    const ancestors = new Map<string, string | undefined>();
    for (const a of f.get('ancestor') ?? []) ancestors.set(a, (await engine.images.find(a))?.id);
    let list = c.list({ all }).filter((rec) => matchesContainer(rec, f, (ref) => ancestors.get(ref)));
    if (limit !== undefined && limit > 0) list = list.slice(0, limit);
    sendJson(ctx, 200, list.map(containerSummary));
  });

  r.on('POST', '/containers/prune', async (ctx) => {
    if (qFilters(ctx.query).size) throw unimplemented('container prune filters (until, label) are not supported yet');
    sendJson(ctx, 200, await c.prune());
  });

  r.on('GET', '/containers/{id}/json', async (ctx) => {
    const rec = c.get(ctx.params[0]);
    const doc = inspectContainer(rec);
    const cfg = doc.Config as Record<string, unknown>;
    cfg.StdinOnce = !!rec.Spec.stdinOnce;
    cfg.AttachStdin = !!rec.Spec.openStdin;
    sendJson(ctx, 200, doc);
  });

  r.on('POST', '/containers/{id}/start', async (ctx) => {
    const rec = c.get(ctx.params[0]);
    if (c.isRunning(rec.Id)) return sendEmpty(ctx, 304);
    try {
      await c.start(rec.Id);
    } catch (err) {
      // Docker removes an AutoRemove container whose start failed: `docker run --rm` waits for that.
      if (rec.Spec.autoRemove) await c.remove(rec.Id, { force: true }).catch(() => undefined);
      throw err;
    }
    sendEmpty(ctx, 204);
  });

  r.on('POST', '/containers/{id}/stop', async (ctx) => {
    const rec = c.get(ctx.params[0]);
    if (!c.isRunning(rec.Id)) return sendEmpty(ctx, 304);
    await c.stop(rec.Id, qInt(ctx.query, 't') ?? qInt(ctx.query, 'timeout'));
    sendEmpty(ctx, 204);
  });

  r.on('POST', '/containers/{id}/restart', async (ctx) => {
    await c.restart(ctx.params[0], qInt(ctx.query, 't') ?? qInt(ctx.query, 'timeout'));
    sendEmpty(ctx, 204);
  });

  r.on('POST', '/containers/{id}/kill', async (ctx) => {
    await c.kill(ctx.params[0], ctx.query.get('signal') || undefined);
    sendEmpty(ctx, 204);
  });

  r.on('POST', '/containers/{id}/pause', async (ctx) => { await c.pause(ctx.params[0]); sendEmpty(ctx, 204); });
  r.on('POST', '/containers/{id}/unpause', async (ctx) => { await c.unpause(ctx.params[0]); sendEmpty(ctx, 204); });

  r.on('POST', '/containers/{id}/rename', async (ctx) => {
    const name = ctx.query.get('name');
    if (!name) throw invalidArgument('a new name is required (name=...)');
    await c.rename(ctx.params[0], name);
    sendEmpty(ctx, 204);
  });

  r.on('DELETE', '/containers/{id}', async (ctx) => {
    if (qBool(ctx.query, 'link')) throw invalidArgument('links are not supported by kctl');
    const rec = c.get(ctx.params[0]);
    await c.remove(rec.Id, { force: qBool(ctx.query, 'force') });
    if (qBool(ctx.query, 'v')) {
      // `rm -v`: the container's anonymous volumes go with it; named ones stay (as Docker).
      for (const m of rec.Spec.mounts ?? []) {
        if (m.type !== 'volume' || !m.source) continue;
        const v = await engine.volumes.get(m.source);
        if (v?.Anonymous) await engine.volumes.remove(v.Name).catch((err) => engine.log.warn('anonymous volume not removed', { volume: v.Name, error: (err as Error).message }));
      }
    }
    sendEmpty(ctx, 204);
  });

  r.on('POST', '/containers/{id}/resize', async (ctx) => {
    const rec = c.get(ctx.params[0]);
    const h = qInt(ctx.query, 'h') ?? 0;
    const w = qInt(ctx.query, 'w') ?? 0;
    if (h < 0 || w < 0 || h > 65535 || w > 65535) throw invalidArgument('invalid terminal size');
    if (!c.isRunning(rec.Id)) throw conflict(`Container ${rec.Id} is not running`);
    const handle = c.attach(rec.Id, { onOutput: () => undefined });
    try { handle.resize(h, w); } finally { handle.detach(); }
    sendEmpty(ctx, 200);
  });

  r.on('POST', '/containers/{id}/wait', async (ctx) => {
    const rec = c.get(ctx.params[0]);
    const cond = ctx.query.get('condition') || 'not-running';
    if (cond !== 'not-running' && cond !== 'next-exit' && cond !== 'removed') throw invalidArgument(`invalid condition: "${cond}"`);
    const res = ctx.res!;
    const ac = new AbortController();
    res.on('close', () => ac.abort());
    const waiting = c.wait(rec.Id, cond, ac.signal);
    // Docker answers the headers now: `docker run` starts the container once the wait is in place.
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    try {
      const code = await waiting;
      let error: { Message: string } | null = null;
      try { const st = c.get(rec.Id).State; if (st.Error) error = { Message: st.Error }; } catch { /* removed */ }
      res.end(JSON.stringify({ Error: error, StatusCode: code }) + '\n');
    } catch (err) {
      if (ac.signal.aborted) return;
      res.end(JSON.stringify({ Error: { Message: dockerMessage(toKctlError(err)) }, StatusCode: -1 }) + '\n');
    }
  });

  r.on('POST', '/containers/{id}/attach', async (ctx) => attach(ctx, engine));

  r.on('GET', '/containers/{id}/logs', async (ctx) => {
    const rec = c.get(ctx.params[0]);
    const stdout = qBool(ctx.query, 'stdout');
    const stderr = qBool(ctx.query, 'stderr');
    if (!stdout && !stderr) throw invalidArgument('Bad parameters: you must choose at least one stream');
    const tailQ = ctx.query.get('tail');
    const tail = tailQ && tailQ !== 'all' ? Number(tailQ) : undefined;
    if (tail !== undefined && (!Number.isInteger(tail) || tail < 0)) throw invalidArgument(`invalid value for tail: ${tailQ}`);
    const since = timeParam(ctx, 'since');
    const until = timeParam(ctx, 'until');
    const timestamps = qBool(ctx.query, 'timestamps');
    const tty = rec.Spec.tty;
    const res = ctx.res!;
    const ac = new AbortController();
    res.on('close', () => ac.abort());
    res.writeHead(200, { 'Content-Type': streamContentType(tty, ctx.apiVersion) });
    res.flushHeaders();
    for await (const e of readLogs(rec.LogPath, {
      stdout, stderr, follow: qBool(ctx.query, 'follow'), tail, since, until,
      isLive: () => c.isRunning(rec.Id), signal: ac.signal,
    })) {
      if (ac.signal.aborted) break;
      const data = Buffer.from(timestamps ? `${e.time} ${e.log}` : e.log, 'utf8');
      if (!res.write(tty ? data : frame(e.stream, data))) {
        await new Promise<void>((resolve) => { res.once('drain', resolve); res.once('close', resolve); });
      }
    }
    res.end();
  });

  const notYet = (what: string) => async () => { throw unimplemented(`${what} is not supported by kctl yet`); };
  r.on('GET', '/containers/{id}/top', async (ctx) => {
    const psArgs = (ctx.query.get('ps_args') ?? '').split(/\s+/).filter(Boolean);
    sendJson(ctx, 200, await topContainer(c, ctx.params[0], psArgs));
  });

  r.on('GET', '/containers/{id}/stats', async (ctx) => {
    const id = c.get(ctx.params[0]).Id;
    if (!c.isRunning(id)) throw conflict(`Container ${id} is not running`);
    const stream = qBool(ctx.query, 'stream', true);
    const oneShot = qBool(ctx.query, 'one-shot');
    const res = ctx.res!;
    let closed = false;
    res.on('close', () => { closed = true; });
    let prev = oneShot ? undefined : await statsSample(c, id);
    if (prev && !closed) await sleep(1000);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    for (;;) {
      if (closed || !c.isRunning(id)) break;
      const cur = await statsSample(c, id);
      res.write(JSON.stringify(statsDoc(cur, prev)) + '\n');
      if (!stream) break;
      prev = cur;
      await sleep(1000);
    }
    res.end();
  });

  r.on('HEAD', '/containers/{id}/archive', async (ctx) => {
    const p = archiveParam(ctx);
    const st = await c.withRootfs(ctx.params[0], (root) => statPath(root, p));
    sendEmpty(ctx, 200, { 'X-Docker-Container-Path-Stat': pathStatHeader(st) });
  });
  r.on('GET', '/containers/{id}/archive', async (ctx) => {
    const p = archiveParam(ctx);
    const res = ctx.res!;
    const ac = new AbortController();
    res.on('close', () => { if (!res.writableFinished) ac.abort(); });
    await c.withRootfs(ctx.params[0], async (root) => {
      const st = await statPath(root, p);
      res.writeHead(200, { 'Content-Type': 'application/x-tar', 'X-Docker-Container-Path-Stat': pathStatHeader(st) });
      try {
        await archivePath(root, p, res, { signal: ac.signal });
        res.end();
      } catch {
        res.destroy(); // a truncated archive, never one that looks complete
      }
    });
  });
  r.on('PUT', '/containers/{id}/archive', async (ctx) => {
    const p = archiveParam(ctx);
    await c.withRootfs(ctx.params[0], (root) => extractInto(root, p, ctx.req, { copyUidGid: qBool(ctx.query, 'copyUIDGID') }));
    sendEmpty(ctx, 200);
  });
  r.on('GET', '/containers/{id}/export', notYet('exporting a container\'s filesystem'));
  r.on('GET', '/containers/{id}/changes', notYet('listing a container\'s filesystem changes (diff)'));
  r.on('POST', '/containers/{id}/update', notYet('changing a container\'s resources (update)'));
  r.on('POST', '/commit', notYet('committing a container to an image'));
}

/**
 * Docker's attach: optionally the logged output first (logs=1), then the live streams (stream=1):
 * now for a running container, from its start for a created one (docker run attaches first).
 */
async function attach(ctx: Ctx, engine: Engine): Promise<void> {
  const c = engine.containers;
  const rec = c.get(ctx.params[0]);
  const want = { stdout: qBool(ctx.query, 'stdout'), stderr: qBool(ctx.query, 'stderr') };
  const stdin = qBool(ctx.query, 'stdin');
  if (!want.stdout && !want.stderr && !stdin) throw invalidArgument('Bad parameters: you must choose at least one stream');
  const tty = rec.Spec.tty;
  const conn = new StreamConn(ctx, streamContentType(tty, ctx.apiVersion));
  const emit = (stream: 'stdout' | 'stderr', data: Buffer) => conn.write(tty ? data : frame(stream, data));

  if (qBool(ctx.query, 'logs')) {
    const ac = new AbortController();
    conn.onClose(() => ac.abort());
    for await (const e of readLogs(rec.LogPath, { stdout: want.stdout, stderr: want.stderr, follow: false, signal: ac.signal })) {
      emit(e.stream, Buffer.from(e.log, 'utf8'));
    }
  }
  if (!qBool(ctx.query, 'stream')) return conn.end();

  const sink: OutputSink = {
    onOutput: (stream, data) => { if (want[stream]) emit(stream, data); },
    onExit: () => conn.end(),
  };
  const handle = c.attachOrWait(rec.Id, sink);
  const onEvent = (e: { action: string; id: string }) => {
    if (e.id === rec.Id && e.action === 'start') conn.input?.resume();
    // Removed while waiting for a start that will never come.
    if (e.id === rec.Id && e.action === 'destroy') conn.end();
  };
  c.on('event', onEvent);
  conn.onClose(() => { handle.detach(); c.off('event', onEvent); });

  const input = conn.input;
  if (!input) return;
  if (!stdin) {
    input.on('data', () => undefined); // keep draining; a client may send nothing or junk
    input.resume();
    input.on('end', () => undefined);
    return;
  }
  input.on('data', (d: Buffer) => {
    // The container's stdin window is bounded: a client that sends faster waits (TCP backpressure).
    if (!handle.write(d)) {
      input.pause();
      handle.onDrain(() => input.resume());
    }
  });
  input.on('end', () => { if (rec.Spec.stdinOnce) handle.closeStdin(); });
  // Input waits for the container's process: stdin sent before the start is not lost.
  if (handle.running()) input.resume();
  else input.pause();
}
