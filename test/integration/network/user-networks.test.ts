/**
 * User-defined networks end to end with real microVMs: containers on one network reach each other
 * by name, alias and short id through the network's switch (kctl-netswitch) and their /etc/hosts
 * follows peers that come and go; two networks are isolated from each other; the switch runs
 * sandboxed, is replaced and re-attached when it dies, and `network rm` refuses while containers
 * run and stops it when they are gone. Three VMs are shared by all cases (TCG boots cost seconds).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { KctlEnv, eventually, fixtures, processesUnder } from '../helpers/kctl.js';

const IMG = 'kctl.test/busybox:latest';
const HTTPD = ['sh', '-c', 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www'];

function switchPids(root: string): number[] {
  return processesUnder(root).filter((p) => {
    try { return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0')[1] === 'serve'; } catch { return false; }
  });
}

describe('user-defined networks', () => {
  const env = new KctlEnv('unet');
  const ip: Record<string, string> = {};
  after(() => env.teardown());

  before(async () => {
    await env.ok(['load', '--input', fixtures().KCTL_FIXTURE_DOCKER_ARCHIVE]);
    await env.ok(['network', 'create', 'front']);
    await env.ok(['network', 'create', '--subnet', '10.77.0.0/24', 'back']);
    await env.ok(['run', '-d', '-q', '--name', 'web', '--hostname', 'webhost', '--network', 'front', '--network-alias', 'www', IMG, ...HTTPD]);
    await env.ok(['run', '-d', '-q', '--name', 'client', '--network', 'front', IMG, 'sleep', '3600']);
    await env.ok(['run', '-d', '-q', '--name', 'other', '--network', 'back', '--ip', '10.77.0.50', IMG, 'sleep', '3600']);
    for (const c of ['web', 'client', 'other']) {
      const doc = JSON.parse(await env.ok(['inspect', c]))[0];
      const nets = doc.NetworkSettings.Networks;
      const name = c === 'other' ? 'back' : 'front';
      assert.deepEqual(Object.keys(nets), [name], `${c} is only on ${name}`);
      ip[c] = nets[name].IPAddress;
    }
  });

  test('containers on one network reach each other by name, alias and short id; inspect shows the endpoints', async () => {
    assert.match(ip.web!, /^172\.\d+\.0\.2$/);
    assert.equal(ip.other, '10.77.0.50', '--ip is honoured');
    const webId = (await env.ok(['inspect', '-f', '{{.Id}}', 'web'])).trim();
    for (const name of ['web', 'www', webId.slice(0, 12)]) {
      assert.equal(await env.ok(['exec', 'client', 'wget', '-qO-', `http://${name}:8080/`]), 'webhost\n', name);
    }
    const hosts = await env.ok(['exec', 'client', 'cat', '/etc/hosts']);
    assert.match(hosts, new RegExp(`^${ip.web!.replace(/\./g, '\\.')}\\tweb www ${webId.slice(0, 12)}$`, 'm'));
    const doc = JSON.parse(await env.ok(['inspect', 'web']))[0].NetworkSettings.Networks.front;
    assert.deepEqual(doc.Aliases, ['www', webId.slice(0, 12)]);
    assert.equal(doc.MacAddress, `02:42:${ip.web!.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join(':')}`);
    const net = JSON.parse(await env.ok(['network', 'inspect', 'front']))[0];
    assert.deepEqual(Object.values(net.Containers as Record<string, { Name: string }>).map((c) => c.Name).sort(), ['client', 'web']);
    // The VM keeps its own NAT on eth0 and reaches the outside through it, as a Docker container does.
    const route = await env.ok(['exec', 'client', 'ip', 'route']);
    assert.match(route, /^default via \S+ dev eth0/m);
  });

  test('a peer that starts later appears in /etc/hosts of running containers, and leaves it when it stops', async () => {
    await env.ok(['run', '-d', '-q', '--name', 'late', '--network', 'front', '--network-alias', 'db', IMG, ...HTTPD]);
    await eventually('db in client\'s /etc/hosts', async () => /\tlate db /.test(await env.ok(['exec', 'client', 'cat', '/etc/hosts'])) || undefined);
    const lateHost = (await env.ok(['inspect', '-f', '{{.Config.Hostname}}', 'late'])).trim();
    assert.equal(await env.ok(['exec', 'client', 'wget', '-qO-', 'http://db:8080/']), `${lateHost}\n`);
    await env.ok(['rm', '-f', 'late']);
    await eventually('late gone from client\'s /etc/hosts', async () => !/\tlate /.test(await env.ok(['exec', 'client', 'cat', '/etc/hosts'])) || undefined);
  });

  test('two networks are isolated: a container on one cannot reach a container on the other', async () => {
    assert.equal((await env.run(['exec', 'other', 'ping', '-c', '1', '-W', '2', ip.web!])).code, 1, 'other pinged web across networks');
    const names = await env.run(['exec', 'other', 'sh', '-c', 'grep -c web /etc/hosts']);
    assert.equal(names.stdout.trim(), '0', 'web is not in the other network\'s /etc/hosts');
    // The control: on its own network the same probe works.
    assert.equal((await env.run(['exec', 'client', 'ping', '-c', '1', '-W', '5', ip.web!])).code, 0);
  });

  test('the switch runs sandboxed: unprivileged, no_new_privs, seccomp, a 0600 control socket', async () => {
    const pids = switchPids(env.root);
    assert.equal(pids.length, 2, 'one switch per network in use');
    for (const pid of pids) {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      assert.match(status, /^Uid:\s+65534\s/m);
      assert.match(status, /^NoNewPrivs:\s+1$/m);
      assert.match(status, /^Seccomp:\s+2$/m);
      assert.equal(fs.readlinkSync(`/proc/${pid}/root`).startsWith(path.join(env.root, 'networks')), true, 'chrooted into its network directory');
    }
    for (const d of fs.readdirSync(path.join(env.root, 'networks'))) {
      assert.equal(fs.statSync(path.join(env.root, 'networks', d, 'ctl.sock')).mode & 0o777, 0o600);
    }
  });

  test('a switch that dies is replaced and every running container re-attached at the next start on its network', async () => {
    const before = switchPids(env.root);
    const front = JSON.parse(await env.ok(['network', 'inspect', 'front']))[0].Id as string;
    const info = JSON.parse(fs.readFileSync(path.join(env.root, 'networks', front.slice(0, 12), 'switch.json'), 'utf8'));
    process.kill(info.pid, 'SIGKILL');
    await eventually('the switch is gone', () => (switchPids(env.root).length === before.length - 1) || undefined);
    assert.notEqual((await env.run(['exec', 'client', 'ping', '-c', '1', '-W', '1', ip.web!])).code, 0, 'no path without the switch');
    await env.ok(['run', '--rm', '-q', '--network', 'front', IMG, 'true']);
    assert.equal(switchPids(env.root).length, before.length);
    assert.equal(await env.ok(['exec', 'client', 'wget', '-qO-', 'http://web:8080/']), 'webhost\n');
  });

  test('network rm refuses while containers run, then stops the switch; nothing is left behind', async () => {
    const r = await env.run(['network', 'rm', 'back']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /has active endpoints/);
    await env.ok(['rm', '-f', 'other']);
    await env.ok(['network', 'rm', 'back']);
    assert.equal(switchPids(env.root).length, 1, 'the switch of back is gone');
    const ls = await env.ok(['network', 'ls', '--format', '{{.Name}}']);
    assert.deepEqual(ls.split('\n').filter(Boolean).sort(), ['bridge', 'front', 'none']);
    await env.ok(['rm', '-f', 'web', 'client']);
    await env.ok(['network', 'rm', 'front']);
    assert.deepEqual(switchPids(env.root), []);
    assert.deepEqual(fs.readdirSync(path.join(env.root, 'networks')), []);
  });
});
