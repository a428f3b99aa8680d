/**
 * Docker-shaped views of a container: the inspect document and the list summary. Both the gRPC API
 * (kctl inspect / ps) and the Docker Engine API print these, so their field names and formats are
 * Docker's; kctl's own facts live under the `Isolation` key.
 */
import type { ContainerRecord } from './types.js';
import { portBindingsDocument, portsDocument } from '../network/ports.js';
import { builtinNetworkId } from '../network/store.js';

export function inspectContainer(r: ContainerRecord): Record<string, unknown> {
  const s = r.State;
  return {
    Id: r.Id,
    Created: r.Created,
    Path: r.Path,
    Args: r.Args,
    State: {
      Status: s.Status,
      Running: s.Status === 'running' || s.Status === 'paused',
      Paused: s.Status === 'paused',
      Restarting: s.Status === 'restarting',
      OOMKilled: s.OOMKilled,
      Dead: s.Status === 'dead',
      Pid: s.Pid,
      ExitCode: s.ExitCode,
      Error: s.Error,
      StartedAt: s.StartedAt,
      FinishedAt: s.FinishedAt,
    },
    Image: r.ImageId,
    ResolvConfPath: '',
    HostnamePath: '',
    HostsPath: '',
    LogPath: r.LogPath,
    Name: `/${r.Name}`,
    RestartCount: r.RestartCount,
    Driver: 'overlay2',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: {
      AutoRemove: r.Spec.autoRemove,
      Memory: r.MemoryMiB * 1024 * 1024,
      NanoCpus: Math.round((r.Spec.cpus || r.VCPUs) * 1e9),
      RestartPolicy: r.Spec.restartPolicy ?? { Name: 'no', MaximumRetryCount: 0 },
      LogConfig: { Type: 'json-file', Config: r.Spec.logOpts ?? {} },
      Init: r.Spec.init ?? null,
      NetworkMode: r.Spec.networkMode ?? 'bridge',
      PortBindings: portBindingsDocument(r.Spec.publish ?? []),
      PublishAllPorts: !!r.Spec.publishAll,
      ReadonlyRootfs: !!r.Spec.readOnlyRootfs,
      Binds: (r.Spec.mounts ?? []).filter((m) => m.type !== 'tmpfs' && m.createHostDir !== false).map((m) => `${m.source}:${m.target}${m.readOnly ? ':ro' : ''}`),
      Tmpfs: Object.fromEntries((r.Spec.mounts ?? []).filter((m) => m.type === 'tmpfs').map((m) => [m.target, m.tmpfsOptions ?? ''])),
      Dns: r.Spec.dns ?? [],
      ExtraHosts: r.Spec.extraHosts ?? [],
      Runtime: 'kctl',
      Isolation: 'vm',
    },
    Mounts: (s.MountPoints ?? []).map((m) => ({ Type: m.Type, ...(m.Name ? { Name: m.Name } : {}), Source: m.Source, Destination: m.Destination, Mode: '', RW: m.RW, Propagation: '' })),
    Config: {
      Hostname: r.Hostname,
      Domainname: '',
      User: r.User,
      AttachStdin: false,
      AttachStdout: true,
      AttachStderr: true,
      Tty: r.Spec.tty,
      OpenStdin: r.Spec.openStdin,
      StdinOnce: false,
      Env: r.Env,
      Cmd: r.Spec.cmd ?? null,
      Image: r.ImageRef,
      WorkingDir: r.WorkingDir === '/' && !r.Spec.workingDir ? '' : r.WorkingDir,
      Entrypoint: r.Spec.entrypoint ?? null,
      Labels: r.Spec.labels,
      StopSignal: r.StopSignal,
      StopTimeout: r.StopTimeout,
    },
    NetworkSettings: {
      Ports: portsDocument(s.Ports ?? []),
      IPAddress: s.IPAddress ?? '',
      Gateway: s.Gateway ?? '',
      Networks: networksDocument(r),
    },
    Isolation: s.Isolation ?? null,
  };
}

/**
 * NetworkSettings.Networks: one entry per network. Containers on user-defined networks show those
 * (with Docker's short-id alias); the VM's own NAT is `bridge`. Addresses only while running.
 */
export function networksDocument(r: ContainerRecord): Record<string, unknown> {
  const s = r.State;
  const running = s.Status === 'running' || s.Status === 'paused';
  const entry = (o: { id: string; ep: string; aliases: string[] | null; ip: string; prefix: number; gw: string; mac: string; requested?: string }) => ({
    IPAMConfig: o.requested ? { IPv4Address: o.requested } : null, Links: null, Aliases: o.aliases, NetworkID: o.id, EndpointID: running ? o.ep : '',
    Gateway: running ? o.gw : '', IPAddress: running ? o.ip : '', IPPrefixLen: running ? o.prefix : 0,
    IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, MacAddress: running ? o.mac : '', DriverOpts: null,
  });
  const mode = r.Spec.networkMode ?? 'bridge';
  const out: Record<string, unknown> = {};
  if (mode === 'none') out.none = entry({ id: builtinNetworkId('none'), ep: '', aliases: null, ip: '', prefix: 0, gw: '', mac: '' });
  else if (mode === 'bridge' || mode === 'default') {
    out.bridge = entry({ id: builtinNetworkId('bridge'), ep: '', aliases: null, ip: s.IPAddress ?? '', prefix: 24, gw: s.Gateway ?? '', mac: '' });
  }
  for (const ep of Object.values(r.Networks ?? {})) {
    out[ep.NetworkName] = entry({
      id: ep.NetworkID, ep: ep.EndpointID, aliases: [...new Set([...ep.Aliases, r.Id.slice(0, 12)])],
      ip: ep.IPAddress, prefix: ep.IPPrefixLen, gw: ep.Gateway, mac: ep.MacAddress, requested: ep.RequestedIP,
    });
  }
  return out;
}

/** Docker's human status column: "Up 3 seconds", "Exited (0) 2 minutes ago", "Created". */
export function statusText(r: ContainerRecord, now = Date.now()): string {
  const s = r.State;
  switch (s.Status) {
    case 'running':
      return `Up ${humanDuration(now - Date.parse(s.StartedAt))}`;
    case 'paused':
      return `Up ${humanDuration(now - Date.parse(s.StartedAt))} (Paused)`;
    case 'restarting':
      return `Restarting (${s.ExitCode}) ${humanDuration(now - Date.parse(s.FinishedAt))} ago`;
    case 'exited':
      return s.FinishedAt.startsWith('0001') ? 'Created' : `Exited (${s.ExitCode}) ${humanDuration(now - Date.parse(s.FinishedAt))} ago`;
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    default:
      return 'Created';
  }
}

/** Docker's units.HumanDuration. */
export function humanDuration(ms: number): string {
  const sec = Math.max(0, Math.round(ms / 1000));
  if (sec < 1) return 'Less than a second';
  if (sec === 1) return '1 second';
  if (sec < 60) return `${sec} seconds`;
  const min = Math.round(sec / 60);
  if (min === 1) return 'About a minute';
  if (min < 60) return `${min} minutes`;
  const h = Math.round(sec / 3600);
  if (h === 1) return 'About an hour';
  if (h < 48) return `${h} hours`;
  if (h < 24 * 7 * 2) return `${Math.round(h / 24)} days`;
  if (h < 24 * 30 * 2) return `${Math.round(h / 24 / 7)} weeks`;
  if (h < 24 * 365 * 2) return `${Math.round(h / 24 / 30)} months`;
  return `${Math.round(h / 24 / 365)} years`;
}

export function commandText(r: ContainerRecord): string {
  return [r.Path, ...r.Args].map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ');
}
