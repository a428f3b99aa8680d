/**
 * What a container's VM needs beyond its root filesystem, decided right before it boots: the
 * host ports it publishes, its NIC, the extra virtio-fs shares (bind mounts and volumes), and what
 * the guest agent sets up (eth0, mounts, tmpfs, /etc/hosts, /etc/hostname, /etc/resolv.conf).
 */
import fs from 'node:fs/promises';
import { invalidArgument } from '../errors.js';
import type { ShareSpec, VmNic } from '../vm/driver.js';
import type { GuestMount } from '../agent/protocol.js';
import type { VolumeStore } from '../volumes/store.js';
import type { MountRequest } from '../volumes/mounts.js';
import { allocatePorts, type PortBinding, type PortMapping } from './ports.js';
import type { Endpoint } from './store.js';
import { guestNetwork, hostsFile, parseAddHost, readHostResolvConf, resolvConf, userNetAddresses } from './config.js';

export interface ContainerIOInput {
  id: string;
  hostname: string;
  name: string;
  /** 'none', the default network ('bridge', 'default', ''), or a user-defined network's name. */
  networkMode: string;
  /** Places on user-defined networks: one NIC each, on that network's switch. */
  endpoints?: Endpoint[];
  /** Only internal networks: no NAT NIC (no way out, no published ports). */
  internal?: boolean;
  /** Running containers that share a network with this one, for /etc/hosts. */
  peers?: { ip: string; names: string[] }[];
  publish: PortBinding[];
  mounts: MountRequest[];
  dns: string[];
  extraHosts: string[];
  /** Host ports other containers are starting with. */
  takenPorts?: Set<string>;
}

export interface ContainerIOPlan {
  ports: PortMapping[];
  ip: string;
  gateway: string;
  shares: ShareSpec[];
  nics: VmNic[];
  /** Per endpoint (in input order): the index of its NIC in `nics`. */
  endpointNics: number[];
  agent: {
    net?: { address: string; gateway: string };
    netIfs: { mac: string; address: string }[];
    mounts: GuestMount[];
    files: { target: string; content: string }[];
  };
  /** Volumes a container mounts, for `volume rm` and inspect's Mounts. */
  mountPoints: { Type: string; Name?: string; Source: string; Destination: string; RW: boolean }[];
}

export const NETWORK_MODES = ['bridge', 'default', 'none'];
/** The index of /etc/hosts among the files START binds (agent UPDATE_FILE rewrites it). */
export const HOSTS_FILE_INDEX = 1;

/** Whether a --network value names a built-in network (else a user-defined one). */
export function isBuiltinNetworkMode(mode: string): boolean {
  return NETWORK_MODES.includes(mode || 'bridge') || mode === 'host' || mode.startsWith('container:');
}

/** The container's /etc/hosts: its own address and names, its peers on shared networks, --add-host. */
export function containerHosts(i: Pick<ContainerIOInput, 'hostname' | 'name' | 'endpoints' | 'peers' | 'extraHosts'>, natIp: string): string {
  const own = i.endpoints?.[0];
  // On a user network the container also answers to its name and aliases (Docker's DNS does that);
  // on the default network only to its hostname, as in Docker.
  const names = own ? [i.name, ...own.Aliases] : [];
  return hostsFile({ ip: own?.IPAddress || natIp || undefined, hostname: i.hostname, names, peers: i.peers, extra: i.extraHosts.map(parseAddHost) });
}

export function validateNetworkMode(mode: string): string {
  const m = mode || 'bridge';
  if (m === 'host') throw invalidArgument('--network host is not supported: each container runs in its own VM and cannot share the host\'s network stack');
  if (m.startsWith('container:')) throw invalidArgument('--network container:<name> is not supported yet: containers run in separate VMs');
  if (!NETWORK_MODES.includes(m)) throw invalidArgument(`network ${m} not found`, { hint: 'use bridge (the default) or none' });
  return m === 'default' ? 'bridge' : m;
}

export async function planContainerIO(i: ContainerIOInput, o: { volumes?: VolumeStore; subnet: string; daemonDns: string[] }): Promise<ContainerIOPlan> {
  const mode = isBuiltinNetworkMode(i.networkMode) ? validateNetworkMode(i.networkMode) : 'user-defined';
  const nat = mode !== 'none' && !i.internal;
  if (!nat && i.publish.length) throw invalidArgument(`cannot publish ports: network ${i.networkMode || 'none'} has no way in from the host`);
  const ports = nat ? await allocatePorts(i.publish, i.takenPorts) : [];
  const net = guestNetwork({ id: i.id, mode: nat ? 'user' : 'none', subnet: o.subnet, ports });

  const shares: ShareSpec[] = [];
  const mounts: GuestMount[] = [];
  const mountPoints: ContainerIOPlan['mountPoints'] = [];
  // Parents before children, as Docker sorts them.
  const ordered = [...i.mounts].sort((a, b) => a.target.split('/').length - b.target.split('/').length);
  for (const [n, m] of ordered.entries()) {
    if (m.type === 'tmpfs') {
      mounts.push({ type: 'tmpfs', options: m.tmpfsOptions ?? '', target: m.target });
      mountPoints.push({ Type: 'tmpfs', Source: '', Destination: m.target, RW: !m.readOnly });
      continue;
    }
    let source: string;
    if (m.type === 'volume') {
      if (!o.volumes) throw invalidArgument('volumes are not available in this daemon');
      const v = await o.volumes.create(m.source);
      source = v.Mountpoint;
    } else {
      source = await bindSource(m);
    }
    const tag = `m${n}`;
    shares.push({ tag, source, readOnly: m.readOnly });
    mounts.push({ type: 'share', tag, readOnly: m.readOnly, target: m.target });
    mountPoints.push({ Type: m.type, ...(m.type === 'volume' ? { Name: m.source } : {}), Source: source, Destination: m.target, RW: !m.readOnly });
  }

  const files = [
    { target: '/etc/hostname', content: `${i.hostname}\n` },
    { target: '/etc/hosts', content: containerHosts(i, net.ip) },
    {
      target: '/etc/resolv.conf',
      content: !nat
        ? resolvConf({ hostResolvConf: '', dns: i.dns.length ? i.dns : o.daemonDns, fallback: '127.0.0.1' })
        : resolvConf({ hostResolvConf: readHostResolvConf(), dns: i.dns.length ? i.dns : o.daemonDns, fallback: userNetAddresses(o.subnet).dns }),
    },
  ];
  const nics: VmNic[] = [];
  if (net.device && net.eth0) {
    const a = userNetAddresses(o.subnet);
    nics.push({ mac: net.device.mac, passt: { address: a.guest, prefix: a.prefix, gateway: a.gateway, dns: a.dns, ports } });
  }
  const endpointNics: number[] = [];
  const netIfs: { mac: string; address: string }[] = [];
  for (const ep of i.endpoints ?? []) {
    endpointNics.push(nics.length);
    nics.push({ mac: ep.MacAddress });
    netIfs.push({ mac: ep.MacAddress, address: `${ep.IPAddress}/${ep.IPPrefixLen}` });
  }
  const own = i.endpoints?.[0];
  return {
    ports, ip: own?.IPAddress ?? net.ip, gateway: own?.Gateway ?? net.gateway, shares, nics, endpointNics,
    agent: { net: net.eth0, netIfs, mounts, files }, mountPoints,
  };
}

/** A bind source: `-v` creates a missing directory (Docker); `--mount` refuses. Only directories can be shared. */
async function bindSource(m: MountRequest): Promise<string> {
  let st;
  try {
    st = await fs.stat(m.source);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    if (!m.createHostDir) {
      throw invalidArgument(`invalid mount config for type "bind": bind source path does not exist: ${m.source}`, { hint: 'create it first, or use -v, which creates it' });
    }
    await fs.mkdir(m.source, { recursive: true, mode: 0o755 });
    st = await fs.stat(m.source);
  }
  if (!st.isDirectory()) {
    throw invalidArgument(`cannot bind-mount ${m.source}: it is not a directory`, { hint: 'kctl shares directories into the VM; mount the directory that holds the file' });
  }
  if (m.source.includes(',')) throw invalidArgument(`cannot bind-mount ${m.source}: the path contains a comma, which virtiofsd cannot take`);
  return m.source;
}
