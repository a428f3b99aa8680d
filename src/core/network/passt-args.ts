/**
 * The passt command line for one VM NIC, built from a typed description and golden-tested in
 * test/unit/network/passt-args.test.ts. passt (Debian package `passt`) is a user-mode network
 * stack: it gives the guest a NAT to the host's network through ordinary host sockets, binds the
 * published host ports itself, and sandboxes itself (drops to nobody, namespaces, seccomp).
 *
 * kctl always passes `--no-map-gw`: without it, connections from the guest to the gateway address
 * reach the host's loopback, which would expose every host service bound to 127.0.0.1 to every
 * container. `--one-off` ends passt when QEMU disconnects, as virtiofsd does.
 */
import path from 'node:path';
import { invalidArgument } from '../errors.js';
import type { PortMapping } from './ports.js';

export interface PasstConfig {
  binary: string;
  /** QEMU's side: a unix socket path passt listens on, or a connected socket passt inherits as this descriptor (vm/inherit.ts). */
  socket: string | { fd: number };
  /** passt daemonizes (it calls setsid, so it cannot run as a session leader) and writes its PID here. */
  pidFile: string;
  logFile: string;
  /** The guest's IPv4 address, prefix length and gateway; DNS sent to `dns` is forwarded to the host's resolver. */
  address: string;
  prefix: number;
  gateway: string;
  dns: string;
  ports: PortMapping[];
  /** The unprivileged uid (and gid) passt switches to; it must be able to create a `socket` path. */
  runAs: number;
}

const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function passtArgs(c: PasstConfig): string[] {
  for (const [what, v] of [['address', c.address], ['gateway', c.gateway], ['DNS address', c.dns]] as const) {
    if (!IPV4_RE.test(v)) throw invalidArgument(`invalid guest ${what} ${JSON.stringify(v)}`);
  }
  if (!Number.isInteger(c.prefix) || c.prefix < 8 || c.prefix > 30) throw invalidArgument(`invalid prefix length ${c.prefix}`);
  if (!Number.isInteger(c.runAs) || c.runAs <= 0) throw invalidArgument(`passt must run as an unprivileged uid, not ${c.runAs}`);
  if (typeof c.socket !== 'string' && !(Number.isInteger(c.socket.fd) && c.socket.fd > 2)) throw invalidArgument(`invalid passt socket descriptor ${c.socket.fd}`);
  for (const p of [...(typeof c.socket === 'string' ? [c.socket] : []), c.logFile, c.pidFile]) {
    if (!path.isAbsolute(p) || /[\n\0]/.test(p)) throw invalidArgument(`passt path must be absolute: ${JSON.stringify(p)}`);
  }
  const a = [
    '--one-off', '--quiet', '--ipv4-only',
    '--runas', `${c.runAs}:${c.runAs}`,
    ...(typeof c.socket === 'string' ? ['--socket', c.socket] : ['--fd', String(c.socket.fd)]),
    '--pid', c.pidFile,
    '--log-file', c.logFile,
    '--address', c.address, '--netmask', String(c.prefix), '--gateway', c.gateway,
    '--no-map-gw',
    '--dns-forward', c.dns,
    '--no-dhcp', '--no-ndp', '--no-dhcpv6', '--no-ra',
  ];
  for (const p of c.ports) {
    if (!IPV4_RE.test(p.hostIp)) throw invalidArgument(`invalid host IP ${JSON.stringify(p.hostIp)} for a published port`);
    for (const n of [p.hostPort, p.containerPort]) {
      if (!Number.isInteger(n) || n < 1 || n > 65535) throw invalidArgument(`invalid port ${n}: use 1-65535`);
    }
    const addr = p.hostIp === '0.0.0.0' ? '' : `${p.hostIp}/`;
    a.push(p.protocol === 'udp' ? '--udp-ports' : '--tcp-ports', `${addr}${p.hostPort}:${p.containerPort}`);
  }
  return a;
}
