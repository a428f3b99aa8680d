/**
 * User-defined networks (`kctl network create`): the records, their address management, and
 * Docker's view of them. A network is an L2 segment between the VMs of its containers, served by
 * one switch process (kctl-netswitch, see switch.ts and README.md beside this file); each container
 * on it gets a NIC with a static address from the network's subnet and a MAC derived from it.
 *
 *   networks/<id12>/network.json   NetworkRecord (the directory name is short: unix socket paths
 *   networks/<id12>/ctl.sock       the switch's control socket   are limited to 107 bytes)
 *   networks/<id12>/switch.json    the running switch (pid, start time), see switch.ts
 *
 * Two networks are built in and never stored: `bridge`, the default (each VM's own NAT through
 * passt), and `none` (only the loopback). `host` does not exist: a VM cannot share the host's stack.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { conflict, failedPrecondition, invalidArgument, KctlError, notFound } from '../errors.js';
import type { RootLayout } from '../paths.js';
import { readJson, writeJsonAtomic } from '../util/fsx.js';
import { intToIp, ipToInt, isIPv4 } from './config.js';

export interface NetworkRecord {
  Id: string;
  Name: string;
  Driver: 'bridge';
  Created: string;
  Subnet: string; // a.b.c.d/prefix
  Gateway: string;
  /** No outbound access (Docker's --internal): containers only on internal networks get no NAT NIC. */
  Internal: boolean;
  Attachable: boolean;
  Labels: Record<string, string>;
  Options: Record<string, string>;
}

/** A container's place on a user network (kept in the container record, keyed by network id). */
export interface Endpoint {
  NetworkID: string;
  /** The network's name when the endpoint was made, for views when the network is gone. */
  NetworkName: string;
  EndpointID: string;
  IPAddress: string;
  IPPrefixLen: number;
  Gateway: string;
  MacAddress: string;
  /** --network-alias / compose's service name; Docker adds the container's short id in views. */
  Aliases: string[];
  /** --ip: the address was asked for, not picked. */
  RequestedIP?: string;
}

export const BUILTIN_NETWORKS = ['bridge', 'none'] as const;
const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;
/** Docker's default pools for new networks: 172.18.0.0/16 .. 172.31.0.0/16, then 192.168.0.0/20 steps. */
const POOLS: string[] = [
  ...Array.from({ length: 14 }, (_, i) => `172.${18 + i}.0.0/16`),
  ...Array.from({ length: 16 }, (_, i) => `192.168.${i * 16}.0/20`),
];

/** The id Docker-facing views give the built-in networks (stable per name). */
export function builtinNetworkId(name: string): string {
  return createHash('sha256').update(`kctl network ${name}`).digest('hex');
}

export function parseCidr(s: string): { base: number; prefix: number; cidr: string } {
  const m = /^(.+)\/(\d{1,2})$/.exec(s);
  if (!m || !isIPv4(m[1]!) || Number(m[2]) > 32) throw invalidArgument(`invalid subnet "${s}": use an IPv4 CIDR such as 172.20.0.0/16`);
  const prefix = Number(m[2]);
  if (prefix < 8 || prefix > 29) throw invalidArgument(`invalid subnet "${s}": the prefix must be from /8 to /29`);
  const mask = (0xffffffff << (32 - prefix)) >>> 0;
  const base = (ipToInt(m[1]!) & mask) >>> 0;
  return { base, prefix, cidr: `${intToIp(base)}/${prefix}` };
}

function overlaps(a: { base: number; prefix: number }, b: { base: number; prefix: number }): boolean {
  const p = Math.min(a.prefix, b.prefix);
  const mask = (0xffffffff << (32 - p)) >>> 0;
  return ((a.base & mask) >>> 0) === ((b.base & mask) >>> 0);
}

/** Docker's MAC for an address: 02:42 and the four address bytes. */
export function macForIp(ip: string): string {
  return ['02', '42', ...ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0'))].join(':');
}

export class NetworkStore {
  private byId = new Map<string, NetworkRecord>();

  /** `reserved()` lists subnets new networks must not overlap (the VMs' own NAT subnet). */
  constructor(private readonly layout: RootLayout, private readonly reserved: () => string[] = () => []) {}

  get dir(): string {
    return path.join(this.layout.root, 'networks');
  }

  networkDir(id: string): string {
    return path.join(this.dir, id.slice(0, 12));
  }

  async load(): Promise<void> {
    this.byId.clear();
    let names: string[] = [];
    try {
      names = await fs.readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    for (const n of names) {
      const rec = await readJson<NetworkRecord>(path.join(this.dir, n, 'network.json')).catch(() => undefined);
      if (rec && rec.Id?.startsWith(n) && NAME_RE.test(rec.Name)) this.byId.set(rec.Id, rec);
    }
  }

  list(): NetworkRecord[] {
    return [...this.byId.values()].sort((a, b) => a.Created.localeCompare(b.Created));
  }

  /** By full id, name, or unique id prefix (Docker's order: id, name, prefix). */
  find(ref: string): NetworkRecord | undefined {
    const exact = this.byId.get(ref);
    if (exact) return exact;
    const named = this.list().find((n) => n.Name === ref);
    if (named) return named;
    if (!/^[0-9a-f]{1,64}$/.test(ref)) return undefined;
    const hits = this.list().filter((n) => n.Id.startsWith(ref));
    if (hits.length > 1) throw invalidArgument(`network ${ref} is ambiguous (${hits.length} matches found)`);
    return hits[0];
  }

  get(ref: string): NetworkRecord {
    const n = this.find(ref);
    if (!n) throw notFound(`network ${ref} not found`);
    return n;
  }

  async create(o: {
    name: string; driver?: string; subnet?: string; gateway?: string; internal?: boolean; attachable?: boolean;
    labels?: Record<string, string>; options?: Record<string, string>;
  }): Promise<NetworkRecord> {
    const name = o.name;
    if (!NAME_RE.test(name)) throw invalidArgument(`invalid network name "${name}": use 1-128 of [a-zA-Z0-9_.-], starting with a letter or digit`);
    if ((BUILTIN_NETWORKS as readonly string[]).includes(name) || name === 'host' || name === 'default') {
      throw new KctlError('permission_denied', `${name} is a pre-defined network and cannot be created`);
    }
    if (o.driver && o.driver !== 'bridge') throw invalidArgument(`network driver "${o.driver}" is not supported: kctl networks use the bridge driver (an L2 switch between the containers' VMs)`);
    if (this.list().some((n) => n.Name === name)) throw conflict(`network with name ${name} already exists`);

    const taken = [...this.list().map((n) => parseCidr(n.Subnet)), ...this.reserved().map(parseCidr)];
    let subnet: { base: number; prefix: number; cidr: string };
    if (o.subnet) {
      subnet = parseCidr(o.subnet);
      const clash = this.list().find((n) => overlaps(parseCidr(n.Subnet), subnet));
      if (clash) throw conflict(`invalid pool request: Pool overlaps with other one on this address space (network ${clash.Name}, ${clash.Subnet})`);
      const res = this.reserved().find((r) => overlaps(parseCidr(r), subnet));
      if (res) throw conflict(`subnet ${subnet.cidr} overlaps ${res}, the address space of the containers' own NAT (daemon.json bip)`);
    } else {
      const free = POOLS.map(parseCidr).find((p) => !taken.some((t) => overlaps(t, p)));
      if (!free) throw failedPrecondition('could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network', { hint: 'give one with --subnet' });
      subnet = free;
    }
    const size = 2 ** (32 - subnet.prefix);
    let gateway = intToIp(subnet.base + 1);
    if (o.gateway) {
      if (!isIPv4(o.gateway)) throw invalidArgument(`invalid gateway "${o.gateway}": use an IPv4 address`);
      const g = ipToInt(o.gateway);
      if (g <= subnet.base || g >= subnet.base + size - 1) throw invalidArgument(`gateway ${o.gateway} is not a host address of subnet ${subnet.cidr}`);
      gateway = o.gateway;
    }
    const rec: NetworkRecord = {
      Id: randomBytes(32).toString('hex'),
      Name: name,
      Driver: 'bridge',
      Created: new Date().toISOString(),
      Subnet: subnet.cidr,
      Gateway: gateway,
      Internal: !!o.internal,
      Attachable: !!o.attachable,
      Labels: o.labels ?? {},
      Options: o.options ?? {},
    };
    const dir = this.networkDir(rec.Id);
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    await fs.mkdir(dir, { mode: 0o700 });
    await writeJsonAtomic(path.join(dir, 'network.json'), rec);
    this.byId.set(rec.Id, rec);
    return rec;
  }

  /** Forgets a network; the caller has checked it has no active endpoints and stopped its switch. */
  async remove(id: string): Promise<void> {
    const rec = this.byId.get(id);
    if (!rec) throw notFound(`network ${id} not found`);
    await fs.rm(this.networkDir(id), { recursive: true, force: true });
    this.byId.delete(id);
  }

  /**
   * Picks an address for a new endpoint: `requested` if it is a free host address of the subnet,
   * else the lowest free one above the gateway. `used` are the addresses other endpoints hold.
   */
  allocate(net: NetworkRecord, used: Set<string>, requested?: string): string {
    const { base, prefix } = parseCidr(net.Subnet);
    const size = 2 ** (32 - prefix);
    if (requested) {
      if (!isIPv4(requested)) throw invalidArgument(`invalid IPv4 address: ${requested}`);
      const r = ipToInt(requested);
      if (r <= base || r >= base + size - 1 || requested === net.Gateway) {
        throw invalidArgument(`invalid address ${requested}: it is not a free host address of network ${net.Name} (${net.Subnet}, gateway ${net.Gateway})`);
      }
      if (used.has(requested)) throw conflict(`Address already in use: ${requested} on network ${net.Name}`);
      return requested;
    }
    for (let n = base + 1; n < base + size - 1; n++) {
      const ip = intToIp(n);
      if (ip !== net.Gateway && !used.has(ip)) return ip;
    }
    throw new KctlError('resource_exhausted', `no free address left on network ${net.Name} (${net.Subnet})`);
  }

  endpoint(net: NetworkRecord, ip: string, aliases: string[], requested?: string): Endpoint {
    return {
      NetworkID: net.Id,
      NetworkName: net.Name,
      EndpointID: randomBytes(32).toString('hex'),
      IPAddress: ip,
      IPPrefixLen: parseCidr(net.Subnet).prefix,
      Gateway: net.Gateway,
      MacAddress: macForIp(ip),
      Aliases: [...new Set(aliases)],
      ...(requested ? { RequestedIP: requested } : {}),
    };
  }
}
