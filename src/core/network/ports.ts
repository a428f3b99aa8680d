/**
 * Published ports: Docker's `-p` syntax, the bindings kept with a container, and the allocation of
 * host ports right before a VM starts (a port already in use is refused before QEMU runs).
 */
import net from 'node:net';
import dgram from 'node:dgram';
import { conflict, invalidArgument } from '../errors.js';

export type Protocol = 'tcp' | 'udp';

/** One `-p` request for one container port, as the user wrote it (hostPort 0: any free port). */
export interface PortBinding {
  containerPort: number;
  protocol: Protocol;
  /** '' means Docker's default, all IPv4 addresses (0.0.0.0). */
  hostIp: string;
  hostPort: number;
  /** With a host port range and one container port (Docker's `8000-8010:80`): the first free one is taken. */
  hostPortEnd?: number;
}

/** A port as it is actually forwarded while the container runs. */
export interface PortMapping {
  containerPort: number;
  protocol: Protocol;
  hostIp: string;
  hostPort: number;
}

const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function parsePort(s: string, what: string, spec: string): number {
  if (!/^\d{1,5}$/.test(s)) throw invalidArgument(`invalid ${what} "${s}" in port spec "${spec}": use a number from 1 to 65535`);
  const n = Number(s);
  if (n < 1 || n > 65535) throw invalidArgument(`invalid ${what} "${s}" in port spec "${spec}": use a number from 1 to 65535`);
  return n;
}

function parseRange(s: string, what: string, spec: string): [number, number] {
  const i = s.indexOf('-');
  if (i < 0) {
    const p = parsePort(s, what, spec);
    return [p, p];
  }
  const a = parsePort(s.slice(0, i), what, spec);
  const b = parsePort(s.slice(i + 1), what, spec);
  if (b < a) throw invalidArgument(`invalid ${what} range "${s}" in port spec "${spec}": the end is before the start`);
  if (b - a >= 1024) throw invalidArgument(`${what} range "${s}" in port spec "${spec}" is larger than 1024 ports`);
  return [a, b];
}

/**
 * Parses Docker's `-p` forms: `80`, `8080:80`, `127.0.0.1:8080:80`, `127.0.0.1::80`, ranges
 * (`8000-8001:80-81`, `8000-8010:80`), and a `/tcp` or `/udp` suffix. IPv6 host addresses are
 * refused: the VM's user-mode network forwards IPv4 only.
 */
export function parsePublish(spec: string): PortBinding[] {
  let rest = spec.trim();
  if (!rest) throw invalidArgument('empty port spec: use [ip:][hostPort:]containerPort[/protocol]');
  let protocol: Protocol = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    const p = rest.slice(slash + 1).toLowerCase();
    if (p !== 'tcp' && p !== 'udp') throw invalidArgument(`invalid protocol "${rest.slice(slash + 1)}" in port spec "${spec}": use tcp or udp`);
    protocol = p;
    rest = rest.slice(0, slash);
  }
  if (rest.startsWith('[')) throw invalidArgument(`port spec "${spec}": IPv6 host addresses are not supported; publish on an IPv4 address`);
  const parts = rest.split(':');
  let hostIp = '';
  let hostPart = '';
  let ctrPart: string;
  if (parts.length === 1) ctrPart = parts[0]!;
  else if (parts.length === 2) [hostPart, ctrPart] = parts as [string, string];
  else if (parts.length === 3) [hostIp, hostPart, ctrPart] = parts as [string, string, string];
  else throw invalidArgument(`invalid port spec "${spec}": use [ip:][hostPort:]containerPort[/protocol]`);
  if (hostIp && !IPV4_RE.test(hostIp)) throw invalidArgument(`invalid IP address "${hostIp}" in port spec "${spec}"`);
  if (hostIp === '0.0.0.0') hostIp = '';
  const [c0, c1] = parseRange(ctrPart, 'container port', spec);
  if (!hostPart) {
    const out: PortBinding[] = [];
    for (let p = c0; p <= c1; p++) out.push({ containerPort: p, protocol, hostIp, hostPort: 0 });
    return out;
  }
  const [h0, h1] = parseRange(hostPart, 'host port', spec);
  if (c0 === c1 && h1 > h0) return [{ containerPort: c0, protocol, hostIp, hostPort: h0, hostPortEnd: h1 }];
  if (h1 - h0 !== c1 - c0) throw invalidArgument(`invalid port spec "${spec}": the host and container port ranges differ in size`);
  const out: PortBinding[] = [];
  for (let i = 0; i <= c1 - c0; i++) out.push({ containerPort: c0 + i, protocol, hostIp, hostPort: h0 + i });
  return out;
}

/** Parses an image's ExposedPorts key ("80/tcp", "53/udp", "8080") for `-P`. */
export function parseExposed(key: string): { containerPort: number; protocol: Protocol } | undefined {
  const m = /^(\d{1,5})(?:\/(tcp|udp))?$/i.exec(key.trim());
  if (!m) return undefined;
  const port = Number(m[1]);
  if (port < 1 || port > 65535) return undefined;
  return { containerPort: port, protocol: (m[2]?.toLowerCase() ?? 'tcp') as Protocol };
}

/** Docker's key for a container port: "80/tcp". */
export function portKey(p: { containerPort: number; protocol: Protocol }): string {
  return `${p.containerPort}/${p.protocol}`;
}

/** Tries to bind host ip:port; resolves the port bound (useful with 0) or rejects with the errno code. */
export function probeBind(protocol: Protocol, ip: string, port: number): Promise<number> {
  const host = ip || '0.0.0.0';
  return new Promise((resolve, reject) => {
    if (protocol === 'tcp') {
      const srv = net.createServer();
      srv.once('error', reject);
      srv.listen({ host, port, exclusive: true }, () => {
        const got = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(got));
      });
    } else {
      const sock = dgram.createSocket('udp4');
      sock.once('error', (err) => { sock.close(); reject(err); });
      sock.bind({ address: host, port, exclusive: true }, () => {
        const got = sock.address().port;
        sock.close(() => resolve(got));
      });
    }
  });
}

function inUse(b: { hostIp: string; protocol: Protocol }, port: number): Error {
  return conflict(`Bind for ${b.hostIp || '0.0.0.0'}:${port}/${b.protocol} failed: port is already allocated`, {
    hint: 'publish on another host port, or stop what uses it (`kctl ps` shows containers\' ports)',
  });
}

/**
 * Chooses the host ports for a container that is about to start: fixed ports are checked free,
 * ranges take their first free port, 0 takes a free ephemeral port. `taken` holds ports other
 * kctl containers are starting with (not yet bound by their QEMU). The check and QEMU's own bind
 * are not atomic; QEMU refusing the port fails the start, which is undone.
 */
export async function allocatePorts(bindings: PortBinding[], taken: Set<string> = new Set()): Promise<PortMapping[]> {
  const out: PortMapping[] = [];
  const mine = new Set<string>();
  const key = (proto: Protocol, port: number) => `${proto}:${port}`;
  for (const b of bindings) {
    if (b.hostPort === 0) {
      let port = 0;
      for (let tries = 0; tries < 20; tries++) {
        port = await probeBind(b.protocol, b.hostIp, 0);
        if (!taken.has(key(b.protocol, port)) && !mine.has(key(b.protocol, port))) break;
      }
      mine.add(key(b.protocol, port));
      out.push({ containerPort: b.containerPort, protocol: b.protocol, hostIp: b.hostIp || '0.0.0.0', hostPort: port });
      continue;
    }
    const end = b.hostPortEnd ?? b.hostPort;
    let chosen = 0;
    let lastErr: Error | undefined;
    for (let p = b.hostPort; p <= end && !chosen; p++) {
      if (taken.has(key(b.protocol, p)) || mine.has(key(b.protocol, p))) {
        lastErr = inUse(b, p);
        continue;
      }
      try {
        await probeBind(b.protocol, b.hostIp, p);
        chosen = p;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') lastErr = inUse(b, p);
        else if (code === 'EACCES') lastErr = invalidArgument(`cannot bind ${b.hostIp || '0.0.0.0'}:${p}: permission denied`, { hint: 'ports below 1024 need root' });
        else if (code === 'EADDRNOTAVAIL') lastErr = invalidArgument(`cannot bind ${b.hostIp}:${p}: the address is not on this host`);
        else lastErr = err as Error;
      }
    }
    if (!chosen) throw lastErr ?? inUse(b, b.hostPort);
    mine.add(key(b.protocol, chosen));
    out.push({ containerPort: b.containerPort, protocol: b.protocol, hostIp: b.hostIp || '0.0.0.0', hostPort: chosen });
  }
  return out;
}

/** Docker's NetworkSettings.Ports. */
export function portsDocument(ports: PortMapping[]): Record<string, { HostIp: string; HostPort: string }[]> {
  const out: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of ports) (out[portKey(p)] ??= []).push({ HostIp: p.hostIp, HostPort: String(p.hostPort) });
  return out;
}

/** Docker's HostConfig.PortBindings. */
export function portBindingsDocument(bindings: PortBinding[]): Record<string, { HostIp: string; HostPort: string }[]> {
  const out: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const b of bindings) {
    const hp = b.hostPort === 0 ? '' : b.hostPortEnd ? `${b.hostPort}-${b.hostPortEnd}` : String(b.hostPort);
    (out[portKey(b)] ??= []).push({ HostIp: b.hostIp, HostPort: hp });
  }
  return out;
}

/** The PORTS column of `ps`: "0.0.0.0:8080->80/tcp, 0.0.0.0:8081->81/tcp". */
export function portsText(ports: PortMapping[]): string {
  return ports.map((p) => `${p.hostIp}:${p.hostPort}->${p.containerPort}/${p.protocol}`).join(', ');
}
