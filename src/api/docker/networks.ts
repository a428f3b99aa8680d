/**
 * Networks and volumes. Volumes are the core's local volumes. kctl has no user-defined networks
 * yet: every container gets its own VM's NAT (`bridge`) or none, so the API shows the one `bridge`
 * network (what `docker run` and compose look up) and refuses to create others with 501.
 */
import { createHash } from 'node:crypto';
import type { Engine } from '../../core/engine.js';
import { invalidArgument, KctlError, notFound, unimplemented } from '../../core/errors.js';
import { qBool, qFilters, readJson, sendEmpty, sendJson, type Router } from './http.js';
import { optString } from './spec.js';

const BRIDGE_ID = createHash('sha256').update('kctl default network').digest('hex');

export function bridgeNetwork(created: string): Record<string, unknown> {
  return {
    Name: 'bridge', Id: BRIDGE_ID, Created: created, Scope: 'local', Driver: 'bridge', EnableIPv6: false,
    IPAM: { Driver: 'default', Options: null, Config: [] }, Internal: false, Attachable: false, Ingress: false,
    ConfigFrom: { Network: '' }, ConfigOnly: false, Containers: {}, Options: {}, Labels: {},
  };
}

export function networkVolumeRoutes(r: Router, engine: Engine): void {
  const started = new Date().toISOString();
  const noNetworks = 'kctl has only its default network for now: every container reaches the outside through its own VM';
  r.on('GET', '/networks', async (ctx) => sendJson(ctx, 200, [bridgeNetwork(started)]));
  r.on('GET', '/networks/{id}', async (ctx) => {
    const id = ctx.params[0];
    if (id !== 'bridge' && id !== 'default' && !(id.length >= 3 && BRIDGE_ID.startsWith(id))) throw notFound(`network ${id} not found`);
    sendJson(ctx, 200, bridgeNetwork(started));
  });
  r.on('POST', '/networks/create', async () => { throw unimplemented(`creating networks is not supported yet: ${noNetworks}`); });
  r.on('POST', '/networks/{id}/connect', async () => { throw unimplemented(`connecting networks is not supported yet: ${noNetworks}`); });
  r.on('POST', '/networks/{id}/disconnect', async () => { throw unimplemented(`disconnecting networks is not supported yet: ${noNetworks}`); });
  r.on('DELETE', '/networks/{id}', async (ctx) => {
    const id = ctx.params[0];
    if (id === 'bridge' || BRIDGE_ID.startsWith(id)) throw new KctlError('permission_denied', 'bridge is a pre-defined network and cannot be removed');
    throw notFound(`network ${id} not found`);
  });
  r.on('POST', '/networks/prune', async (ctx) => sendJson(ctx, 200, { NetworksDeleted: [] }));

  const volumes = engine.volumes;
  const volumeDoc = (v: Awaited<ReturnType<typeof volumes.inspect>>) => ({
    Name: v.Name, Driver: v.Driver, Mountpoint: v.Mountpoint, CreatedAt: v.CreatedAt, Labels: v.Labels ?? {},
    Scope: v.Scope, Options: v.Options ?? {}, UsageData: null,
  });
  r.on('GET', '/volumes', async (ctx) => {
    const f = qFilters(ctx.query);
    for (const k of f.keys()) if (!['name', 'dangling', 'label', 'driver'].includes(k)) throw invalidArgument(`invalid filter '${k}'`);
    const any = (k: string, pred: (v: string) => boolean) => !f.get(k)?.length || f.get(k)!.some(pred);
    const list = (await volumes.list()).filter((v) => any('name', (n) => v.Name.includes(n))
      && any('driver', (d) => d === v.Driver)
      && any('dangling', (d) => (d === 'true' || d === '1') === (engine.containers.volumeUsers(v.Name).length === 0))
      && any('label', (l) => { const i = l.indexOf('='); return i < 0 ? l in (v.Labels ?? {}) : v.Labels?.[l.slice(0, i)] === l.slice(i + 1); }));
    sendJson(ctx, 200, { Volumes: list.map(volumeDoc), Warnings: [] });
  });
  r.on('POST', '/volumes/create', async (ctx) => {
    const body = await readJson(ctx);
    const driver = optString(body, 'Driver') ?? '';
    if (driver && driver !== 'local') throw invalidArgument(`volume driver "${driver}" is not supported: kctl has only the local driver`);
    const opts = body.DriverOpts;
    if (opts && typeof opts === 'object' && Object.keys(opts).length) throw invalidArgument('volume driver options are not supported by the local driver of kctl');
    const labels = body.Labels ?? {};
    if (typeof labels !== 'object' || Array.isArray(labels) || Object.values(labels as object).some((v) => typeof v !== 'string')) throw invalidArgument('invalid value for Labels: an object of strings expected');
    sendJson(ctx, 201, volumeDoc(await volumes.create(optString(body, 'Name') ?? '', labels as Record<string, string>)));
  });
  r.on('POST', '/volumes/prune', async (ctx) => {
    const f = qFilters(ctx.query);
    const all = f.get('all')?.some((v) => v === 'true' || v === '1') ?? false;
    const out = await volumes.prune({ all });
    sendJson(ctx, 200, { VolumesDeleted: out.removed, SpaceReclaimed: out.reclaimedBytes });
  });
  r.on('GET', '/volumes/{name}', async (ctx) => sendJson(ctx, 200, volumeDoc(await volumes.inspect(ctx.params[0]))));
  r.on('DELETE', '/volumes/{name}', async (ctx) => {
    await volumes.remove(ctx.params[0], { force: qBool(ctx.query, 'force') });
    sendEmpty(ctx, 204);
  });
}
