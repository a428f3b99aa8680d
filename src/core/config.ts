/**
 * The daemon configuration file, $KCTL_ROOT/daemon.json. It uses Docker's key names where the
 * setting means the same thing (`registry-mirrors`, `insecure-registries`), and kctl's own keys
 * for everything else. Like dockerd, unknown keys and wrongly typed values are refused with a
 * message naming the key, so a typo never silently does nothing.
 *
 * To add a key: add it to DaemonConfig, to DEFAULTS, and a validator to SCHEMA.
 */
import fs from 'node:fs/promises';
import net from 'node:net';
import { invalidArgument, toKctlError } from './errors.js';
import { writeJsonAtomic } from './util/fsx.js';

export interface DaemonConfig {
  /** Registries tried before Docker Hub for docker.io images, e.g. "http://127.0.0.1:5000". */
  'registry-mirrors': string[];
  /** Registries allowed over plain HTTP or with unverified TLS: "host:port" or a CIDR. */
  'insecure-registries': string[];
  /** vCPUs of a container's VM when `--cpus` is not given. */
  'default-vcpus'?: number;
  /** Memory of a container's VM in MiB when `--memory` is not given. */
  'default-memory-mib'?: number;
  /** DNS servers written to containers' /etc/resolv.conf when `--dns` is not given (Docker's key). */
  dns?: string[];
  /**
   * The containers' IPv4 network in CIDR form (Docker's key; e.g. "10.0.2.1/24"). Only the subnet is
   * used: each container's VM has it to itself, with the gateway at .2, DNS at .3, the container at .15.
   */
  bip?: string;
  /**
   * Under TCG: the size of each VM's translation cache in MiB (QEMU's tb-size). Smaller saves host
   * memory per container; larger keeps more translated guest code for big workloads. Default 16.
   */
  'tcg-tb-size-mib'?: number;
  /**
   * Kernel same-page merging: kctl always starts its VM processes (QEMU, virtiofsd, passt) with their
   * private memory open to KSM; with true, kctld also turns KSM on for the host at start
   * (/sys/kernel/mm/ksm/run), which it otherwise leaves as the host has it. Never turns it off.
   */
  ksm?: boolean;
  /**
   * Idle VMs kctld keeps booted for containers to start in (warm start, see README "Pre-booted
   * VMs"); 0 (the default) means no pool.
   */
  'pool-size'?: number;
  /** vCPUs of the pool's VMs (default: default-vcpus); only containers of this size use the pool. */
  'pool-vcpus'?: number;
  /** Memory of the pool's VMs in MiB (default: default-memory-mib); only containers of this size use the pool. */
  'pool-memory-mib'?: number;
}

export const DEFAULTS: DaemonConfig = {
  'registry-mirrors': [],
  'insecure-registries': [],
};

type Validator = (value: unknown, key: string) => unknown;

const stringList = (each: (s: string, key: string) => string): Validator => (value, key) => {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw invalidArgument(`daemon.json: "${key}" must be a list of strings`);
  }
  return (value as string[]).map((s) => each(s, key));
};

/** A mirror is an http(s) URL with no path, query or credentials; normalised without the trailing slash. */
export function validateMirror(s: string, key = 'registry-mirrors'): string {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw invalidArgument(`daemon.json: "${key}": invalid mirror URL ${JSON.stringify(s)}`, { hint: 'write it as http://host:port or https://host' });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw invalidArgument(`daemon.json: "${key}": unsupported scheme in ${JSON.stringify(s)} (use http:// or https://)`);
  if (u.username || u.password) throw invalidArgument(`daemon.json: "${key}": credentials are not allowed in a mirror URL`);
  if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash) throw invalidArgument(`daemon.json: "${key}": a mirror URL has no path: ${JSON.stringify(s)}`);
  return `${u.protocol}//${u.host}`;
}

/** An insecure registry is host[:port] or a CIDR (10.0.0.0/8); a scheme prefix is refused, as in dockerd. */
export function validateInsecureRegistry(s: string, key = 'insecure-registries'): string {
  if (/^[a-z]+:\/\//i.test(s)) throw invalidArgument(`daemon.json: "${key}": insecure registry ${JSON.stringify(s)} should not contain '://'`);
  const cidr = /^(.+)\/(\d{1,3})$/.exec(s);
  if (cidr) {
    const bits = Number(cidr[2]);
    const fam = net.isIP(cidr[1]);
    if (!fam || bits > (fam === 4 ? 32 : 128)) throw invalidArgument(`daemon.json: "${key}": invalid CIDR ${JSON.stringify(s)}`);
    return s;
  }
  if (!/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/.test(s)) throw invalidArgument(`daemon.json: "${key}": invalid registry ${JSON.stringify(s)}`);
  return s.toLowerCase();
}

const integer = (min: number, max: number): Validator => (value, key) => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidArgument(`daemon.json: "${key}" must be an integer from ${min} to ${max}`);
  }
  return value;
};

const ipAddress = (s: string, key: string): string => {
  if (!net.isIP(s)) throw invalidArgument(`daemon.json: "${key}": invalid IP address ${JSON.stringify(s)}`);
  return s;
};

const ipv4Cidr: Validator = (value, key) => {
  const m = typeof value === 'string' ? /^(.+)\/(\d{1,2})$/.exec(value) : null;
  if (!m || net.isIP(m[1]!) !== 4 || Number(m[2]) < 8 || Number(m[2]) > 24) {
    throw invalidArgument(`daemon.json: "${key}" must be an IPv4 CIDR from /8 to /24, e.g. "10.0.2.1/24"`);
  }
  return value;
};

const SCHEMA: { [K in keyof DaemonConfig]-?: Validator } = {
  dns: stringList(ipAddress),
  bip: ipv4Cidr,
  'registry-mirrors': stringList(validateMirror),
  'insecure-registries': stringList(validateInsecureRegistry),
  'default-vcpus': integer(1, 64),
  'default-memory-mib': integer(64, 1024 * 1024),
  'tcg-tb-size-mib': integer(8, 4096),
  ksm: (value, key) => {
    if (typeof value !== 'boolean') throw invalidArgument(`daemon.json: "${key}" must be true or false`);
    return value;
  },
  'pool-size': integer(0, 64),
  'pool-vcpus': integer(1, 64),
  'pool-memory-mib': integer(64, 1024 * 1024),
};

/** Validates a parsed daemon.json object; returns a complete config (defaults filled in). */
export function parseDaemonConfig(raw: unknown, source = 'daemon.json'): DaemonConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw invalidArgument(`${source}: the file must hold a JSON object`);
  const out = structuredClone(DEFAULTS) as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const validate = (SCHEMA as Record<string, Validator>)[key];
    if (!validate) {
      throw invalidArgument(`${source}: unknown key "${key}"`, { hint: `known keys: ${Object.keys(SCHEMA).join(', ')}` });
    }
    out[key] = validate(value, key);
  }
  return out as unknown as DaemonConfig;
}

/** Reads and validates daemon.json; a missing file means the defaults. */
export async function loadDaemonConfig(file: string): Promise<DaemonConfig> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return structuredClone(DEFAULTS);
    throw toKctlError(err);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw invalidArgument(`${file}: invalid JSON: ${(err as Error).message}`, { hint: 'fix the file or remove it to use the defaults' });
  }
  return parseDaemonConfig(raw, file);
}

/**
 * Changes daemon.json atomically, keeping every other key as written. `mutate` receives the raw
 * object; the result is validated before it is saved.
 */
export async function updateDaemonConfig(file: string, mutate: (raw: Record<string, unknown>) => void): Promise<DaemonConfig> {
  let raw: Record<string, unknown> = {};
  try {
    raw = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw invalidArgument(`${file}: ${(err as Error).message}`);
  }
  mutate(raw);
  const cfg = parseDaemonConfig(raw, file);
  await writeJsonAtomic(file, raw, 0o644);
  return cfg;
}

/**
 * Whether plain HTTP (or unverified TLS) is allowed for a registry host[:port]: loopback
 * registries always (as in Docker), others only when listed in insecure-registries.
 */
export function isInsecureRegistry(hostPort: string, cfg: Pick<DaemonConfig, 'insecure-registries'>): boolean {
  const host = hostOnly(hostPort);
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (net.isIP(host) === 4 && host.startsWith('127.')) return true;
  if (host === '::1') return true;
  for (const entry of cfg['insecure-registries']) {
    if (entry.includes('/')) {
      if (net.isIP(host) && inCidr(host, entry)) return true;
    } else if (entry === hostPort.toLowerCase() || entry === host.toLowerCase()) {
      return true;
    }
  }
  return false;
}

function hostOnly(hostPort: string): string {
  if (hostPort.startsWith('[')) return hostPort.slice(1, hostPort.indexOf(']'));
  const i = hostPort.lastIndexOf(':');
  return i > -1 && hostPort.indexOf(':') === i ? hostPort.slice(0, i) : hostPort;
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  const list = new net.BlockList();
  try {
    list.addSubnet(base, bits, net.isIP(base) === 6 ? 'ipv6' : 'ipv4');
    return list.check(ip, net.isIP(ip) === 6 ? 'ipv6' : 'ipv4');
  } catch {
    return false;
  }
}
