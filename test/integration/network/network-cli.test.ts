/**
 * The user-facing surfaces of user-defined networks against a real daemon: `kctl network ...`,
 * `run/create --network NAME --network-alias --ip`, and the same through the docker CLI on kctl's
 * Docker API socket. Containers are created and not started (fast), except one running container
 * that the cases refusing a running VM's NIC change share. Whether containers reach each other by
 * name is the VM side's test (and the compose test's).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { KctlEnv, fixtures, runProgram } from '../helpers/kctl.js';

const IMG = 'kctl.test/busybox:latest';
const DOCKER = '/usr/local/bin/docker';

interface Net { Name: string; Id: string; Driver: string; Internal: boolean; Labels: Record<string, string>; IPAM: { Config: { Subnet: string; Gateway: string }[] }; Containers: Record<string, { Name: string; IPv4Address: string }> }
interface Endpoint { Aliases: string[] | null; IPAMConfig: { IPv4Address: string } | null; NetworkID: string; IPAddress: string }

describe('user-defined networks: CLI and Docker API', () => {
  const env = new KctlEnv('ncli');
  // Unique names, so a leftover of an interrupted run never collides (the root is fresh anyway).
  const u = randomBytes(3).toString('hex');
  const net = `front-${u}`;
  const back = `back-${u}`;
  after(() => env.teardown());

  before(async () => {
    await env.ok(['load', '--input', fixtures().KCTL_FIXTURE_DOCKER_ARCHIVE]);
  });

  const inspectNet = async (name: string): Promise<Net> => JSON.parse(await env.ok(['network', 'inspect', name]))[0];
  const endpoints = async (ctr: string): Promise<Record<string, Endpoint>> => JSON.parse(await env.ok(['inspect', '--format', '{{json .NetworkSettings.Networks}}', ctr]));

  test('network create prints the id; ls, inspect and filters show what was asked for', async () => {
    const id = (await env.ok(['network', 'create', '--label', 'tier=front', '--label', 'team', net])).trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    const id2 = (await env.ok(['network', 'create', '--driver', 'bridge', '--subnet', '10.210.0.0/24', '--gateway', '10.210.0.254', '--internal', '--attachable', back])).trim();

    const table = (await env.ok(['network', 'ls'])).trimEnd().split('\n').map((l) => l.split(/\s{3,}/));
    assert.deepEqual(table[0], ['NETWORK ID', 'NAME', 'DRIVER', 'SCOPE']);
    assert.deepEqual(table.slice(1).map((r) => r[1]), [back, 'bridge', net, 'none'], 'by name, as Docker');
    assert.deepEqual(table.find((r) => r[1] === net), [id.slice(0, 12), net, 'bridge', 'local']);
    assert.deepEqual(table.find((r) => r[1] === 'none')?.slice(2), ['null', 'local']);

    assert.equal(await env.ok(['network', 'ls', '-q', '--filter', 'type=custom', '--filter', 'label=tier=front']), `${id.slice(0, 12)}\n`);
    assert.equal(await env.ok(['network', 'ls', '--no-trunc', '-q', '-f', `name=${back}`]), `${id2}\n`);
    assert.equal(await env.ok(['network', 'ls', '--filter', 'type=builtin', '--format', '{{.Name}} {{.Driver}}']), 'bridge bridge\nnone null\n');
    const bad = await env.run(['network', 'ls', '--filter', 'colour=red']);
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /invalid filter 'colour'/);

    const doc = await inspectNet(net);
    assert.equal(doc.Id, id);
    assert.equal(doc.Driver, 'bridge');
    assert.deepEqual(doc.Labels, { tier: 'front', team: '' });
    assert.equal(doc.IPAM.Config.length, 1);
    const b = await inspectNet(id2.slice(0, 12));
    assert.deepEqual([b.Name, b.Internal, b.IPAM.Config], [back, true, [{ Subnet: '10.210.0.0/24', Gateway: '10.210.0.254' }]]);
    assert.equal(await env.ok(['network', 'inspect', '-f', '{{.Name}}={{range .IPAM.Config}}{{.Subnet}}{{end}}', back, 'bridge']), `${back}=10.210.0.0/24\nbridge=\n`);
  });

  test('Docker\'s errors: duplicate name, pre-defined networks, unknown names, overlapping subnets', async () => {
    const dup = await env.run(['network', 'create', net]);
    assert.equal(dup.code, 125);
    assert.match(dup.stderr, new RegExp(`network with name ${net} already exists`));
    const predefined = await env.run(['network', 'create', 'bridge']);
    assert.match(predefined.stderr, /bridge is a pre-defined network and cannot be created/);
    const overlap = await env.run(['network', 'create', '--subnet', '10.210.0.128/25', `x-${u}`]);
    assert.match(overlap.stderr, /Pool overlaps with other one on this address space/);
    const driver = await env.run(['network', 'create', '--driver', 'overlay', `x-${u}`]);
    assert.match(driver.stderr, /network driver "overlay" is not supported/);

    // rm of several names: each removed name is printed, each failure said, exit 1 (Docker).
    await env.ok(['network', 'create', `gone-${u}`]);
    const rm = await env.run(['network', 'rm', 'bridge', `gone-${u}`, `nosuch-${u}`]);
    assert.equal(rm.code, 1);
    assert.equal(rm.stdout, `gone-${u}\n`);
    assert.match(rm.stderr, /Error response from daemon: bridge is a pre-defined network and cannot be removed/);
    assert.match(rm.stderr, new RegExp(`Error response from daemon: network nosuch-${u} not found`));
    assert.equal((await env.run(['network', 'inspect', `gone-${u}`])).code, 1);
    const forced = await env.run(['network', 'rm', '-f', `gone-${u}`]);
    assert.deepEqual([forced.code, forced.stdout, forced.stderr], [0, '', ''], 'rm -f: a missing network is no error');

    const inspect = await env.run(['network', 'inspect', net, `nosuch-${u}`]);
    assert.equal(inspect.code, 1);
    assert.deepEqual(JSON.parse(inspect.stdout).map((n: Net) => n.Name), [net], 'the documents found are still printed');
  });

  test('run/create --network NAME --network-alias --ip, network connect and disconnect on created containers', async () => {
    const c1 = `c1-${u}`;
    const c2 = `c2-${u}`;
    await env.ok(['create', '-q', '--name', c1, '--network', back, '--network-alias', 'db', '--ip', '10.210.0.50', IMG, 'true']);
    await env.ok(['create', '-q', '--name', c2, IMG, 'true']);
    const e1 = await endpoints(c1);
    assert.deepEqual(Object.keys(e1), [back]);
    assert.equal(e1[back]!.NetworkID, (await inspectNet(back)).Id);
    assert.equal(e1[back]!.Aliases![0], 'db');
    assert.deepEqual(e1[back]!.IPAMConfig, { IPv4Address: '10.210.0.50' });
    assert.equal(await env.ok(['inspect', '-f', '{{.HostConfig.NetworkMode}}', c1]), `${back}\n`);

    const taken = await env.run(['create', '-q', '--network', back, '--ip', '10.210.0.50', IMG, 'true']);
    assert.match(taken.stderr, /Address already in use: 10\.210\.0\.50/);
    const outside = await env.run(['create', '-q', '--network', back, '--ip', '10.9.9.9', IMG, 'true']);
    assert.match(outside.stderr, /invalid address 10\.9\.9\.9/);

    assert.equal(await env.ok(['network', 'connect', '--alias', 'cache', '--ip', '10.210.0.60', back, c2]), '');
    const e2 = await endpoints(c2);
    assert.deepEqual(Object.keys(e2).sort(), [back, 'bridge'].sort());
    assert.equal(e2[back]!.Aliases![0], 'cache');
    assert.deepEqual(e2[back]!.IPAMConfig, { IPv4Address: '10.210.0.60' });
    const again = await env.run(['network', 'connect', back, c2]);
    assert.equal(again.code, 125);
    assert.match(again.stderr, new RegExp(`endpoint with name ${c2} already exists in network ${back}`));
    const toBuiltin = await env.run(['network', 'connect', 'none', c2]);
    assert.match(toBuiltin.stderr, /cannot connect a container to none/);
    assert.match((await env.run(['network', 'connect', `nosuch-${u}`, c2])).stderr, new RegExp(`network nosuch-${u} not found`));
    assert.match((await env.run(['network', 'connect', back, `nosuch-${u}`])).stderr, /No such container/i);

    assert.equal(await env.ok(['network', 'disconnect', back, c2]), '');
    assert.deepEqual(Object.keys(await endpoints(c2)), ['bridge']);
    const notOn = await env.run(['network', 'disconnect', back, c2]);
    assert.match(notOn.stderr, new RegExp(`container ${c2} is not connected to network ${back}`));
  });

  test('run refuses an unknown network, and an alias or --ip without a user-defined network, creating nothing', async () => {
    const before = await env.ok(['ps', '-aq']);
    const unknown = await env.run(['run', '--rm', '-q', '--network', `nosuch-${u}`, IMG, 'true']);
    assert.equal(unknown.code, 125);
    assert.match(unknown.stderr, new RegExp(`network nosuch-${u} not found`));
    assert.match(unknown.stderr, /kctl network create/);
    const alias = await env.run(['run', '--rm', '-q', '--network-alias', 'x', IMG, 'true']);
    assert.equal(alias.code, 125);
    assert.match(alias.stderr, /network-scoped alias is supported only for containers in user defined networks/);
    const ip = await env.run(['create', '-q', '--network', 'bridge', '--ip', '10.0.2.9', IMG, 'true']);
    assert.match(ip.stderr, /user specified IP address is supported on user defined networks only/);
    assert.equal(await env.ok(['ps', '-aq']), before);
  });

  test('a running container: its network lists it, and connect, disconnect and rm are refused with what to do', async () => {
    const r = `run-${u}`;
    await env.ok(['run', '-d', '-q', '--name', r, '--network', net, '--network-alias', 'svc', IMG, 'sleep', '600']);
    const doc = await inspectNet(net);
    const [entry] = Object.values(doc.Containers);
    assert.equal(entry?.Name, r);
    const ip = (await endpoints(r))[net]!.IPAddress;
    assert.equal(entry?.IPv4Address, `${ip}/${doc.IPAM.Config[0]!.Subnet.split('/')[1]}`);

    const connect = await env.run(['network', 'connect', back, r]);
    assert.equal(connect.code, 125);
    assert.match(connect.stderr, new RegExp(`cannot connect running container ${r} to network ${back}: its VM cannot take a new NIC while it runs`));
    assert.match(connect.stderr, /hint: stop it, connect it, and start it again/);
    const disconnect = await env.run(['network', 'disconnect', net, r]);
    assert.match(disconnect.stderr, new RegExp(`cannot disconnect running container ${r} from network ${net}`));
    const rm = await env.run(['network', 'rm', net]);
    assert.equal(rm.code, 1);
    assert.match(rm.stderr, new RegExp(`network ${net} id ${doc.Id} has active endpoints \\(${r}\\)`));

    // dangling=false: in use; prune keeps it.
    assert.ok((await env.ok(['network', 'ls', '--filter', 'dangling=false', '--format', '{{.Name}}'])).split('\n').includes(net));
    await env.ok(['rm', '-f', r]);
  });

  test('network prune asks first, then removes the networks no container refers to', async () => {
    const noTty = await env.run(['network', 'prune']);
    assert.equal(noTty.code, 125);
    assert.match(noTty.stderr, /network prune needs a confirmation and stdin is not a terminal/);
    await env.ok(['network', 'create', '--label', 'keep=1', `keep-${u}`]);
    assert.equal(await env.ok(['network', 'prune', '-f', '--filter', 'label=keep']), `Deleted Networks:\nkeep-${u}\n\n`);
    // `back` still has c1 on it (created, not running): kept. `net` is free since its container went.
    assert.equal(await env.ok(['network', 'prune', '-f']), `Deleted Networks:\n${net}\n\n`);
    assert.equal(await env.ok(['network', 'prune', '-f']), '');
    assert.deepEqual((await env.ok(['network', 'ls', '--format', '{{.Name}}'])).trim().split('\n'), [back, 'bridge', 'none']);
  });

  describe('through the docker CLI on kctl\'s Docker API socket', { skip: fs.existsSync(DOCKER) ? false : `${DOCKER} is not installed` }, () => {
    const docker = (args: string[]) => runProgram(DOCKER, args, { env: env.dockerEnv(), timeoutMs: 60000, what: `docker ${args.join(' ')}` });
    const ok = async (args: string[]) => {
      const r = await docker(args);
      assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    const dn = `dnet-${u}`;

    test('docker network create/ls/inspect/connect/disconnect/rm/prune', async () => {
      const id = (await ok(['network', 'create', '--label', 'by=docker', '--subnet', '10.211.0.0/24', dn])).trim();
      assert.match(id, /^[0-9a-f]{64}$/);
      assert.equal(await ok(['network', 'ls', '-q', '--filter', 'label=by=docker']), `${id.slice(0, 12)}\n`);
      assert.match(await ok(['network', 'ls']), new RegExp(`${id.slice(0, 12)}\\s+${dn}\\s+bridge\\s+local`));
      assert.equal(await ok(['network', 'inspect', '-f', '{{.Id}} {{(index .IPAM.Config 0).Subnet}} {{.Labels}}', dn]), `${id} 10.211.0.0/24 map[by:docker]\n`);
      // kctl and docker see one model.
      assert.equal((await inspectNet(dn)).Id, id);

      const dup = await docker(['network', 'create', dn]);
      assert.notEqual(dup.code, 0);
      assert.match(dup.stderr, new RegExp(`Error response from daemon: network with name ${dn} already exists`));
      const predefined = await docker(['network', 'rm', 'bridge']);
      assert.notEqual(predefined.code, 0);
      assert.match(predefined.stderr, /bridge is a pre-defined network and cannot be removed/);

      const c = `dc-${u}`;
      await ok(['create', '--name', c, '--network', dn, '--network-alias', 'api', '--ip', '10.211.0.7', IMG, 'true']);
      const e = await endpoints(c);
      assert.deepEqual(Object.keys(e), [dn]);
      assert.equal(e[dn]!.Aliases![0], 'api');
      assert.deepEqual(e[dn]!.IPAMConfig, { IPv4Address: '10.211.0.7' });
      await ok(['network', 'connect', '--alias', 'extra', back, c]);
      assert.equal((await endpoints(c))[back]!.Aliases![0], 'extra');
      assert.equal(await ok(['inspect', '-f', '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}', c]), [back, dn].sort().join(' ') + ' \n');
      await ok(['network', 'disconnect', back, c]);
      assert.deepEqual(Object.keys(await endpoints(c)), [dn]);
      const unknown = await docker(['run', '--rm', '--network', `nosuch-${u}`, IMG, 'true']);
      assert.notEqual(unknown.code, 0);
      assert.match(unknown.stderr, new RegExp(`Error response from daemon: network nosuch-${u} not found`));
      assert.doesNotMatch(unknown.stderr, /Unable to find image/, 'a missing network is not taken for a missing image');

      await ok(['rm', c]);
      assert.equal(await ok(['network', 'rm', dn]), `${dn}\n`);
      assert.equal((await docker(['network', 'inspect', dn])).code, 1);
      await ok(['network', 'create', `dprune-${u}`]);
      assert.match(await ok(['network', 'prune', '-f']), new RegExp(`Deleted Networks:\\ndprune-${u}\\n`));
    });
  });

  test('system prune also removes the networks no container refers to, as Docker\'s does', async () => {
    await env.ok(['network', 'create', `sys-${u}`]);
    assert.match(await env.ok(['system', 'prune', '-f']), new RegExp(`^Deleted Networks:\\n(.+\\n)*sys-${u}\\n`, 'm'));
    assert.ok(!(await env.ok(['network', 'ls', '--format', '{{.Name}}'])).split('\n').includes(`sys-${u}`));
  });
});
