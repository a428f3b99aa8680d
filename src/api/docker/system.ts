/** System endpoints: _ping, version, info, events, system/df. */
import os from 'node:os';
import type { Engine } from '../../core/engine.js';
import { DOCKER_API_VERSION, KCTL_VERSION } from '../../core/engine.js';
import { familiarizeString } from '../../core/images/reference.js';
import { invalidArgument } from '../../core/errors.js';
import { parseLogTime } from '../../core/containers/logs.js';
import { MIN_API_VERSION, qFilters, sendJson, type Ctx, type Router } from './http.js';
import { matchLabel } from '../../core/util/labels.js';

export function goArch(machine = os.machine()): string {
  return ({ x86_64: 'amd64', aarch64: 'arm64', armv7l: 'arm', i686: '386', ppc64le: 'ppc64le', s390x: 's390x' } as Record<string, string>)[machine] ?? machine;
}

export interface ManagerEvent {
  type: string;
  action: string;
  id: string;
  exitCode?: number;
  execId?: string;
  oldName?: string;
}

export function systemRoutes(r: Router, engine: Engine): void {
  const ping = async (ctx: Ctx) => {
    const res = ctx.res!;
    res.writeHead(200, {
      'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache, no-store, must-revalidate', Pragma: 'no-cache',
      'API-Version': DOCKER_API_VERSION, 'Docker-Experimental': 'false', OSType: 'linux', 'Content-Length': '2',
    });
    res.end(ctx.req.method === 'HEAD' ? undefined : 'OK');
  };
  r.on('GET', '/_ping', ping);

  r.on('GET', '/version', async (ctx) => {
    const v = await engine.version();
    const details = { ApiVersion: DOCKER_API_VERSION, MinAPIVersion: MIN_API_VERSION, Os: 'linux', Arch: goArch(), KernelVersion: os.release(), GitCommit: '', GoVersion: `node ${process.version}`, Experimental: 'false' };
    sendJson(ctx, 200, {
      Platform: { Name: 'kctl (QEMU microVM per container)' },
      Components: [
        { Name: 'Engine', Version: KCTL_VERSION, Details: details },
        { Name: 'qemu', Version: v.hypervisorVersion, Details: { Machine: 'microvm' } },
      ],
      Version: KCTL_VERSION,
      ApiVersion: DOCKER_API_VERSION,
      MinAPIVersion: MIN_API_VERSION,
      GitCommit: '',
      GoVersion: `node ${process.version}`,
      Os: 'linux',
      Arch: goArch(),
      KernelVersion: os.release(),
      BuildTime: '',
    });
  });

  r.on('GET', '/info', async (ctx) => {
    // Docker's Info.Isolation is a string (a Windows isolation mode); kctl's facts go under KctlIsolation.
    const { Isolation, ...info } = await engine.info();
    sendJson(ctx, 200, { ...info, Isolation: '', KctlIsolation: Isolation });
  });
  r.on('GET', '/system/df', async (ctx) => sendJson(ctx, 200, await engine.diskUsage()));

  // Names of containers by id, so events of a removed container still carry its name and image.
  const known = new Map<string, { name: string; image: string; labels: Record<string, string> }>();
  const remember = (id: string) => {
    try {
      const rec = engine.containers.get(id);
      const v = { name: rec.Name, image: rec.ImageRef, labels: rec.Spec.labels ?? {} };
      known.set(id, v);
      return v;
    } catch {
      return known.get(id);
    }
  };
  for (const rec of engine.containers.list({ all: true })) remember(rec.Id);
  engine.containers.on('event', (e: ManagerEvent) => {
    if (e.type !== 'container') return;
    remember(e.id);
    if (e.action === 'destroy') setTimeout(() => known.delete(e.id), 60_000).unref();
  });

  r.on('GET', '/events', async (ctx) => {
    const f = qFilters(ctx.query);
    const sinceQ = ctx.query.get('since');
    const untilQ = ctx.query.get('until');
    const until = untilQ ? parseLogTime(untilQ) : undefined;
    if (sinceQ) parseLogTime(sinceQ); // validated; kctl keeps no event history, so only new events follow
    for (const k of f.keys()) {
      if (!['type', 'event', 'container', 'image', 'label', 'scope'].includes(k)) throw invalidArgument(`invalid filter '${k}'`);
    }
    const res = ctx.res!;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    const onEvent = (e: ManagerEvent) => {
      const doc = eventDoc(e, remember(e.id));
      if (doc && matchesEvent(doc, f)) res.write(JSON.stringify(doc) + '\n');
    };
    const stop = () => {
      engine.containers.off('event', onEvent);
      clearTimeout(timer);
      if (!res.writableEnded) res.end();
    };
    engine.containers.on('event', onEvent);
    res.on('close', stop);
    const timer = until !== undefined ? setTimeout(stop, Math.max(0, until - Date.now())) : undefined;
  });
}

export interface EventDoc {
  status: string;
  id: string;
  from: string;
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  time: number;
  timeNano: number;
}

/** Docker's event document for a container manager event. */
export function eventDoc(e: ManagerEvent, c: { name: string; image: string; labels: Record<string, string> } | undefined, now = Date.now()): EventDoc | undefined {
  if (e.type !== 'container') return undefined;
  const image = c ? familiarizeString(c.image) : '';
  const attrs: Record<string, string> = { ...(c?.labels ?? {}), image, name: c?.name ?? '' };
  if (e.exitCode !== undefined) attrs.exitCode = String(e.exitCode);
  if (e.execId) attrs.execID = e.execId;
  if (e.oldName) attrs.oldName = `/${e.oldName}`;
  const action = e.action === 'exec_start' && e.execId ? 'exec_start' : e.action;
  return {
    status: action, id: e.id, from: image, Type: 'container', Action: action,
    Actor: { ID: e.id, Attributes: attrs }, scope: 'local',
    time: Math.floor(now / 1000), timeNano: now * 1e6,
  };
}

export function matchesEvent(d: EventDoc, f: Map<string, string[]>): boolean {
  const any = (k: string, pred: (v: string) => boolean) => !f.has(k) || f.get(k)!.length === 0 || f.get(k)!.some(pred);
  return any('type', (v) => v === d.Type)
    && any('event', (v) => v === d.Action)
    && any('scope', (v) => v === 'local')
    && any('container', (v) => d.id.startsWith(v) || d.Actor.Attributes.name === v)
    && any('image', (v) => d.from === v || d.from === familiarizeString(v))
    && (f.get('label') ?? []).every((v) => matchLabel(d.Actor.Attributes, v)); // labels AND, as Docker's
}
