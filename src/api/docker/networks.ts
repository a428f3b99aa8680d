/**
 * Docker's /networks and /volumes endpoints over the core's network service and volume store.
 * Network documents are the core's (Docker's JSON shape); filters are the core's network filters.
 */
import type { Engine } from '../../core/engine.js';
import { invalidArgument } from '../../core/errors.js';
import { checkNetworkFilters, networkMatches, NETWORK_LIST_FILTERS, NETWORK_PRUNE_FILTERS } from '../../core/network/filter.js';
import { qBool, qFilters, readJson, sendEmpty, sendJson, type Router } from './http.js';
import { endpointRequest, optBool, optString } from './spec.js';
import { matchLabel } from '../../core/util/labels.js';

type Obj = Record<string, unknown>;

/** Decodes POST /networks/create into the core's request. Unknown fields are ignored, as Docker does. */
export function networkCreateRequest(body: Obj) {
  const name = optString(body, 'Name');
  if (!name) throw invalidArgument('network name is required (Name)');
  if (optBool(body, 'EnableIPv6')) throw invalidArgument('IPv6 networks are not supported by kctl (EnableIPv6)');
  if (optBool(body, 'Ingress')) throw invalidArgument('ingress networks are a swarm feature that kctl does not have (Ingress)');
  const scope = optString(body, 'Scope');
  if (scope && scope !== 'local') throw invalidArgument(`network scope "${scope}" is not supported: kctl networks are local`);
  const stringMap = (k: string): Record<string, string> | undefined => {
    const v = body[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) throw invalidArgument(`invalid value for ${k}: an object of strings expected`);
    return v as Record<string, string>;
  };
  let subnet: string | undefined;
  let gateway: string | undefined;
  const ipam = body.IPAM;
  if (ipam !== undefined && ipam !== null) {
    if (typeof ipam !== 'object' || Array.isArray(ipam)) throw invalidArgument('invalid value for IPAM: an object expected');
    const driver = optString(ipam as Obj, 'Driver', 'IPAM.Driver');
    if (driver && driver !== 'default') throw invalidArgument(`IPAM driver "${driver}" is not supported: kctl has only the default one`);
    const config = (ipam as Obj).Config;
    if (config !== undefined && config !== null) {
      if (!Array.isArray(config) || config.some((c) => !c || typeof c !== 'object' || Array.isArray(c))) throw invalidArgument('invalid value for IPAM.Config: a list of objects expected');
      if (config.length > 1) throw invalidArgument('kctl networks have one IPv4 subnet: give one IPAM.Config entry');
      if (config.length === 1) {
        const c = config[0] as Obj;
        subnet = optString(c, 'Subnet', 'IPAM.Config[0].Subnet') || undefined;
        gateway = optString(c, 'Gateway', 'IPAM.Config[0].Gateway') || undefined;
        if (optString(c, 'IPRange', 'IPAM.Config[0].IPRange')) throw invalidArgument('IPAM.Config[0].IPRange (--ip-range) is not supported by kctl yet');
        if (gateway && !subnet) throw invalidArgument('a gateway needs a subnet: give IPAM.Config[0].Subnet too');
      }
    }
  }
  return {
    name,
    driver: optString(body, 'Driver') || undefined,
    subnet,
    gateway,
    internal: optBool(body, 'Internal'),
    attachable: optBool(body, 'Attachable'),
    labels: stringMap('Labels') ?? {},
    options: stringMap('Options'),
  };
}

export function networkVolumeRoutes(r: Router, engine: Engine): void {
  const n = engine.networks;
  const inUse = (id: string) => engine.containers.networkUsers(id).length > 0;
  r.on('GET', '/networks', async (ctx) => {
    const f = qFilters(ctx.query);
    checkNetworkFilters(f, NETWORK_LIST_FILTERS);
    sendJson(ctx, 200, n.list().filter((v) => networkMatches(v, f, (x) => inUse(x.Id))));
  });
  // verbose and scope are accepted: kctl's networks are local and have no swarm services.
  r.on('GET', '/networks/{id}', async (ctx) => sendJson(ctx, 200, n.inspect(ctx.params[0])));
  r.on('POST', '/networks/create', async (ctx) => {
    const rec = await n.create(networkCreateRequest(await readJson(ctx)));
    sendJson(ctx, 201, { Id: rec.Id, Warning: '' });
  });
  r.on('POST', '/networks/{id}/connect', async (ctx) => {
    const body = await readJson(ctx);
    const container = optString(body, 'Container');
    if (!container) throw invalidArgument('a container is required (Container)');
    const ep = endpointRequest(ctx.params[0], body.EndpointConfig, 'EndpointConfig');
    await n.connect(ctx.params[0], container, { aliases: ep.aliases, ip: ep.ip });
    sendEmpty(ctx, 200);
  });
  r.on('POST', '/networks/{id}/disconnect', async (ctx) => {
    const body = await readJson(ctx);
    const container = optString(body, 'Container');
    if (!container) throw invalidArgument('a container is required (Container)');
    await n.disconnect(ctx.params[0], container, { force: optBool(body, 'Force') });
    sendEmpty(ctx, 200);
  });
  r.on('DELETE', '/networks/{id}', async (ctx) => {
    await n.remove(ctx.params[0]);
    sendEmpty(ctx, 204);
  });
  r.on('POST', '/networks/prune', async (ctx) => {
    const f = qFilters(ctx.query);
    checkNetworkFilters(f, NETWORK_PRUNE_FILTERS);
    sendJson(ctx, 200, { NetworksDeleted: await n.prune({ labels: f.get('label') ?? [] }) });
  });

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
      && (f.get('label') ?? []).every((l) => matchLabel(v.Labels ?? {}, l))); // labels AND, as Docker's
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
