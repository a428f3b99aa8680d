import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { allocatePorts, parseExposed, parsePublish, portBindingsDocument, portsDocument, portsText } from '../../../src/core/network/ports.js';
import { isKctlError } from '../../../src/core/errors.js';

test('parsePublish takes every Docker -p form', () => {
  assert.deepEqual(parsePublish('80'), [{ containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: 0 }]);
  assert.deepEqual(parsePublish('8080:80'), [{ containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: 8080 }]);
  assert.deepEqual(parsePublish('127.0.0.1:8080:80/udp'), [{ containerPort: 80, protocol: 'udp', hostIp: '127.0.0.1', hostPort: 8080 }]);
  assert.deepEqual(parsePublish('127.0.0.1::80'), [{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 0 }]);
  assert.deepEqual(parsePublish('0.0.0.0:81:80'), [{ containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: 81 }]);
  assert.deepEqual(parsePublish('8000-8001:80-81').map((b) => [b.hostPort, b.containerPort]), [[8000, 80], [8001, 81]]);
  assert.deepEqual(parsePublish('8000-8010:80'), [{ containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: 8000, hostPortEnd: 8010 }]);
  assert.deepEqual(parsePublish('53-54/udp').map((b) => [b.containerPort, b.protocol, b.hostPort]), [[53, 'udp', 0], [54, 'udp', 0]]);
});

test('parsePublish refuses malformed specs with invalid_argument', () => {
  for (const bad of ['', 'abc', '0', '65536', '1:2:3:4', '80/sctp', '300.0.0.1:80:80', '[::1]:80:80', '9-1:9-1', '1-3:1-2', '1-2000', ':80:']) {
    assert.throws(() => parsePublish(bad), (e) => isKctlError(e, 'invalid_argument'), bad);
  }
});

test('parseExposed reads image EXPOSE keys', () => {
  assert.deepEqual(parseExposed('80/tcp'), { containerPort: 80, protocol: 'tcp' });
  assert.deepEqual(parseExposed('53/UDP'), { containerPort: 53, protocol: 'udp' });
  assert.deepEqual(parseExposed('8080'), { containerPort: 8080, protocol: 'tcp' });
  assert.equal(parseExposed('x/tcp'), undefined);
  assert.equal(parseExposed('70000'), undefined);
});

test('allocatePorts refuses a port in use with conflict and gives free ones for 0 and ranges', async (t) => {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.after(() => srv.close());
  const busy = (srv.address() as net.AddressInfo).port;
  await assert.rejects(allocatePorts([{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: busy }]), (e) => isKctlError(e, 'conflict') && /already allocated/.test(e.message));
  const [any] = await allocatePorts([{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 0 }]);
  assert.ok(any!.hostPort > 0 && any!.hostPort !== busy);
  // A range starting at the busy port takes the next free one.
  const [r] = await allocatePorts([{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: busy, hostPortEnd: busy + 20 }]);
  assert.ok(r!.hostPort > busy && r!.hostPort <= busy + 20);
  // Two bindings never get the same host port, even when one is "taken" by another container.
  const taken = new Set([`tcp:${r!.hostPort}`]);
  await assert.rejects(allocatePorts([{ containerPort: 81, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: r!.hostPort }], taken), (e) => isKctlError(e, 'conflict'));
});

test('Docker documents and the ps column', () => {
  const ports = [{ containerPort: 80, protocol: 'tcp' as const, hostIp: '0.0.0.0', hostPort: 8080 }, { containerPort: 53, protocol: 'udp' as const, hostIp: '127.0.0.1', hostPort: 5353 }];
  assert.deepEqual(portsDocument(ports), { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }], '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }] });
  assert.equal(portsText(ports), '0.0.0.0:8080->80/tcp, 127.0.0.1:5353->53/udp');
  assert.deepEqual(portBindingsDocument(parsePublish('80').concat(parsePublish('9000-9009:90'))), { '80/tcp': [{ HostIp: '', HostPort: '' }], '90/tcp': [{ HostIp: '', HostPort: '9000-9009' }] });
});
