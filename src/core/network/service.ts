/**
 * `kctl network ...` and Docker's /networks endpoints: one service over the network store, the
 * switches and the containers' endpoints. Both APIs call it; it speaks Docker's JSON shapes.
 */
import { invalidArgument, KctlError, unimplemented } from '../errors.js';
import type { ContainerManager } from '../containers/manager.js';
import type { ContainerRecord } from '../containers/types.js';
import { BUILTIN_NETWORKS, builtinNetworkId, type NetworkRecord, type NetworkStore } from './store.js';
import type { SwitchManager } from './switch.js';
import { matchLabel } from '../util/labels.js';

/** Docker's network document (GET /networks/{id}). */
export interface NetworkView {
  Name: string;
  Id: string;
  Created: string;
  Scope: 'local';
  Driver: string;
  EnableIPv6: false;
  IPAM: { Driver: 'default'; Options: Record<string, string> | null; Config: { Subnet: string; Gateway: string }[] };
  Internal: boolean;
  Attachable: boolean;
  Ingress: false;
  ConfigFrom: { Network: string };
  ConfigOnly: false;
  Containers: Record<string, { Name: string; EndpointID: string; MacAddress: string; IPv4Address: string; IPv6Address: string }>;
  Options: Record<string, string>;
  Labels: Record<string, string>;
}

export interface NetworkCreateRequest {
  name: string;
  driver?: string;
  subnet?: string;
  gateway?: string;
  internal?: boolean;
  attachable?: boolean;
  labels?: Record<string, string>;
  options?: Record<string, string>;
  /** Docker's CheckDuplicate is always on in kctl: names are unique. */
}

export class NetworkService {
  private readonly started = new Date().toISOString();

  constructor(readonly store: NetworkStore, readonly switches: SwitchManager, private readonly containers: () => ContainerManager) {}

  async create(req: NetworkCreateRequest): Promise<NetworkRecord> {
    if (req.options && Object.keys(req.options).some((k) => !k.startsWith('com.docker.network.'))) {
      throw invalidArgument(`network options ${Object.keys(req.options).join(', ')} are not supported`);
    }
    return this.store.create(req);
  }

  /** Built-in networks first (bridge, none), then the user's, oldest first. */
  list(): NetworkView[] {
    return [...BUILTIN_NETWORKS.map((n) => this.builtinView(n)), ...this.store.list().map((n) => this.view(n))];
  }

  inspect(ref: string): NetworkView {
    const b = this.builtin(ref);
    return b ? this.builtinView(b) : this.view(this.store.get(ref));
  }

  /** Removes a user network. Docker refuses while a running container is on it; stopped ones keep a dangling endpoint. */
  async remove(ref: string): Promise<void> {
    if (this.builtin(ref)) throw new KctlError('permission_denied', `${this.builtin(ref)} is a pre-defined network and cannot be removed`);
    const net = this.store.get(ref);
    const active = this.containers().networkUsers(net.Id).filter((c) => this.containers().isRunning(c.Id));
    if (active.length) {
      throw new KctlError('permission_denied', `error while removing network: network ${net.Name} id ${net.Id} has active endpoints (${active.map((c) => c.Name).join(', ')})`, { hint: 'stop those containers or disconnect them first' });
    }
    await this.switches.stop(net);
    await this.store.remove(net.Id);
  }

  /** Removes user networks no container refers to; returns their names. */
  async prune(o: { labels?: string[] } = {}): Promise<string[]> {
    const removed: string[] = [];
    for (const net of this.store.list()) {
      if (o.labels?.length && !o.labels.every((l) => matchLabel(net.Labels, l))) continue;
      if (this.containers().networkUsers(net.Id).length) continue;
      await this.switches.stop(net);
      await this.store.remove(net.Id);
      removed.push(net.Name);
    }
    return removed;
  }

  async connect(netRef: string, ctrRef: string, o: { aliases?: string[]; ip?: string } = {}): Promise<void> {
    const b = this.builtin(netRef);
    if (b) throw invalidArgument(`kctl cannot connect a container to ${b}: it is chosen with --network at create`);
    await this.containers().connectNetwork(ctrRef, this.store.get(netRef), o);
  }

  async disconnect(netRef: string, ctrRef: string, o: { force?: boolean } = {}): Promise<void> {
    const b = this.builtin(netRef);
    if (b) throw unimplemented(`kctl cannot disconnect a container from ${b}: it is chosen with --network at create`);
    const net = this.store.find(netRef);
    // With force, Docker also drops an endpoint whose network is gone.
    if (!net && !o.force) this.store.get(netRef);
    await this.containers().disconnectNetwork(ctrRef, net?.Id ?? netRef, o);
  }

  private builtin(ref: string): (typeof BUILTIN_NETWORKS)[number] | undefined {
    if (ref === 'default') return 'bridge';
    return BUILTIN_NETWORKS.find((n) => n === ref || (ref.length >= 3 && /^[0-9a-f]+$/.test(ref) && builtinNetworkId(n).startsWith(ref)));
  }

  private builtinView(name: (typeof BUILTIN_NETWORKS)[number]): NetworkView {
    const containers: NetworkView['Containers'] = {};
    for (const c of this.containers().list({ all: true })) {
      if ((c.Spec.networkMode || 'bridge') !== name || !this.containers().isRunning(c.Id)) continue;
      containers[c.Id] = {
        Name: c.Name, EndpointID: '', MacAddress: '',
        IPv4Address: name === 'bridge' && c.State.IPAddress ? `${c.State.IPAddress}/24` : '', IPv6Address: '',
      };
    }
    return {
      Name: name, Id: builtinNetworkId(name), Created: this.started, Scope: 'local', Driver: name === 'bridge' ? 'bridge' : 'null',
      EnableIPv6: false, IPAM: { Driver: 'default', Options: null, Config: [] }, Internal: false, Attachable: false, Ingress: false,
      ConfigFrom: { Network: '' }, ConfigOnly: false, Containers: containers, Options: {}, Labels: {},
    };
  }

  view(n: NetworkRecord): NetworkView {
    const containers: NetworkView['Containers'] = {};
    for (const c of this.containers().networkUsers(n.Id)) {
      const ep = c.Networks![n.Id]!;
      if (!this.containers().isRunning(c.Id)) continue; // Docker lists the endpoints of running containers
      containers[c.Id] = { Name: c.Name, EndpointID: ep.EndpointID, MacAddress: ep.MacAddress, IPv4Address: `${ep.IPAddress}/${ep.IPPrefixLen}`, IPv6Address: '' };
    }
    return {
      Name: n.Name, Id: n.Id, Created: n.Created, Scope: 'local', Driver: n.Driver, EnableIPv6: false,
      IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: n.Subnet, Gateway: n.Gateway }] },
      Internal: n.Internal, Attachable: n.Attachable, Ingress: false, ConfigFrom: { Network: '' }, ConfigOnly: false,
      Containers: containers, Options: n.Options, Labels: n.Labels,
    };
  }
}


/** Names a container answers to on a network: its name, its aliases, its short id (Docker's DNS). */
export function namesOn(c: ContainerRecord, netId: string): string[] {
  const ep = c.Networks?.[netId];
  return [...new Set([c.Name, ...(ep?.Aliases ?? []), c.Id.slice(0, 12)])];
}

