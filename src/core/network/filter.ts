/**
 * Docker's network filters (`network ls --filter`, GET /networks?filters=, `network prune --filter`),
 * one implementation for the gRPC API and the Docker API. The same key given twice ORs (labels: AND),
 * different keys AND; an unknown key or a bad value is an error, as in Docker.
 */
import { invalidArgument } from '../errors.js';
import type { NetworkView } from './service.js';
import { BUILTIN_NETWORKS } from './store.js';
import { matchLabel } from '../util/labels.js';

export type NetworkFilters = Map<string, string[]>;

export const NETWORK_LIST_FILTERS = ['name', 'id', 'label', 'driver', 'type', 'dangling'];
export const NETWORK_PRUNE_FILTERS = ['label'];

/** `key=value` strings (the CLI's --filter, the gRPC contract) into filters, checking the keys. */
export function parseNetworkFilters(list: string[], allowed: string[]): NetworkFilters {
  const out: NetworkFilters = new Map();
  for (const f of list) {
    const i = f.indexOf('=');
    const key = (i < 0 ? f : f.slice(0, i)).trim().toLowerCase();
    if (i < 0) throw invalidArgument(`bad format of filter (expected name=value): ${f}`);
    out.set(key, [...(out.get(key) ?? []), f.slice(i + 1)]);
  }
  checkNetworkFilters(out, allowed);
  return out;
}

export function checkNetworkFilters(f: NetworkFilters, allowed: string[]): void {
  for (const [k, values] of f) {
    if (!allowed.includes(k)) throw invalidArgument(`invalid filter '${k}'`, { hint: `the network filters are: ${allowed.join(', ')}` });
    for (const v of values) {
      if (k === 'type' && v !== 'custom' && v !== 'builtin') throw invalidArgument(`invalid filter: 'type'='${v}'`, { hint: 'use type=custom or type=builtin' });
      if (k === 'dangling' && !['true', 'false', '1', '0'].includes(v)) throw invalidArgument(`invalid filter 'dangling=${v}'`, { hint: 'use dangling=true or dangling=false' });
    }
  }
}


/**
 * Whether a network passes the filters. `inUse`: some container has an endpoint on it (Docker's
 * dangling=false); built-in networks are never dangling.
 */
export function networkMatches(n: NetworkView, f: NetworkFilters, inUse: (n: NetworkView) => boolean): boolean {
  const any = (key: string, test: (v: string) => boolean) => !f.get(key)?.length || f.get(key)!.some(test);
  const builtin = (BUILTIN_NETWORKS as readonly string[]).includes(n.Name); // user networks cannot take these names
  return any('name', (v) => n.Name.includes(v))
    && any('id', (v) => n.Id.startsWith(v))
    && (f.get('label') ?? []).every((v) => matchLabel(n.Labels, v)) // labels AND, as Docker's
    && any('driver', (v) => n.Driver === v)
    && any('type', (v) => (v === 'builtin') === builtin)
    && any('dangling', (v) => (v === 'true' || v === '1') === (!builtin && !inUse(n)));
}
