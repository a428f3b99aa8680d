import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RootLayout } from '../../../src/core/paths.js';
import { macForIp, NetworkStore, parseCidr } from '../../../src/core/network/store.js';
import { planContainerIO } from '../../../src/core/network/plan.js';
import { decodeSpec, encodeSpec } from '../../../src/core/agent/protocol.js';
import { isKctlError } from '../../../src/core/errors.js';

function tmpStore(reserved: string[] = ['10.0.2.0/24']): { store: NetworkStore; root: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'knet-'));
  return { store: new NetworkStore(new RootLayout(root), () => reserved), root };
}

test('network create: Docker name rules, unique names, pre-defined names refused, default pools in order', async (t) => {
  const { store, root } = tmpStore();
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  await store.load();
  const a = await store.create({ name: 'front' });
  assert.equal(a.Subnet, '172.18.0.0/16');
  assert.equal(a.Gateway, '172.18.0.1');
  assert.match(a.Id, /^[0-9a-f]{64}$/);
  assert.equal((await store.create({ name: 'back' })).Subnet, '172.19.0.0/16');
  await assert.rejects(store.create({ name: 'front' }), (e) => isKctlError(e, 'conflict') && /already exists/.test(e.message));
  for (const n of ['bridge', 'none', 'host']) await assert.rejects(store.create({ name: n }), (e) => isKctlError(e, 'permission_denied'), n);
  for (const n of ['', '-x', 'a b', 'x/y']) await assert.rejects(store.create({ name: n }), (e) => isKctlError(e, 'invalid_argument'), n);
  await assert.rejects(store.create({ name: 'mac', driver: 'macvlan' }), /not supported/);

  // Explicit subnets: overlap with another network or with the VMs' own NAT is refused.
  const c = await store.create({ name: 'custom', subnet: '192.168.77.9/24', gateway: '192.168.77.254' });
  assert.equal(c.Subnet, '192.168.77.0/24', 'host bits are cleared');
  assert.equal(c.Gateway, '192.168.77.254');
  await assert.rejects(store.create({ name: 'o1', subnet: '172.18.5.0/24' }), (e) => isKctlError(e, 'conflict'));
  await assert.rejects(store.create({ name: 'o2', subnet: '10.0.0.0/8' }), /NAT/);
  await assert.rejects(store.create({ name: 'o3', subnet: '10.9.0.0/24', gateway: '10.9.1.1' }), /not a host address/);
  await assert.rejects(store.create({ name: 'o4', subnet: '10.9.0.0/31' }), /prefix/);

  // Records survive a reload (a restarted daemon), and lookups go by id, name and unique prefix.
  const again = new NetworkStore(new RootLayout(root));
  await again.load();
  assert.deepEqual(again.list().map((n) => n.Name), ['front', 'back', 'custom']);
  assert.equal(again.get(a.Id.slice(0, 6)).Name, 'front');
  assert.equal(again.get('back').Id, store.get('back').Id);
  assert.throws(() => again.get('nope'), (e) => isKctlError(e, 'not_found'));
  await again.remove(a.Id);
  assert.equal(again.find('front'), undefined);
  assert.equal(fs.existsSync(again.networkDir(a.Id)), false);
});

test('address allocation: lowest free host address, the gateway and broadcast never, --ip checked', async (t) => {
  const { store, root } = tmpStore();
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  await store.load();
  const n = await store.create({ name: 'small', subnet: '10.50.0.0/29' }); // hosts .1-.6, gateway .1
  const used = new Set<string>();
  const got: string[] = [];
  for (let i = 0; i < 5; i++) {
    const ip = store.allocate(n, used);
    used.add(ip);
    got.push(ip);
  }
  assert.deepEqual(got, ['10.50.0.2', '10.50.0.3', '10.50.0.4', '10.50.0.5', '10.50.0.6']);
  assert.throws(() => store.allocate(n, used), (e) => isKctlError(e, 'resource_exhausted'));
  used.delete('10.50.0.4');
  assert.equal(store.allocate(n, used), '10.50.0.4', 'a freed address is reused');
  assert.throws(() => store.allocate(n, used, '10.50.0.3'), (e) => isKctlError(e, 'conflict'));
  for (const bad of ['10.50.0.1', '10.50.0.7', '10.50.0.0', '10.60.0.2', 'x']) assert.throws(() => store.allocate(n, new Set(), bad), (e) => isKctlError(e, 'invalid_argument'), bad);
  const ep = store.endpoint(n, '10.50.0.2', ['web', 'web', 'www']);
  assert.equal(ep.MacAddress, '02:42:0a:32:00:02');
  assert.deepEqual(ep.Aliases, ['web', 'www']);
  assert.equal(ep.IPPrefixLen, 29);
  assert.equal(macForIp('172.18.0.3'), '02:42:ac:12:00:03');
  assert.deepEqual(parseCidr('172.18.9.9/16'), { base: 0xac120000, prefix: 16, cidr: '172.18.0.0/16' });
});

test('plan: a user-network container gets the NAT NIC first, then one switch NIC per network, and peers in /etc/hosts', async () => {
  const ep = { NetworkID: 'n'.repeat(64), NetworkName: 'app', EndpointID: 'e', IPAddress: '172.18.0.3', IPPrefixLen: 16, Gateway: '172.18.0.1', MacAddress: '02:42:ac:12:00:03', Aliases: ['api'] };
  const plan = await planContainerIO({
    id: 'abcdef012345', hostname: 'abcdef012345', name: 'client', networkMode: 'app', publish: [], mounts: [], dns: [], extraHosts: [],
    endpoints: [ep], peers: [{ ip: '172.18.0.2', names: ['web', 'www', '0123456789ab'] }],
  }, { subnet: '10.0.2.0/24', daemonDns: ['192.0.2.53'] });
  assert.equal(plan.nics.length, 2);
  assert.ok(plan.nics[0]!.passt, 'eth0 is the NAT (passt)');
  assert.deepEqual(plan.nics[1], { mac: '02:42:ac:12:00:03' });
  assert.deepEqual(plan.endpointNics, [1]);
  assert.deepEqual(plan.agent.netIfs, [{ mac: '02:42:ac:12:00:03', address: '172.18.0.3/16' }]);
  assert.equal(plan.ip, '172.18.0.3');
  const hosts = plan.agent.files.find((f) => f.target === '/etc/hosts')!.content;
  assert.match(hosts, /^172\.18\.0\.2\tweb www 0123456789ab$/m);
  assert.match(hosts, /^172\.18\.0\.3\tabcdef012345 client api$/m);

  // Only internal networks: no NAT NIC, and ports cannot be published.
  const internal = await planContainerIO({
    id: 'abcdef012345', hostname: 'h', name: 'c', networkMode: 'app', publish: [], mounts: [], dns: [], extraHosts: [], endpoints: [ep], internal: true,
  }, { subnet: '10.0.2.0/24', daemonDns: [] });
  assert.deepEqual(internal.nics, [{ mac: '02:42:ac:12:00:03' }]);
  assert.equal(internal.agent.net, undefined);
  await assert.rejects(planContainerIO({
    id: 'abcdef012345', hostname: 'h', name: 'c', networkMode: 'app', mounts: [], dns: [], extraHosts: [], endpoints: [ep], internal: true,
    publish: [{ containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: 8080 }],
  }, { subnet: '10.0.2.0/24', daemonDns: [] }), /cannot publish/);
});

test('agent NET_IF records round-trip and are bounded', () => {
  const base = { args: ['true'], env: [], cwd: '/', user: '', tty: false, stdin: false, hostname: 'h', rootfsTag: 'rootfs' };
  const netIfs = [{ mac: '02:42:ac:12:00:03', address: '172.18.0.3/16' }, { mac: '02:42:ac:13:00:02', address: '172.19.0.2/16' }];
  assert.deepEqual(decodeSpec(encodeSpec({ ...base, netIfs }, true), true).netIfs, netIfs);
  assert.throws(() => encodeSpec({ ...base, netIfs: [{ mac: 'zz', address: '1.2.3.4/8' }] }, true), /invalid network interface/);
  assert.throws(() => encodeSpec({ ...base, netIfs: Array.from({ length: 9 }, () => netIfs[0]!) }, true), /more than 8/);
});
