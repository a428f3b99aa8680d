import { test } from 'node:test';
import assert from 'node:assert/strict';
import { guestNetwork, hostsFile, macFor, parseAddHost, resolvConf, userNetAddresses } from '../../../src/core/network/config.js';
import { passtArgs } from '../../../src/core/network/passt-args.js';
import { qemuArgs, type QemuConfig } from '../../../src/core/vm/qemu-args.js';
import { isKctlError } from '../../../src/core/errors.js';

test('userNetAddresses places gateway, DNS and guest in the subnet, ignoring host bits', () => {
  assert.deepEqual(userNetAddresses('10.0.2.0/24'), { network: '10.0.2.0', prefix: 24, gateway: '10.0.2.2', dns: '10.0.2.3', guest: '10.0.2.15' });
  assert.deepEqual(userNetAddresses('172.30.1.1/16'), { network: '172.30.0.0', prefix: 16, gateway: '172.30.0.2', dns: '172.30.0.3', guest: '172.30.0.15' });
  for (const bad of ['10.0.2.0', '10.0.2.0/25', '10.0.2.0/4', '300.1.1.1/24', 'x/24']) assert.throws(() => userNetAddresses(bad), (e) => isKctlError(e, 'invalid_argument'), bad);
});

test('resolvConf: explicit servers, else the host\'s non-loopback ones, else the forwarder; search and options kept', () => {
  const host = 'search corp.example\nnameserver 127.0.0.53\nnameserver 192.0.2.1\noptions edns0\n';
  assert.equal(resolvConf({ hostResolvConf: host, dns: ['9.9.9.9'], fallback: '10.0.2.3' }), 'nameserver 9.9.9.9\nsearch corp.example\noptions edns0\n');
  assert.equal(resolvConf({ hostResolvConf: host, dns: [], fallback: '10.0.2.3' }), 'nameserver 192.0.2.1\nsearch corp.example\noptions edns0\n');
  assert.equal(resolvConf({ hostResolvConf: 'nameserver 127.0.0.53\n', dns: [], fallback: '10.0.2.3' }), 'nameserver 10.0.2.3\n');
});

test('hostsFile and --add-host', () => {
  const h = hostsFile({ ip: '10.0.2.15', hostname: 'box', extra: [parseAddHost('db:192.0.2.9')] });
  assert.match(h, /^127\.0\.0\.1\tlocalhost$/m);
  assert.match(h, /^192\.0\.2\.9\tdb$/m);
  assert.match(h, /^10\.0\.2\.15\tbox$/m);
  assert.deepEqual(parseAddHost('a.example=10.1.2.3'), { name: 'a.example', ip: '10.1.2.3' });
  assert.throws(() => parseAddHost('gw:host-gateway'), /host-gateway is not supported/);
  assert.throws(() => parseAddHost('nocolon'), (e) => isKctlError(e, 'invalid_argument'));
  assert.throws(() => parseAddHost('x:not-an-ip'), (e) => isKctlError(e, 'invalid_argument'));
});

test('guestNetwork: none has no NIC; the default has one with the forwards', () => {
  assert.deepEqual(guestNetwork({ id: 'abcdef', mode: 'none', subnet: '10.0.2.0/24', ports: [] }), { deny: [], ip: '', gateway: '' });
  const n = guestNetwork({ id: 'abcdef0123', mode: 'user', subnet: '10.0.2.0/24', ports: [{ containerPort: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080 }] });
  assert.deepEqual(n.eth0, { address: '10.0.2.15/24', gateway: '10.0.2.2' });
  assert.equal(n.device?.mac, macFor('abcdef0123'));
  assert.match(macFor('abcdef0123'), /^52:54:00:ab:cd:ef$/);
});

test('passt argv (golden): no gateway mapping to the host, one-off, unprivileged, the forwards', () => {
  assert.deepEqual(passtArgs({
    binary: '/usr/bin/passt', socket: '/r/vms/a/net/0.sock', pidFile: '/r/vms/a/net/0.pid', logFile: '/r/vms/a/passt0.log',
    address: '10.0.2.15', prefix: 24, gateway: '10.0.2.2', dns: '10.0.2.3', runAs: 65534,
    ports: [{ containerPort: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080 }, { containerPort: 53, protocol: 'udp', hostIp: '127.0.0.1', hostPort: 5353 }],
  }), [
    '--one-off', '--quiet', '--ipv4-only', '--runas', '65534:65534',
    '--socket', '/r/vms/a/net/0.sock', '--pid', '/r/vms/a/net/0.pid', '--log-file', '/r/vms/a/passt0.log',
    '--address', '10.0.2.15', '--netmask', '24', '--gateway', '10.0.2.2', '--no-map-gw', '--dns-forward', '10.0.2.3',
    '--no-dhcp', '--no-ndp', '--no-dhcpv6', '--no-ra',
    '--tcp-ports', '8080:80', '--udp-ports', '127.0.0.1/5353:53',
  ]);
  const base = { binary: '', socket: '/s', pidFile: '/p', logFile: '/l', address: '10.0.2.15', prefix: 24, gateway: '10.0.2.2', dns: '10.0.2.3', runAs: 65534, ports: [] };
  assert.throws(() => passtArgs({ ...base, runAs: 0 }), /unprivileged/);
  assert.throws(() => passtArgs({ ...base, socket: 'rel' }), /absolute/);
  assert.throws(() => passtArgs({ ...base, ports: [{ containerPort: 0, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 1 }] }), /invalid port/);
  // The socket pair kctld makes (vm/inherit.ts): passt inherits its end, no path to listen on.
  const inherited = passtArgs({ ...base, socket: { fd: 3 } });
  assert.deepEqual(inherited.slice(5, 7), ['--fd', '3']);
  assert.ok(!inherited.includes('--socket'));
  assert.throws(() => passtArgs({ ...base, socket: { fd: 1 } }), /descriptor/);
});

test('qemu argv for a passt NIC (golden fragment)', () => {
  const a = qemuArgs({
    binary: 'q', name: 'kctl-x', machine: { kind: 'microvm', acpi: false }, accel: { kind: 'tcg', tbSizeMiB: 64 }, vcpus: 1, memoryMiB: 128,
    boot: { kernel: '/k', initrd: '/i', append: 'quiet' }, filesystems: [], agent: { kind: 'virtio-serial', socket: '/a', portName: 'kctl.agent' },
    qmpSocket: '/q', consoleLog: '/c', network: [{ kind: 'stream', socket: '/r/net/0.sock', mac: '52:54:00:ab:cd:ef' }],
  });
  const i = a.indexOf('-netdev');
  assert.deepEqual(a.slice(i, i + 4), ['-netdev', 'stream,id=net0,server=off,addr.type=unix,addr.path=/r/net/0.sock', '-device', 'virtio-net-device,netdev=net0,mac=52:54:00:ab:cd:ef']);
});

test('qemu argv for a passt NIC on an inherited socket pair (golden fragment)', () => {
  const cfg: QemuConfig = {
    binary: 'q', name: 'kctl-x', machine: { kind: 'microvm', acpi: false }, accel: { kind: 'tcg', tbSizeMiB: 16 }, vcpus: 1, memoryMiB: 128,
    boot: { kernel: '/k', initrd: '/i', append: 'quiet' }, filesystems: [], agent: { kind: 'virtio-serial', socket: '/a', portName: 'kctl.agent' },
    qmpSocket: '/q', consoleLog: '/c',
  };
  const a = qemuArgs({ ...cfg, network: [{ kind: 'stream', socket: { fd: 3 }, mac: '52:54:00:ab:cd:ef' }] });
  const i = a.indexOf('-netdev');
  assert.deepEqual(a.slice(i, i + 4), ['-netdev', 'stream,id=net0,server=off,addr.type=fd,addr.str=3', '-device', 'virtio-net-device,netdev=net0,mac=52:54:00:ab:cd:ef']);
  assert.throws(() => qemuArgs({ ...cfg, network: [{ kind: 'stream', socket: { fd: 2 }, mac: '52:54:00:ab:cd:ef' }] }), /descriptor/);
  assert.throws(() => qemuArgs({ ...cfg, network: [{ kind: 'stream', socket: { fd: 3 }, mac: '52:54:00:ab:cd:ef', listen: true }] }), /cannot listen/);
});

test('qemu argv for a user-network NIC: QEMU listens, the switch connects (golden fragment)', () => {
  const a = qemuArgs({
    binary: 'q', name: 'kctl-x', machine: { kind: 'microvm', acpi: false }, accel: { kind: 'tcg', tbSizeMiB: 16 }, vcpus: 1, memoryMiB: 128,
    boot: { kernel: '/k', initrd: '/i', append: 'quiet' }, filesystems: [], agent: { kind: 'virtio-serial', socket: '/a', portName: 'kctl.agent' },
    qmpSocket: '/q', consoleLog: '/c',
    network: [{ kind: 'stream', socket: '/r/net/0.sock', mac: '52:54:00:ab:cd:ef' }, { kind: 'stream', socket: '/r/q/nic1.sock', mac: '02:42:ac:12:00:02', listen: true }],
  });
  const i = a.lastIndexOf('-netdev');
  assert.deepEqual(a.slice(i, i + 4), ['-netdev', 'stream,id=net1,server=on,addr.type=unix,addr.path=/r/q/nic1.sock', '-device', 'virtio-net-device,netdev=net1,mac=02:42:ac:12:00:02']);
});
