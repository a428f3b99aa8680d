/**
 * Container networking end to end with real microVMs and passt: published ports (nginx behind
 * `-p`), `kctl port`, ps and inspect, the guest's /etc files, --network none, no path to the
 * host's loopback, and clean failures (bad specs, a port in use) that leave nothing behind.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { KctlEnv, fixtures, processesUnder } from '../helpers/kctl.js';

const IMG = 'kctl.test/busybox:latest';
const NGINX = 'kctl.test/nginx:latest';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** Polls until the URL answers (the guest's server needs a moment under TCG); bounded. */
async function getWhenUp(url: string, timeoutMs = 60_000): Promise<{ status: number; body: string }> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      return await get(url);
    } catch (err) {
      last = err;
      await sleep(250);
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms: ${String(last)}`);
}

function serve(host: string, token: string): Promise<http.Server> {
  return new Promise((resolve, reject) => {
    const s = http.createServer((_req, res) => res.end(token));
    s.once('error', reject);
    s.listen(0, host, () => resolve(s));
  });
}

function passtCount(root: string): number {
  return processesUnder(root).filter((p) => {
    try { return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').startsWith('/usr/bin/passt'); } catch { return false; }
  }).length;
}

describe('container networks', () => {
  const env = new KctlEnv('net');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kctl-net-'));
  const servers: http.Server[] = [];
  let webPort = 0;
  after(async () => {
    for (const s of servers) s.close();
    await env.teardown();
    fs.rmSync(work, { recursive: true, force: true });
  });

  before(async () => {
    const f = fixtures({ nginx: true });
    await env.ok(['load', '--input', f.KCTL_FIXTURE_DOCKER_ARCHIVE]);
    const archive = path.join(work, 'nginx.tar');
    execFileSync('skopeo', ['copy', '-q', `oci:${f.KCTL_FIXTURE_NGINX}`, `docker-archive:${archive}:${NGINX}`]);
    await env.ok(['load', '--input', archive]);
    webPort = await freePort();
    await env.ok(['run', '--detach', '--quiet', '--name', 'web', '-p', `${webPort}:80`, NGINX]);
  });

  test('kctl run -d -p PORT:80 nginx serves the welcome page on the host; port, ps and inspect show the mapping', async () => {
    const r = await getWhenUp(`http://127.0.0.1:${webPort}/`);
    assert.equal(r.status, 200);
    assert.match(r.body, /Welcome to nginx/);
    assert.equal(await env.ok(['port', 'web']), `80/tcp -> 0.0.0.0:${webPort}\n`);
    assert.equal(await env.ok(['port', 'web', '80/tcp']), `0.0.0.0:${webPort}\n`);
    const missing = await env.run(['port', 'web', '81']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /No public port '81\/tcp'/);
    assert.match(await env.ok(['ps', '--filter', 'name=web']), new RegExp(`0\\.0\\.0\\.0:${webPort}->80/tcp`));
    const doc = JSON.parse(await env.ok(['inspect', 'web']))[0];
    assert.deepEqual(doc.NetworkSettings.Ports, { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: String(webPort) }] });
    assert.deepEqual(doc.HostConfig.PortBindings, { '80/tcp': [{ HostIp: '', HostPort: String(webPort) }] });
    assert.match(doc.NetworkSettings.IPAddress, /^\d+\.\d+\.\d+\.\d+$/);
  });

  test('a host port already in use is refused before the VM starts, leaving no VM or passt behind', async () => {
    const vmsBefore = fs.readdirSync(path.join(env.root, 'vms')).length;
    const passtBefore = passtCount(env.root);
    const r = await env.run(['run', '--rm', '-q', '-p', `${webPort}:80`, IMG, 'true']);
    assert.equal(r.code, 125, r.stderr);
    assert.match(r.stderr, new RegExp(`0\\.0\\.0\\.0:${webPort}/tcp failed: port is already allocated`));
    assert.equal(fs.readdirSync(path.join(env.root, 'vms')).length, vmsBefore, 'no VM directory left');
    assert.equal(passtCount(env.root), passtBefore, 'no passt left');
    assert.equal((await get(`http://127.0.0.1:${webPort}/`)).status, 200, 'the running container keeps its port');
  });

  test('invalid port specs are refused with a clear message and create nothing', async () => {
    const before = (await env.ok(['ps', '-aq'])).split('\n').filter(Boolean).length;
    for (const [spec, msg] of [
      ['80:99999', /invalid container port "99999"/],
      ['http', /invalid container port "http"/],
      ['1-3:1-2', /ranges differ in size/],
      ['80/sctp', /invalid protocol "sctp"/],
      ['[::1]:80:80', /IPv6 host addresses are not supported/],
    ] as const) {
      const r = await env.run(['run', '--rm', '-q', '-p', spec, IMG, 'true']);
      assert.equal(r.code, 125, `${spec}: ${r.stderr}`);
      assert.match(r.stderr, msg, spec);
    }
    assert.equal((await env.ok(['ps', '-aq'])).split('\n').filter(Boolean).length, before);
  });

  test('a container cannot reach a service that listens only on the host loopback, but reaches the host network', async () => {
    const token = randomBytes(8).toString('hex');
    const lo = await serve('127.0.0.1', token);
    servers.push(lo);
    const port = (lo.address() as net.AddressInfo).port;
    const probe = `for a in 10.0.2.2 10.0.2.3 10.0.2.1 127.0.0.1; do printf 'GET / HTTP/1.0\\r\\n\\r\\n' | timeout 5 nc $a ${port}; echo; done; echo done`;
    const r = await env.run(['run', '--rm', '-q', IMG, 'sh', '-c', probe]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /done/);
    assert.doesNotMatch(r.stdout, new RegExp(token), 'the host loopback service answered the container');

    // The control: the same probe reaches a host service on a non-loopback address.
    const ext = Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
    if (!ext) return; // a host without a non-loopback address has nothing to compare with
    const token2 = randomBytes(8).toString('hex');
    const pub = await serve(ext.address, token2);
    servers.push(pub);
    const port2 = (pub.address() as net.AddressInfo).port;
    const r2 = await env.run(['run', '--rm', '-q', IMG, 'sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | timeout 10 nc ${ext.address} ${port2}`]);
    assert.match(r2.stdout, new RegExp(token2), `the host's ${ext.address} was not reachable: ${r2.stderr}`);
  });

  test('the guest gets its address, route, /etc/hosts, /etc/hostname and /etc/resolv.conf (bound over the image\'s)', async () => {
    const out = await env.ok(['run', '--rm', '-q', '--hostname', 'box1', '--add-host', 'db.example:192.0.2.77', '--dns', '192.0.2.53', IMG, 'sh', '-c',
      'cat /etc/hostname; echo ---; cat /etc/hosts; echo ---; cat /etc/resolv.conf; echo ---; ip -4 addr show eth0; ip route; echo ---; hostname; mount | grep -c " /etc/"']);
    const [hostname, hosts, resolv, ip, tail] = out.split('---\n');
    assert.equal(hostname, 'box1\n');
    assert.match(hosts!, /^127\.0\.0\.1\tlocalhost$/m);
    assert.match(hosts!, /^192\.0\.2\.77\tdb\.example$/m);
    assert.match(hosts!, /^\d+\.\d+\.\d+\.\d+\tbox1$/m);
    assert.equal(resolv, 'nameserver 192.0.2.53\n');
    assert.match(ip!, /inet \d+\.\d+\.\d+\.\d+\/\d+/);
    assert.match(ip!, /^default via /m);
    assert.equal(tail, 'box1\n3\n');
  });

  test('--network none leaves only the loopback interface; publishing with it is refused', async () => {
    const out = await env.ok(['run', '--rm', '-q', '--network', 'none', IMG, 'ls', '/sys/class/net']);
    const ifaces = out.split(/\s+/).filter(Boolean);
    assert.ok(ifaces.includes('lo'), out);
    assert.ok(!ifaces.some((i) => i.startsWith('eth')), `a NIC exists: ${out}`);
    const r = await env.run(['run', '--rm', '-q', '--network', 'none', '-p', '80', IMG, 'true']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /conflicting options/);
    const host = await env.run(['run', '--rm', '-q', '--network', 'host', IMG, 'true']);
    assert.equal(host.code, 125);
    assert.match(host.stderr, /--network host is not supported/);
  });
});
