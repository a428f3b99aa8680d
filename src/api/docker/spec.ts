/**
 * Docker's container create body (Config + HostConfig) decoded into the core's ContainerSpec.
 * Unknown fields are ignored, as Docker does; wrong types are a 400; anything kctl would have to
 * ignore to run the container (mounts, published ports, privileges) is refused with a clear message.
 */
import { invalidArgument } from '../../core/errors.js';
import type { ContainerSpec, RestartPolicy } from '../../core/containers/types.js';

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
const NETWORK_MODES = ['', 'default', 'bridge'];

/** Decodes POST /containers/create. `name` comes from the query string. */
export function specFromDocker(body: Obj, name: string | undefined): ContainerSpec {
  const hc = optObject(body, 'HostConfig') ?? {};
  const image = optString(body, 'Image');
  if (!image) throw invalidArgument('Config.Image is required: name the image the container runs');

  const refuse = (what: string, why: string) => { throw invalidArgument(`${what} is not supported by kctl yet: ${why}`); };
  const binds = optStrings(hc, 'Binds', 'HostConfig.Binds');
  if (binds?.length) refuse('HostConfig.Binds (-v)', 'kctl has no volumes or bind mounts yet, and does not ignore a mount');
  const mounts = hc.Mounts;
  if (mounts !== undefined && mounts !== null) {
    if (!Array.isArray(mounts)) typeError('HostConfig.Mounts', 'a list');
    if (mounts.length) refuse('HostConfig.Mounts (--mount)', 'kctl has no volumes or bind mounts yet, and does not ignore a mount');
  }
  const vols = optObject(body, 'Volumes', 'Config.Volumes');
  if (vols && Object.keys(vols).length) refuse('Config.Volumes (anonymous volumes)', 'kctl has no volumes yet');
  const ports = optObject(hc, 'PortBindings', 'HostConfig.PortBindings');
  if (ports && Object.values(ports).some((b) => Array.isArray(b) && b.length)) refuse('HostConfig.PortBindings (-p)', 'kctl cannot publish ports yet');
  if (optBool(hc, 'PublishAllPorts', 'HostConfig.PublishAllPorts')) refuse('HostConfig.PublishAllPorts (-P)', 'kctl cannot publish ports yet');
  const devices = hc.Devices;
  if (Array.isArray(devices) && devices.length) refuse('HostConfig.Devices (--device)', 'host devices are not passed into the VM');
  if (optBool(hc, 'Privileged', 'HostConfig.Privileged')) refuse('HostConfig.Privileged (--privileged)', 'the container runs in its own VM and is not given the guest kernel\'s full privileges');
  const netMode = optString(hc, 'NetworkMode', 'HostConfig.NetworkMode') ?? '';
  if (!NETWORK_MODES.includes(netMode)) refuse(`network mode "${netMode}"`, 'kctl has only its default network');

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
  };
}
