import { test } from 'node:test';
import assert from 'node:assert/strict';
import { networkRow, NETWORK_HEADERS, sortByName } from '../../../src/cli/networks.js';
import { renderFormat } from '../../../src/cli/output.js';
import { checkNetworkFilters, networkMatches, NETWORK_LIST_FILTERS, parseNetworkFilters } from '../../../src/core/network/filter.js';
import type { NetworkView } from '../../../src/core/network/service.js';

const view = (name: string, o: Partial<NetworkView> = {}): NetworkView => ({
  Name: name, Id: `${name === 'bridge' ? 'aa' : 'bb'}${'0123456789abcdef'.repeat(4)}`.slice(0, 64), Created: '2026-01-02T03:04:05.678Z', Scope: 'local',
  Driver: 'bridge', EnableIPv6: false, IPAM: { Driver: 'default', Options: {}, Config: name === 'bridge' ? [] : [{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }] },
  Internal: false, Attachable: false, Ingress: false, ConfigFrom: { Network: '' }, ConfigOnly: false, Containers: {}, Options: {}, Labels: {}, ...o,
});

test('network ls rows: 12-character ids unless --no-trunc, Docker\'s field names and column titles', () => {
  const app = view('app', { Labels: { tier: 'back', team: 'x' }, Internal: true });
  const r = networkRow(app, false);
  assert.equal(r.ID, app.Id.slice(0, 12));
  assert.equal(networkRow(app, true).ID, app.Id);
  assert.deepEqual({ ...r, ID: undefined }, {
    ID: undefined, Name: 'app', Driver: 'bridge', Scope: 'local', IPv6: 'false', Internal: 'true', Labels: 'tier=back,team=x',
    CreatedAt: '2026-01-02 03:04:05.678 +0000 UTC',
  });
  const table = renderFormat('table {{.ID}}\t{{.Name}}\t{{.Internal}}', [r], NETWORK_HEADERS);
  assert.deepEqual(table.split('\n')[0].split(/\s{3,}/), ['NETWORK ID', 'NAME', 'INTERNAL']);
  assert.equal(renderFormat('{{.Name}}:{{.Labels}}', [r]), 'app:tier=back,team=x\n');
});

test('network ls lists by name, as Docker', () => {
  assert.deepEqual(sortByName([view('none'), view('web'), view('app'), view('bridge')]).map((n) => n.Name), ['app', 'bridge', 'none', 'web']);
});

test('network filters: name substring, id prefix, labels AND, type custom|builtin, dangling; bad ones refused', () => {
  const bridge = view('bridge', { Driver: 'bridge' });
  const none = view('none', { Driver: 'null', Id: `cc${'0'.repeat(62)}` });
  const app = view('app', { Labels: { tier: 'back', team: 'x' } });
  const used = view('used-net', { Id: `dd${'1'.repeat(62)}` });
  const pick = (...f: string[]) => [bridge, none, app, used]
    .filter((n) => networkMatches(n, parseNetworkFilters(f, NETWORK_LIST_FILTERS), (x) => x.Name === 'used-net')).map((n) => n.Name);
  assert.deepEqual(pick(), ['bridge', 'none', 'app', 'used-net']);
  assert.deepEqual(pick('name=p'), ['app']);
  assert.deepEqual(pick('name=app', 'name=none'), ['none', 'app'], 'the same key ORs');
  assert.deepEqual(pick('id=dd1'), ['used-net']);
  assert.deepEqual(pick('label=tier'), ['app']);
  assert.deepEqual(pick('label=tier=back', 'label=team=x'), ['app']);
  assert.deepEqual(pick('label=tier=back', 'label=team=y'), [], 'labels AND');
  assert.deepEqual(pick('driver=null'), ['none']);
  assert.deepEqual(pick('type=custom'), ['app', 'used-net']);
  assert.deepEqual(pick('type=builtin'), ['bridge', 'none']);
  assert.deepEqual(pick('dangling=true'), ['app']);
  assert.deepEqual(pick('dangling=false'), ['bridge', 'none', 'used-net']);
  assert.deepEqual(pick('type=custom', 'name=used'), ['used-net'], 'different keys AND');
  assert.throws(() => parseNetworkFilters(['colour=red'], NETWORK_LIST_FILTERS), /invalid filter 'colour'/);
  assert.throws(() => parseNetworkFilters(['name'], NETWORK_LIST_FILTERS), /bad format of filter/);
  assert.throws(() => parseNetworkFilters(['type=other'], NETWORK_LIST_FILTERS), /invalid filter: 'type'='other'/);
  assert.throws(() => checkNetworkFilters(new Map([['dangling', ['maybe']]]), NETWORK_LIST_FILTERS), /dangling=maybe/);
});
