/** Flags shared by `run` and `create`, and their translation into the daemon's ContainerConfig. */
import fs from 'node:fs';
import path from 'node:path';
import { Flags } from '@oclif/core';
import { invalidArgument } from '../core/errors.js';
import { parseBytes } from './units.js';
import { parseRestartPolicy } from '../core/containers/restart.js';
import type { ContainerConfig } from '../api/gen/kctl/v1/ContainerConfig.js';

const many = { multiple: true, multipleNonGreedy: true } as const;

export const containerFlags = {
  name: Flags.string({ description: 'Assign a name to the container' }),
  env: Flags.string({ char: 'e', description: 'Set environment variables (VAR=value, or VAR to pass it from this shell)', ...many }),
  'env-file': Flags.string({ description: 'Read in a file of environment variables', ...many }),
  workdir: Flags.string({ char: 'w', description: 'Working directory inside the container' }),
  user: Flags.string({ char: 'u', description: 'Username or UID (format: <name|uid>[:<group|gid>])' }),
  entrypoint: Flags.string({ description: 'Overwrite the default ENTRYPOINT of the image ("" clears it)' }),
  hostname: Flags.string({ char: 'h', description: 'Container host name' }),
  label: Flags.string({ char: 'l', description: 'Set meta data on a container (key=value)', ...many }),
  memory: Flags.string({ char: 'm', description: "Memory of the container's VM (e.g. 512m, 1g)" }),
  cpus: Flags.string({ description: "Number of CPUs of the container's VM (rounded up to whole vCPUs)" }),
  interactive: Flags.boolean({ char: 'i', description: 'Keep STDIN open even if not attached' }),
  tty: Flags.boolean({ char: 't', description: 'Allocate a pseudo-TTY' }),
  rm: Flags.boolean({ description: 'Automatically remove the container and its VM when it exits' }),
  'stop-signal': Flags.string({ description: 'Signal to stop the container' }),
  'stop-timeout': Flags.integer({ description: 'Timeout (in seconds) to stop a container' }),
  pull: Flags.string({ description: 'Pull image before running', options: ['always', 'missing', 'never'], default: 'missing' }),
  platform: Flags.string({ description: 'Set platform if server is multi-platform capable (os/arch[/variant])' }),
  quiet: Flags.boolean({ char: 'q', description: 'Suppress the pull output and the isolation report' }),
  restart: Flags.string({ description: 'Restart policy to apply when a container exits (no, on-failure[:max-retries], always, unless-stopped)', default: 'no' }),
  publish: Flags.string({ char: 'p', description: "Publish a container's port(s) to the host ([ip:][hostPort:]containerPort[/udp])", ...many }),
  'publish-all': Flags.boolean({ char: 'P', description: 'Publish all exposed ports to random host ports' }),
  network: Flags.string({ description: 'Connect the container to a network (bridge, none, or a network from `network create`)', aliases: ['net'] }),
  'network-alias': Flags.string({ description: 'Add a network-scoped alias for the container (user-defined networks)', ...many }),
  ip: Flags.string({ description: 'IPv4 address on the user-defined network of --network (e.g., 172.30.100.104)' }),
  volume: Flags.string({ char: 'v', description: 'Bind mount a volume (/host:/ctr[:ro], name:/ctr[:ro])', ...many }),
  mount: Flags.string({ description: 'Attach a filesystem mount (type=bind|volume|tmpfs,source=,target=[,readonly])', ...many }),
  tmpfs: Flags.string({ description: 'Mount a tmpfs directory (/path[:size=64m,mode=1777,...])', ...many }),
  'read-only': Flags.boolean({ description: "Mount the container's root filesystem as read only" }),
  dns: Flags.string({ description: 'Set custom DNS servers', ...many }),
  'add-host': Flags.string({ description: 'Add a custom host-to-IP mapping (host:ip)', ...many }),
  init: Flags.boolean({ description: 'Run an init inside the container that forwards signals and reaps processes' }),
  'log-opt': Flags.string({ description: 'Log driver options (json-file: max-size=10m, max-file=3)', ...many }),
};

export interface ContainerFlagValues {
  name?: string; env?: string[]; 'env-file'?: string[]; workdir?: string; user?: string; entrypoint?: string;
  hostname?: string; label?: string[]; memory?: string; cpus?: string; interactive: boolean; tty: boolean;
  rm: boolean; 'stop-signal'?: string; 'stop-timeout'?: number; pull: string; platform?: string; quiet: boolean;
  restart?: string;
  publish?: string[]; 'publish-all'?: boolean; network?: string; 'network-alias'?: string[]; ip?: string; volume?: string[]; mount?: string[];
  tmpfs?: string[]; 'read-only'?: boolean; dns?: string[]; 'add-host'?: string[];
  init?: boolean; 'log-opt'?: string[];
}

/** --log-opt key=value, repeated. */
export function parseLogOpts(list: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of list) {
    const i = o.indexOf('=');
    if (i <= 0) throw invalidArgument(`invalid log opt format: ${o} (use key=value)`);
    out[o.slice(0, i)] = o.slice(i + 1);
  }
  return out;
}

export function restartPolicyFlag(value: string | undefined): { name: string; maximumRetryCount: number } | undefined {
  const p = parseRestartPolicy(value);
  return p.Name === 'no' ? undefined : { name: p.Name, maximumRetryCount: p.MaximumRetryCount };
}

/** Docker's --env-file format: VAR=value per line, # comments, VAR alone takes it from the environment. */
export function readEnvFile(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw invalidArgument(`open ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
  }
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/^\s+/, '').replace(/\r$/, '');
    if (!line || line.startsWith('#')) continue;
    out.push(...expandEnv([line]));
  }
  return out;
}

/** VAR without a value takes this shell's value, or is dropped when unset (Docker). */
export function expandEnv(list: string[]): string[] {
  const out: string[] = [];
  for (const e of list) {
    const i = e.indexOf('=');
    if (i === 0) throw invalidArgument(`invalid environment variable: ${e}`);
    if (i > 0) out.push(e);
    else if (process.env[e] !== undefined) out.push(`${e}=${process.env[e]}`);
  }
  return out;
}

export function parseLabels(list: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of list) {
    const i = l.indexOf('=');
    out[i < 0 ? l : l.slice(0, i)] = i < 0 ? '' : l.slice(i + 1);
  }
  return out;
}

export function toContainerConfig(f: ContainerFlagValues, image: string, cmd: string[]): ContainerConfig {
  let cpus = 0;
  if (f.cpus !== undefined) {
    cpus = Number(f.cpus);
    if (!Number.isFinite(cpus) || cpus <= 0) throw invalidArgument(`invalid argument "${f.cpus}" for "--cpus" flag: must be a positive number`);
  }
  const env = [...(f['env-file'] ?? []).flatMap(readEnvFile), ...expandEnv(f.env ?? [])];
  return {
    image,
    name: f.name ?? '',
    cmd: cmd.length ? { values: cmd } : undefined,
    entrypoint: f.entrypoint !== undefined ? { values: f.entrypoint === '' ? [] : [f.entrypoint] } : undefined,
    env,
    workingDir: f.workdir ?? '',
    user: f.user ?? '',
    hostname: f.hostname ?? '',
    labels: parseLabels(f.label),
    tty: f.tty,
    openStdin: f.interactive,
    memoryBytes: f.memory !== undefined ? parseBytes(f.memory) : 0,
    cpus,
    autoRemove: f.rm,
    stopSignal: f['stop-signal'] ?? '',
    stopTimeout: f['stop-timeout'] ?? -1,
    pullMissing: f.pull !== 'never',
    restartPolicy: restartPolicyFlag(f.restart),
    publish: f.publish ?? [],
    publishAll: !!f['publish-all'],
    network: f.network ?? '',
    networkAliases: f['network-alias'] ?? [],
    ip: f.ip ?? '',
    volumes: (f.volume ?? []).map(absoluteVolumeSource),
    mounts: (f.mount ?? []).map(absoluteMountSource),
    tmpfs: f.tmpfs ?? [],
    readOnly: !!f['read-only'],
    dns: f.dns ?? [],
    addHosts: f['add-host'] ?? [],
    logOpts: parseLogOpts(f['log-opt']),
    init: !!f.init,
  };
}

/** `-v ./data:/data`: a source starting with `.` or `~` is a host path relative to this shell. */
export function absoluteVolumeSource(v: string): string {
  const i = v.indexOf(':');
  if (i <= 0) return v;
  const src = v.slice(0, i);
  if (src === '~' || src.startsWith('~/')) return path.join(process.env.HOME ?? '/', src.slice(1)) + v.slice(i);
  if (src === '.' || src === '..' || src.startsWith('./') || src.startsWith('../')) return path.resolve(src) + v.slice(i);
  return v;
}

/** `--mount type=bind,source=./x,...`: resolves a relative bind source against this shell's directory. */
export function absoluteMountSource(m: string): string {
  if (!/(^|,)type=bind(,|$)/.test(m)) return m;
  return m.split(',').map((f) => {
    const mm = /^(source|src)=(.+)$/.exec(f);
    if (!mm || mm[2]!.startsWith('/')) return f;
    return `${mm[1]}=${path.resolve(mm[2]!)}`;
  }).join(',');
}
