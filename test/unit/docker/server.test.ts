/**
 * The Docker API server over a real unix socket with a real engine on a fresh state root (no VM is
 * started): malformed requests, unknown endpoints, size bounds, version prefixes, and connections
 * that drop mid-stream leaving nothing behind.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../../../src/core/engine.js';
import { nullLogger } from '../../../src/core/util/log.js';
import { createDockerServer, type DockerServer } from '../../../src/api/docker/server.js';

interface Res { status: number; headers: http.IncomingHttpHeaders; body: string }

describe('Docker API server', () => {
  let dir: string | undefined;
  let engine: Engine | undefined;
  let server: DockerServer | undefined;
  let sock: string;
  after(async () => {
    await server?.close();
    await engine?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kctl-dapi-'));
    engine = await Engine.open(path.join(dir, 'root'), nullLogger);
    server = createDockerServer(engine);
    sock = path.join(dir, 'docker.sock');
    await server.listen(sock);
  });

  const request = (method: string, p: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Res> =>
    new Promise((resolve, reject) => {
      // Done when the answer is read and the whole body was sent (a server may answer early, e.g. 413).
      let answer: Res | undefined;
      let sent = false;
      const settle = () => { if (answer && sent) resolve(answer); };
      const req = http.request({ socketPath: sock, method, path: p, headers: { 'Content-Type': 'application/json', ...headers } }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d) => parts.push(d));
        res.on('end', () => { answer = { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString() }; settle(); });
      });
      req.on('finish', () => { sent = true; settle(); });
      req.on('error', reject);
      req.end(body);
    });

  test('the socket is 0600', () => {
    assert.equal(fs.statSync(sock).mode & 0o777, 0o600);
  });

  test('_ping (GET and HEAD) carries the API version headers', async () => {
    for (const m of ['GET', 'HEAD']) {
      const r = await request(m, '/_ping');
      assert.equal(r.status, 200);
      assert.equal(r.headers['api-version'], '1.43');
      assert.equal(r.headers['ostype'], 'linux');
      assert.equal(r.headers['docker-experimental'], 'false');
      assert.equal(r.body, m === 'GET' ? 'OK' : '');
    }
  });

  test('unknown endpoints are 404 page not found, with or without a version prefix', async () => {
    for (const p of ['/nope', '/v1.43/containers/abc/frobnicate', '/v1.43/']) {
      const r = await request('GET', p);
      assert.equal(r.status, 404, p);
      assert.deepEqual(JSON.parse(r.body), { message: 'page not found' });
    }
    const wrongMethod = await request('DELETE', '/v1.43/containers/json');
    assert.equal(wrongMethod.status, 404);
  });

  test('malformed JSON, wrong types and refused options are 400 with a message', async () => {
    const bad = await request('POST', '/v1.43/containers/create', '{"Image": ');
    assert.equal(bad.status, 400);
    assert.match(JSON.parse(bad.body).message, /invalid JSON/);
    const arr = await request('POST', '/v1.43/containers/create', '[1,2]');
    assert.equal(arr.status, 400);
    const wrong = await request('POST', '/v1.43/containers/create', JSON.stringify({ Image: 'x', Env: 'A=1' }));
    assert.equal(wrong.status, 400);
    assert.match(JSON.parse(wrong.body).message, /Config\.Env.*list of strings/);
    const tty = await request('POST', '/v1.43/containers/create', JSON.stringify({ Image: 'x', Tty: 'yes' }));
    assert.equal(tty.status, 400);
    const mount = await request('POST', '/v1.43/containers/create', JSON.stringify({ Image: 'x', HostConfig: { Mounts: [{ Type: 'bind', Source: '/', Target: 'relative' }] } }));
    assert.equal(mount.status, 400);
    assert.match(JSON.parse(mount.body).message, /must be absolute/);
    const net = await request('POST', '/v1.43/containers/create', JSON.stringify({ Image: 'x', HostConfig: { NetworkMode: 'host' } }));
    assert.equal(net.status, 400);
    const port = await request('POST', '/v1.43/containers/create', JSON.stringify({ Image: 'x', HostConfig: { PortBindings: { '80/tcp': [{ HostPort: 'eighty' }] } } }));
    assert.equal(port.status, 400);
    const priv = await request('POST', '/v1.43/containers/create', JSON.stringify({ Image: 'x', HostConfig: { Privileged: true } }));
    assert.equal(priv.status, 400);
    const noImage = await request('POST', '/v1.43/containers/create', JSON.stringify({ Cmd: ['true'], Unknown: { Field: 1 } }));
    assert.equal(noImage.status, 400);
    assert.match(JSON.parse(noImage.body).message, /Image is required/);
    const filters = await request('GET', `/v1.43/containers/json?filters=${encodeURIComponent('{nope')}`);
    assert.equal(filters.status, 400);
    const unknownFilter = await request('GET', `/v1.43/containers/json?filters=${encodeURIComponent('{"colour":["red"]}')}`);
    assert.equal(unknownFilter.status, 400);
  });

  test('unknown fields are ignored; a missing image is 404 as Docker (docker run then pulls)', async () => {
    const r = await request('POST', '/v1.43/containers/create?name=x1', JSON.stringify({ Image: 'kctl.test/absent:1', SomeFutureField: true, HostConfig: { Whatever: 1 } }));
    assert.equal(r.status, 404);
    assert.match(JSON.parse(r.body).message, /No such image: kctl\.test\/absent:1/);
  });

  test('a body over 10 MiB is refused with 413 and the server keeps serving', async () => {
    const r = await request('POST', '/v1.43/containers/create', Buffer.alloc(11 * 1024 * 1024, 0x20));
    assert.equal(r.status, 413);
    assert.equal((await request('GET', '/_ping')).status, 200);
  });

  test('version prefixes: too new and too old are 400; supported ones route', async () => {
    assert.equal((await request('GET', '/v1.99/info')).status, 400);
    assert.equal((await request('GET', '/v1.2/info')).status, 400);
    for (const v of ['1.24', '1.41', '1.43', '1.45']) {
      const r = await request('GET', `/v${v}/containers/json?all=1`);
      assert.equal(r.status, 200, v);
      assert.deepEqual(JSON.parse(r.body), []);
    }
  });

  test('not found and not implemented keep Docker\'s statuses', async () => {
    const r = await request('GET', '/v1.43/containers/nosuch/json');
    assert.equal(r.status, 404);
    assert.deepEqual(JSON.parse(r.body), { message: 'No such container: nosuch' });
    assert.equal((await request('GET', '/v1.43/images/kctl.test/absent:1/json')).status, 404);
    assert.equal((await request('GET', '/v1.43/networks/nosuch')).status, 404);
  });

  test('networks: create, inspect, list with filters, remove and prune, with Docker\'s documents and statuses', async () => {
    const json = (r: Res) => JSON.parse(r.body);
    const builtins = json(await request('GET', '/v1.43/networks'));
    assert.deepEqual(builtins.map((n: { Name: string }) => n.Name), ['bridge', 'none']);

    const created = await request('POST', '/v1.43/networks/create', JSON.stringify({
      Name: 'unit-net', Driver: 'bridge', CheckDuplicate: true, Internal: true, Attachable: true, Labels: { 'com.example': 'x' },
      IPAM: { Driver: 'default', Config: [{ Subnet: '10.123.0.0/24', Gateway: '10.123.0.254' }] }, Options: {}, SomethingNew: 1,
    }));
    assert.equal(created.status, 201, created.body);
    const { Id, Warning } = json(created);
    assert.match(Id, /^[0-9a-f]{64}$/);
    assert.equal(Warning, '');

    const dup = await request('POST', '/v1.43/networks/create', '{"Name":"unit-net"}');
    assert.equal(dup.status, 409);
    assert.deepEqual(json(dup), { message: 'network with name unit-net already exists' });

    for (const ref of ['unit-net', Id, Id.slice(0, 12)]) {
      const doc = json(await request('GET', `/v1.43/networks/${ref}?verbose=false&scope=local`));
      assert.equal(doc.Id, Id, ref);
    }
    const doc = json(await request('GET', '/v1.43/networks/unit-net'));
    assert.deepEqual(
      { Name: doc.Name, Driver: doc.Driver, Scope: doc.Scope, Internal: doc.Internal, Attachable: doc.Attachable, IPAM: doc.IPAM, Labels: doc.Labels, Containers: doc.Containers, EnableIPv6: doc.EnableIPv6 },
      { Name: 'unit-net', Driver: 'bridge', Scope: 'local', Internal: true, Attachable: true, IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: '10.123.0.0/24', Gateway: '10.123.0.254' }] }, Labels: { 'com.example': 'x' }, Containers: {}, EnableIPv6: false },
    );
    assert.ok(!Number.isNaN(Date.parse(doc.Created)));

    const names = async (filters: object) => json(await request('GET', `/v1.43/networks?filters=${encodeURIComponent(JSON.stringify(filters))}`)).map((n: { Name: string }) => n.Name);
    assert.deepEqual(await names({ type: ['custom'] }), ['unit-net']);
    assert.deepEqual(await names({ type: ['builtin'] }), ['bridge', 'none']);
    assert.deepEqual(await names({ label: ['com.example=x'] }), ['unit-net']);
    assert.deepEqual(await names({ label: { 'com.example=y': true } }), []);
    assert.deepEqual(await names({ name: ['unit'], dangling: ['true'] }), ['unit-net']);
    assert.deepEqual(await names({ driver: ['null'] }), ['none']);
    assert.equal((await request('GET', '/v1.43/networks?filters={"colour":["red"]}')).status, 400);
    assert.equal((await request('GET', '/v1.43/networks?filters={"type":["other"]}')).status, 400);

    // What kctl cannot make is refused, never ignored.
    for (const [body, status] of [
      [{ Name: 'v6', EnableIPv6: true }, 400], [{ Name: 'ov', Driver: 'overlay' }, 400], [{ Name: 'bad', IPAM: { Config: [{ Subnet: '10.1.0.0' }] } }, 400],
      [{ Name: 'clash', IPAM: { Config: [{ Subnet: '10.123.0.128/25' }] } }, 409], [{ Name: 'bridge' }, 403], [{ Driver: 'bridge' }, 400],
      [{ Name: 'gw', IPAM: { Config: [{ Gateway: '10.9.0.1' }] } }, 400], [{ Name: 'types', Internal: 'yes' }, 400],
    ] as const) {
      const r = await request('POST', '/v1.43/networks/create', JSON.stringify(body));
      assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.body}`);
      assert.ok(json(r).message, r.body);
    }

    assert.equal((await request('POST', '/v1.43/networks/unit-net/connect', '{"Container":"nosuch"}')).status, 404);
    assert.equal((await request('POST', '/v1.43/networks/unit-net/connect', '{}')).status, 400);
    assert.equal((await request('POST', '/v1.43/networks/bridge/connect', '{"Container":"nosuch"}')).status, 400);
    assert.equal((await request('POST', '/v1.43/networks/nosuch/disconnect', '{"Container":"x"}')).status, 404);

    const predefined = await request('DELETE', '/v1.43/networks/bridge');
    assert.equal(predefined.status, 403);
    assert.match(json(predefined).message, /bridge is a pre-defined network and cannot be removed/);
    assert.equal((await request('DELETE', '/v1.43/networks/nosuch')).status, 404);
    assert.equal((await request('DELETE', '/v1.43/networks/unit-net')).status, 204);
    assert.equal((await request('GET', '/v1.43/networks/unit-net')).status, 404);

    assert.equal((await request('POST', '/v1.43/networks/create', '{"Name":"keep","Labels":{"keep":"1"}}')).status, 201);
    assert.equal((await request('POST', '/v1.43/networks/create', '{"Name":"drop"}')).status, 201);
    assert.equal((await request('POST', '/v1.43/networks/prune?filters={"until":["1h"]}')).status, 400);
    assert.deepEqual(json(await request('POST', '/v1.43/networks/prune?filters={"label":["keep"]}')), { NetworksDeleted: ['keep'] });
    assert.deepEqual(json(await request('POST', '/v1.43/networks/prune')), { NetworksDeleted: ['drop'] });
    assert.deepEqual(await names({ type: ['custom'] }), []);
  });

  test('a hijack request for a missing container gets an HTTP error on the raw socket', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const s = net.connect(sock);
      const parts: Buffer[] = [];
      s.on('data', (d) => parts.push(d));
      s.on('end', () => resolve(Buffer.concat(parts).toString()));
      s.on('error', reject);
      s.write('POST /v1.43/containers/nosuch/attach?stream=1&stdout=1 HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n');
    });
    assert.match(reply, /^HTTP\/1\.1 404 /);
    assert.match(reply, /No such container: nosuch/);
  });

  test('an events stream the client drops leaves no listener behind', async () => {
    const before = engine!.containers.listenerCount('event');
    await new Promise<void>((resolve, reject) => {
      const req = http.request({ socketPath: sock, method: 'GET', path: '/v1.43/events' }, (res) => {
        assert.equal(res.statusCode, 200);
        assert.equal(engine!.containers.listenerCount('event'), before + 1);
        req.destroy();
        resolve();
      });
      req.on('error', () => undefined);
      req.end();
    });
    for (let i = 0; i < 100 && engine!.containers.listenerCount('event') !== before; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(engine!.containers.listenerCount('event'), before);
    assert.equal((await request('GET', '/_ping')).status, 200);
  });

  test('garbage instead of HTTP gets a 400 and the server keeps serving', async () => {
    const reply = await new Promise<string>((resolve) => {
      const s = net.connect(sock);
      const parts: Buffer[] = [];
      s.on('data', (d) => parts.push(d));
      s.on('close', () => resolve(Buffer.concat(parts).toString()));
      s.on('error', () => undefined);
      s.end('\x00\x01 not http at all\r\n\r\n');
    });
    assert.match(reply, /^HTTP\/1\.1 400/);
    assert.equal((await request('GET', '/_ping')).status, 200);
  });
});

test('Docker API events: several label filters must all match; other keys OR within themselves', async () => {
  const { matchesEvent } = await import('../../../src/api/docker/system.js');
  const d = { status: 'die', id: 'abc', from: 'busybox', Type: 'container', Action: 'die', Actor: { ID: 'abc', Attributes: { name: 'web', tier: 'front' } }, scope: 'local' as const, time: 1, timeNano: 1e9 };
  const f = (...kv: [string, string][]) => { const m = new Map<string, string[]>(); for (const [k, v] of kv) m.set(k, [...(m.get(k) ?? []), v]); return m; };
  assert.equal(matchesEvent(d, f(['label', 'tier=front'], ['label', 'name=web'])), true);
  assert.equal(matchesEvent(d, f(['label', 'tier=front'], ['label', 'tier=back'])), false);
  assert.equal(matchesEvent(d, f(['event', 'start'], ['event', 'die'])), true);
});
