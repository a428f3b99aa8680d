/** `kctl network ls`: Docker's rows and column titles for a list of network documents. */
import type { NetworkView } from '../core/network/service.js';
import { shortId } from './output.js';

/** The fields `network ls --format` sees, named as Docker's names them. */
export function networkRow(n: NetworkView, noTrunc: boolean) {
  return {
    ID: noTrunc ? n.Id : shortId(n.Id),
    Name: n.Name,
    Driver: n.Driver,
    Scope: n.Scope,
    IPv6: String(n.EnableIPv6),
    Internal: String(n.Internal),
    Labels: Object.entries(n.Labels ?? {}).map(([k, v]) => `${k}=${v}`).join(','),
    CreatedAt: new Date(n.Created).toISOString().replace('T', ' ').replace(/Z$/, ' +0000 UTC'),
  };
}

export const NETWORK_HEADERS: Record<string, string> = { ID: 'NETWORK ID', Name: 'NAME', Driver: 'DRIVER', Scope: 'SCOPE', IPv6: 'IPV6', Internal: 'INTERNAL', Labels: 'LABELS', CreatedAt: 'CREATED AT' };

/** Docker lists networks by name. */
export function sortByName<T extends { Name: string }>(list: T[]): T[] {
  return [...list].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
}
