/**
 * Docker's container create body (Config + HostConfig) decoded into the core's ContainerSpec.
 * Unknown fields are ignored, as Docker does; wrong types are a 400; what kctl cannot honour
 * (privileges, host devices, host and container network modes) is refused, never ignored.
 */
import { invalidArgument } from '../../core/errors.js';
import type { ContainerSpec, RestartPolicy } from '../../core/containers/types.js';
import { networkStorageSpec, type NetworkStorageFlags } from '../../core/network/spec.js';

type Obj = Record<string, unknown>;

function typeError(field: string, want: string): never {
  throw invalidArgument(`invalid value for ${field}: ${want} expected`);
}

export function optString(o: Obj, k: string, field = k): string | undefined {
  const v = o[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') typeError(field, 'a string');
  return v;
}

export function optBool(o: Obj, k: string, field = k): boolean {
  const v = o[k];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') typeError(field, 'true or false');
  return v;
}

export function optNumber(o: Obj, k: string, field = k): number | undefined {
  const v = o[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) typeError(field, 'a number');
  return v;
}

export function optStrings(o: Obj, k: string, field = k): string[] | undefined {
  const v = o[k];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) typeError(field, 'a list of strings');
  return v as string[];
}

/** Docker's strslice: a string or a list of strings. */
function optStrSlice(o: Obj, k: string, field: string): string[] | undefined {
  const v = o[k];
  if (typeof v === 'string') return [v];
  return optStrings(o, k, field);
}

function optObject(o: Obj, k: string, field = k): Obj | undefined {
  const v = o[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) typeError(field, 'an object');
  return v as Obj;
}

function optStringMap(o: Obj, k: string, field = k): Record<string, string> {
  const v = optObject(o, k, field);
  if (!v) return {};
  for (const [key, val] of Object.entries(v)) if (typeof val !== 'string') typeError(`${field}.${key}`, 'a string');
  return v as Record<string, string>;
}

const RESTART_NAMES = ['', 'no', 'on-failure', 'always', 'unless-stopped'];

/** Decodes POST /containers/create. `name` comes from the query string. */
export function specFromDocker(body: Obj, name: string | undefined): ContainerSpec {
  const hc = optObject(body, 'HostConfig') ?? {};
  const image = optString(body, 'Image');
  if (!image) throw invalidArgument('Config.Image is required: name the image the container runs');

  const refuse = (what: string, why: string) => { throw invalidArgument(`${what} is not supported by kctl: ${why}`); };
  const devices = hc.Devices;
  if (Array.isArray(devices) && devices.length) refuse('HostConfig.Devices (--device)', 'host devices are not passed into the VM');
  if (optBool(hc, 'Privileged', 'HostConfig.Privileged')) refuse('HostConfig.Privileged (--privileged)', 'the container runs in its own VM and is not given the guest kernel\'s full privileges');
  const io = networkStorageSpec(networkStorageFlags(body, hc));
  let restartPolicy: RestartPolicy | undefined;
  const rp = optObject(hc, 'RestartPolicy', 'HostConfig.RestartPolicy');
  if (rp) {
    const n = optString(rp, 'Name', 'HostConfig.RestartPolicy.Name') ?? '';
    if (!RESTART_NAMES.includes(n)) throw invalidArgument(`invalid restart policy '${n}'`);
    const max = optNumber(rp, 'MaximumRetryCount', 'HostConfig.RestartPolicy.MaximumRetryCount') ?? 0;
    if (max < 0 || !Number.isInteger(max)) throw invalidArgument('invalid value for HostConfig.RestartPolicy.MaximumRetryCount: a non-negative integer expected');
    if (max > 0 && n !== 'on-failure') throw invalidArgument(`maximum retry count cannot be used with restart policy '${n}'`);
    restartPolicy = { Name: (n || 'no') as RestartPolicy['Name'], MaximumRetryCount: max };
  }
  const autoRemove = optBool(hc, 'AutoRemove', 'HostConfig.AutoRemove');
  if (autoRemove && restartPolicy && restartPolicy.Name !== 'no') throw invalidArgument('can\'t create \'AutoRemove\' container with restart policy');

  const memory = optNumber(hc, 'Memory', 'HostConfig.Memory') ?? 0;
  if (memory < 0) throw invalidArgument('invalid value for HostConfig.Memory: must not be negative');
  const nano = optNumber(hc, 'NanoCpus', 'HostConfig.NanoCpus') ?? 0;
  if (nano < 0) throw invalidArgument('invalid value for HostConfig.NanoCpus: must not be negative');

  let cmd = optStrSlice(body, 'Cmd', 'Config.Cmd');
  if (cmd && cmd.length === 0) cmd = undefined;
  let entrypoint = optStrSlice(body, 'Entrypoint', 'Config.Entrypoint');
  if (entrypoint && entrypoint.length === 0) entrypoint = undefined; // Docker: use the image's
  else if (entrypoint && entrypoint.length === 1 && entrypoint[0] === '') entrypoint = []; // --entrypoint "": none

  const stopTimeout = optNumber(body, 'StopTimeout', 'Config.StopTimeout');
  return {
    image,
    name: name || undefined,
    cmd,
    entrypoint,
    env: optStrings(body, 'Env', 'Config.Env') ?? [],
    workingDir: optString(body, 'WorkingDir', 'Config.WorkingDir') || undefined,
    user: optString(body, 'User', 'Config.User') || undefined,
    hostname: optString(body, 'Hostname', 'Config.Hostname') || undefined,
    labels: optStringMap(body, 'Labels', 'Config.Labels'),
    tty: optBool(body, 'Tty', 'Config.Tty'),
    openStdin: optBool(body, 'OpenStdin', 'Config.OpenStdin'),
    stdinOnce: optBool(body, 'StdinOnce', 'Config.StdinOnce'),
    memoryBytes: memory,
    cpus: nano / 1e9,
    autoRemove,
    stopSignal: optString(body, 'StopSignal', 'Config.StopSignal') || undefined,
    stopTimeout: stopTimeout !== undefined && stopTimeout >= 0 ? stopTimeout : undefined,
    restartPolicy,
    init: optBool(hc, 'Init', 'HostConfig.Init') || undefined,
    ...io,
  };
}

/**
 * Docker's JSON for ports, mounts and network settings, written as the equivalent docker CLI
 * flags, so the core parses and validates both the same way (one syntax, one set of errors).
 */
export function networkStorageFlags(body: Obj, hc: Obj): NetworkStorageFlags {
  const volumes = optStrings(hc, 'Binds', 'HostConfig.Binds') ?? [];
  const mounts: string[] = [];
  const rawMounts = hc.Mounts;
  if (rawMounts !== undefined && rawMounts !== null) {
    if (!Array.isArray(rawMounts)) typeError('HostConfig.Mounts', 'a list');
    rawMounts.forEach((m: unknown, i: number) => {
      const field = `HostConfig.Mounts[${i}]`;
      if (!m || typeof m !== 'object' || Array.isArray(m)) typeError(field, 'an object');
      const mo = m as Obj;
      const parts = [`type=${optString(mo, 'Type', `${field}.Type`) || 'volume'}`];
      const src = optString(mo, 'Source', `${field}.Source`);
      const dst = optString(mo, 'Target', `${field}.Target`) ?? '';
      for (const [k, v] of [['source', src], ['target', dst]] as const) {
        if (v && /[,\n]/.test(v)) throw invalidArgument(`invalid ${field}: ${k} must not contain a comma or a newline`);
        if (v) parts.push(`${k}=${v}`);
      }
      if (optBool(mo, 'ReadOnly', `${field}.ReadOnly`)) parts.push('readonly=true');
      const t = optObject(mo, 'TmpfsOptions', `${field}.TmpfsOptions`);
      if (t) {
        const size = optNumber(t, 'SizeBytes', `${field}.TmpfsOptions.SizeBytes`);
        const mode = optNumber(t, 'Mode', `${field}.TmpfsOptions.Mode`);
        if (size) parts.push(`tmpfs-size=${Math.floor(size)}`);
        if (mode) parts.push(`tmpfs-mode=${Math.floor(mode).toString(8)}`);
      }
      mounts.push(parts.join(','));
    });
  }
  const tmpfs = Object.entries(optStringMap(hc, 'Tmpfs', 'HostConfig.Tmpfs')).map(([dst, opts]) => (opts ? `${dst}:${opts}` : dst));
  // Config.Volumes: anonymous volumes, unless something else is mounted there already.
  const targets = new Set([
    ...volumes.map((v) => v.split(':')[v.split(':').length >= 2 ? 1 : 0]),
    ...mounts.map((m) => /(?:^|,)target=([^,]*)/.exec(m)?.[1] ?? ''),
    ...tmpfs.map((t) => t.split(':')[0]),
  ]);
  for (const t of Object.keys(optObject(body, 'Volumes', 'Config.Volumes') ?? {})) if (!targets.has(t)) volumes.push(t);

  const publish: string[] = [];
  for (const [key, list] of Object.entries(optObject(hc, 'PortBindings', 'HostConfig.PortBindings') ?? {})) {
    if (list === null) continue;
    if (!Array.isArray(list)) typeError(`HostConfig.PortBindings["${key}"]`, 'a list');
    const [port, proto = 'tcp'] = key.split('/');
    if (list.length === 0) publish.push(`${port}/${proto}`);
    list.forEach((b: unknown, i: number) => {
      const field = `HostConfig.PortBindings["${key}"][${i}]`;
      if (!b || typeof b !== 'object') typeError(field, 'an object');
      const ip = optString(b as Obj, 'HostIp', `${field}.HostIp`) ?? '';
      const hp = optString(b as Obj, 'HostPort', `${field}.HostPort`) ?? '';
      publish.push(ip ? `${ip}:${hp}:${port}/${proto}` : hp ? `${hp}:${port}/${proto}` : `${port}/${proto}`);
    });
  }

  const netMode = optString(hc, 'NetworkMode', 'HostConfig.NetworkMode') ?? '';
  // The endpoint of the network the container is created on gives its aliases and --ip; the others
  // are connected right after create (see endpointsConfig).
  const primary = endpointsConfig(body).find((e) => sameNetwork(e.network, netMode));
  return {
    publish,
    publishAll: optBool(hc, 'PublishAllPorts', 'HostConfig.PublishAllPorts'),
    network: netMode,
    networkAliases: primary?.aliases ?? [],
    ip: primary?.ip,
    volumes,
    mounts,
    tmpfs,
    readOnly: optBool(hc, 'ReadonlyRootfs', 'HostConfig.ReadonlyRootfs'),
    dns: optStrings(hc, 'Dns', 'HostConfig.Dns') ?? [],
    addHosts: optStrings(hc, 'ExtraHosts', 'HostConfig.ExtraHosts') ?? [],
  };
}

export interface EndpointRequest {
  network: string;
  aliases: string[];
  ip?: string;
}

/** One entry of NetworkingConfig.EndpointsConfig or the EndpointConfig of POST /networks/{id}/connect. */
export function endpointRequest(network: string, ep: unknown, field: string): EndpointRequest {
  if (ep === null || ep === undefined) return { network, aliases: [] };
  if (typeof ep !== 'object' || Array.isArray(ep)) typeError(field, 'an object');
  const ipam = optObject(ep as Obj, 'IPAMConfig', `${field}.IPAMConfig`);
  const ip = ipam ? optString(ipam, 'IPv4Address', `${field}.IPAMConfig.IPv4Address`) : undefined;
  if (ipam && optString(ipam, 'IPv6Address', `${field}.IPAMConfig.IPv6Address`)) throw invalidArgument(`${field}.IPAMConfig.IPv6Address is not supported by kctl: its networks are IPv4 only`);
  return { network, aliases: optStrings(ep as Obj, 'Aliases', `${field}.Aliases`) ?? [], ...(ip ? { ip } : {}) };
}

/** NetworkingConfig.EndpointsConfig of a container create body, keyed by network name or id. */
export function endpointsConfig(body: Obj): EndpointRequest[] {
  const nc = optObject(body, 'NetworkingConfig');
  const endpoints = nc ? optObject(nc, 'EndpointsConfig', 'NetworkingConfig.EndpointsConfig') : undefined;
  return Object.entries(endpoints ?? {}).map(([name, ep]) => endpointRequest(name, ep, `NetworkingConfig.EndpointsConfig["${name}"]`));
}

/**
 * The endpoints a create asks for beyond the network it is created on: Docker connects them
 * before the container starts. An endpoint naming the default network when the container is on it
 * is that network's.
 */
export function extraEndpoints(body: Obj): EndpointRequest[] {
  const hc = optObject(body, 'HostConfig') ?? {};
  const mode = optString(hc, 'NetworkMode', 'HostConfig.NetworkMode') ?? '';
  return endpointsConfig(body).filter((e) => !sameNetwork(e.network, mode));
}

/** Whether an EndpointsConfig key names the network of HostConfig.NetworkMode ('', default and bridge are one). */
function sameNetwork(key: string, mode: string): boolean {
  const dflt = (n: string) => n === '' || n === 'default' || n === 'bridge';
  return key === mode || (dflt(key) && dflt(mode));
}
