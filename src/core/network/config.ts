/**
 * A container's network as the guest sees it: its address on the VM's user-mode network, the
 * files kctl binds over the image's /etc/hosts, /etc/hostname and /etc/resolv.conf, and the host
 * side (QEMU's NIC with its port forwards). See README.md beside this file for the design.
 */
import fs from 'node:fs';
import { invalidArgument } from '../errors.js';
import type { UserNetDevice } from '../vm/qemu-args.js';
import type { PortMapping } from './ports.js';

export const DEFAULT_SUBNET = '10.0.2.0/24';

const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIPv4(s: string): boolean {
  return IPV4_RE.test(s);
}

export function ipToInt(ip: string): number {
  return ip.split('.').reduce((a, o) => (a * 256 + Number(o)) >>> 0, 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

/** The addresses QEMU's user network uses in `subnet`: the gateway (.2, also the host's alias), DNS (.3), the guest (.15). */
export function userNetAddresses(subnet: string): { network: string; prefix: number; gateway: string; dns: string; guest: string } {
  const m = /^(.+)\/(\d+)$/.exec(subnet);
  if (!m || !isIPv4(m[1]!) || Number(m[2]) < 8 || Number(m[2]) > 24) {
    throw invalidArgument(`invalid subnet ${JSON.stringify(subnet)}: use an IPv4 CIDR from /8 to /24`);
  }
  const prefix = Number(m[2]);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const base = (ipToInt(m[1]!) & mask) >>> 0;
  return { network: intToIp(base), prefix, gateway: intToIp(base + 2), dns: intToIp(base + 3), guest: intToIp(base + 15) };
}

/** Docker's `--add-host name:ip` (also `name=ip`); `host-gateway` is refused: the host's loopback is not reachable. */
export function parseAddHost(s: string): { name: string; ip: string } {
  const m = /^([^:=\s]+)[:=](.+)$/.exec(s);
  if (!m) throw invalidArgument(`invalid argument "${s}" for "--add-host": use name:ip`);
  const ip = m[2]!.replace(/^\[(.*)\]$/, '$1');
  if (ip === 'host-gateway') {
    throw invalidArgument('--add-host host-gateway is not supported: containers cannot reach the host\'s loopback services; publish them on a host address instead');
  }
  if (!isIPv4(ip) && !/^[0-9a-fA-F:]+$/.test(ip)) throw invalidArgument(`invalid IP address in add-host: "${m[2]}"`);
  if (!/^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/.test(m[1]!)) throw invalidArgument(`invalid host name in add-host: "${m[1]}"`);
  return { name: m[1]!, ip };
}

export function validateDns(s: string): string {
  if (!isIPv4(s) && !/^[0-9a-fA-F:]+$/.test(s)) throw invalidArgument(`invalid DNS server "${s}": use an IP address`);
  return s;
}

/**
 * The container's /etc/resolv.conf, as Docker builds it: the given servers (--dns or daemon.json
 * `dns`), else the host's nameservers that are not loopback addresses, else the user network's
 * DNS forwarder (which asks the host's resolver for the guest); search and options lines are kept.
 */
export function resolvConf(o: { hostResolvConf: string; dns: string[]; fallback: string }): string {
  const lines = o.hostResolvConf.split('\n').map((l) => l.trim());
  const hostServers = lines.filter((l) => /^nameserver\s/.test(l)).map((l) => l.split(/\s+/)[1] ?? '');
  const usable = hostServers.filter((s) => isIPv4(s) && !s.startsWith('127.'));
  const servers = o.dns.length ? o.dns : usable.length ? usable : [o.fallback];
  const keep = lines.filter((l) => /^(search|domain|options)\s/.test(l));
  return [...servers.map((s) => `nameserver ${s}`), ...keep].join('\n') + '\n';
}

export function readHostResolvConf(file = '/etc/resolv.conf'): string {
  try {
    return fs.readFileSync(file, 'utf8').slice(0, 64 * 1024);
  } catch {
    return '';
  }
}

/** The container's /etc/hosts: localhost, its own address with its hostname (and name), peers, --add-host. */
export function hostsFile(o: { ip?: string; hostname: string; names?: string[]; peers?: { ip: string; names: string[] }[]; extra?: { name: string; ip: string }[] }): string {
  const l = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback', 'fe00::0\tip6-localnet', 'ff00::0\tip6-mcastprefix', 'ff02::1\tip6-allnodes', 'ff02::2\tip6-allrouters'];
  for (const e of o.extra ?? []) l.push(`${e.ip}\t${e.name}`);
  for (const p of o.peers ?? []) l.push(`${p.ip}\t${p.names.join(' ')}`);
  if (o.ip) l.push(`${o.ip}\t${[o.hostname, ...(o.names ?? []).filter((n) => n !== o.hostname)].join(' ')}`);
  return l.join('\n') + '\n';
}

/** A stable locally administered MAC from the container id (52:54:00 is QEMU's prefix). */
export function macFor(id: string): string {
  const h = id.replace(/[^0-9a-f]/g, '').padEnd(6, '0');
  return `52:54:00:${h.slice(0, 2)}:${h.slice(2, 4)}:${h.slice(4, 6)}`;
}

export interface GuestNetwork {
  /** QEMU's NIC (absent with --network none). */
  device?: UserNetDevice;
  /** What the agent configures on eth0. */
  eth0?: { address: string; gateway: string };
  /** Hosts the container must not reach: the user network's alias for the host's loopback. */
  deny: string[];
  ip: string;
  gateway: string;
}

/** The VM's network for a container: `mode` 'none' gives only lo; otherwise one user-mode NIC with `ports`. */
export function guestNetwork(o: { id: string; mode: 'none' | 'user'; subnet: string; ports: PortMapping[] }): GuestNetwork {
  if (o.mode === 'none') return { deny: [], ip: '', gateway: '' };
  const a = userNetAddresses(o.subnet);
  return {
    device: {
      kind: 'user',
      subnet: `${a.network}/${a.prefix}`,
      mac: macFor(o.id),
      forwards: o.ports.map((p) => ({ protocol: p.protocol, hostIp: p.hostIp, hostPort: p.hostPort, guestPort: p.containerPort })),
    },
    eth0: { address: `${a.guest}/${a.prefix}`, gateway: a.gateway },
    deny: [a.gateway],
    ip: a.guest,
    gateway: a.gateway,
  };
}
