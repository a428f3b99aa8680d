/**
 * Networks and volumes. kctl's core has neither yet: every container gets its VM's default
 * network, so the API shows one `bridge` network (what `docker run` and compose look up) and no
 * volumes; creating either is refused with 501 rather than pretending.
 */
import { createHash } from 'node:crypto';
import type { Engine } from '../../core/engine.js';
import { KctlError, notFound, unimplemented } from '../../core/errors.js';
import { sendJson, type Router } from './http.js';

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
  void engine;
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

  const noVolumes = 'kctl has no volumes yet';
  r.on('GET', '/volumes', async (ctx) => sendJson(ctx, 200, { Volumes: [], Warnings: [] }));
  r.on('POST', '/volumes/create', async () => { throw unimplemented(`creating volumes is not supported: ${noVolumes}`); });
  r.on('GET', '/volumes/{name}', async (ctx) => { throw notFound(`get ${ctx.params[0]}: no such volume`); });
  r.on('DELETE', '/volumes/{name}', async (ctx) => { throw notFound(`get ${ctx.params[0]}: no such volume`); });
  r.on('POST', '/volumes/prune', async (ctx) => sendJson(ctx, 200, { VolumesDeleted: [], SpaceReclaimed: 0 }));
}
