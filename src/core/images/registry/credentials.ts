/**
 * Registry credentials in the docker CLI's file, ~/.docker/config.json (or $DOCKER_CONFIG/config.json),
 * so `kctl login` and `docker login` share one set:
 *   - `auths`: { "<registry>": { "auth": base64("user:password"), "identitytoken"?: ... } }
 *   - `credsStore`: a credential helper for every registry (docker-credential-<name>)
 *   - `credHelpers`: { "<registry>": "<name>" }, taking precedence over credsStore
 * Docker Hub's entry is keyed "https://index.docker.io/v1/". The file is written atomically with
 * mode 0600, keeping every key kctl does not manage.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { KctlError, deadlineExceeded, invalidArgument, tail, unavailable } from '../../errors.js';
import { writeJsonAtomic } from '../../util/fsx.js';
import type { DaemonConfig } from '../../config.js';
import { isInsecureRegistry } from '../../config.js';
import { RegistryClient } from './client.js';
import { redact, type AuthConfig } from './auth.js';
import { printable } from '../digest.js';

export const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';
const HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);
const HELPER_TIMEOUT_MS = 10_000;
const HELPER_MAX_OUTPUT = 64 * 1024;

interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string; email?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [k: string]: unknown;
}

export interface CredentialsOptions {
  /** The config.json to use (default: $DOCKER_CONFIG/config.json or ~/.docker/config.json). */
  file?: string;
  helperTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.DOCKER_CONFIG || path.join(env.HOME || os.homedir(), '.docker');
  return path.join(dir, 'config.json');
}

/** The key a registry has in config.json: Docker Hub's legacy URL, otherwise host[:port]. */
export function credentialKey(registry: string): string {
  const host = hostOf(registry);
  return HUB_ALIASES.has(host) ? DOCKER_HUB_KEY : host;
}

/** Docker's ConvertToHostname: strips a scheme and any path. */
function hostOf(s: string): string {
  const noScheme = s.replace(/^[a-z]+:\/\//i, '');
  return noScheme.split('/')[0].toLowerCase();
}

async function readConfig(file: string): Promise<DockerConfigFile> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new KctlError('permission_denied', `cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
    return v as DockerConfigFile;
  } catch (err) {
    throw invalidArgument(`${file} is not valid JSON: ${(err as Error).message}`, { hint: 'fix or remove the file, then log in again' });
  }
}

function helperFor(cfg: DockerConfigFile, key: string): string | undefined {
  const h = cfg.credHelpers?.[key] ?? cfg.credHelpers?.[hostOf(key)] ?? cfg.credsStore;
  if (h === undefined || h === '') return undefined;
  if (!/^[A-Za-z0-9._-]+$/.test(h)) throw invalidArgument(`invalid credential helper name ${JSON.stringify(printable(h, 40))} in docker config`);
  return h;
}

/** Credentials for a registry (`docker.io`, `localhost:5000`), or undefined when there are none. */
export async function readCredentials(registry: string, o: CredentialsOptions = {}): Promise<AuthConfig | undefined> {
  const file = o.file ?? dockerConfigPath(o.env);
  const cfg = await readConfig(file);
  const key = credentialKey(registry);
  const helper = helperFor(cfg, key);
  if (helper) {
    const res = await runHelper(helper, 'get', key, o.helperTimeoutMs);
    if (res === undefined) return undefined;
    let parsed: { Username?: unknown; Secret?: unknown };
    try {
      parsed = JSON.parse(res);
    } catch {
      throw unavailable(`credential helper docker-credential-${helper} returned invalid output`);
    }
    const username = typeof parsed.Username === 'string' ? parsed.Username : '';
    const secret = typeof parsed.Secret === 'string' ? parsed.Secret : '';
    if (!secret) return undefined;
    // "<token>" as the user name means the secret is an identity (refresh) token.
    return username === '<token>' ? { identitytoken: secret, serveraddress: key } : { username, password: secret, serveraddress: key };
  }
  const auths = cfg.auths ?? {};
  const entry = auths[key] ?? Object.entries(auths).find(([k]) => credentialKey(k) === key)?.[1];
  if (!entry) return undefined;
  const out: AuthConfig = { serveraddress: key };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const c = decoded.indexOf(':');
    if (c <= 0) throw invalidArgument(`invalid "auth" entry for ${key} in ${file}`, { hint: `log in again: kctl login ${registry}` });
    out.username = decoded.slice(0, c);
    out.password = decoded.slice(c + 1);
  } else if (entry.username) {
    out.username = entry.username;
    out.password = entry.password;
  }
  if (entry.identitytoken) out.identitytoken = entry.identitytoken;
  return out.username || out.identitytoken ? out : undefined;
}

/** Saves credentials (after `login` checked them): in the helper when one is configured. */
export async function saveCredentials(registry: string, auth: { username: string; password: string } | { identitytoken: string }, o: CredentialsOptions = {}): Promise<void> {
  const file = o.file ?? dockerConfigPath(o.env);
  const cfg = await readConfig(file);
  const key = credentialKey(registry);
  const helper = helperFor(cfg, key);
  if (helper) {
    const payload = 'identitytoken' in auth
      ? { ServerURL: key, Username: '<token>', Secret: auth.identitytoken }
      : { ServerURL: key, Username: auth.username, Secret: auth.password };
    await runHelper(helper, 'store', JSON.stringify(payload), o.helperTimeoutMs);
    if (cfg.auths?.[key]) {
      delete cfg.auths[key];
      await writeConfig(file, cfg);
    }
    return;
  }
  cfg.auths ??= {};
  cfg.auths[key] = 'identitytoken' in auth ? { auth: '', identitytoken: auth.identitytoken } : { auth: Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64') };
  await writeConfig(file, cfg);
}

/** Removes credentials; returns false when there were none. */
export async function removeCredentials(registry: string, o: CredentialsOptions = {}): Promise<boolean> {
  const file = o.file ?? dockerConfigPath(o.env);
  const cfg = await readConfig(file);
  const key = credentialKey(registry);
  const helper = helperFor(cfg, key);
  let removed = false;
  if (helper) {
    removed = (await runHelper(helper, 'erase', key, o.helperTimeoutMs)) !== undefined;
  }
  if (cfg.auths?.[key]) {
    delete cfg.auths[key];
    await writeConfig(file, cfg);
    removed = true;
  }
  return removed;
}

async function writeConfig(file: string, cfg: DockerConfigFile): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeJsonAtomic(file, cfg, 0o600);
}

/**
 * Runs `docker-credential-<name> <action>` with `input` on stdin, bounded in time and output.
 * Returns stdout, or undefined when the helper has no credentials for the server.
 */
async function runHelper(name: string, action: 'get' | 'store' | 'erase', input: string, timeoutMs = HELPER_TIMEOUT_MS): Promise<string | undefined> {
  const prog = `docker-credential-${name}`;
  return new Promise((resolve, reject) => {
    let child;
    try {
      // Own process group, so a helper that forks can be stopped as a whole on timeout.
      child = spawn(prog, [action], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    } catch (err) {
      reject(unavailable(`cannot run ${prog}: ${(err as Error).message}`));
      return;
    }
    let out = '';
    let errText = '';
    let done = false;
    const finish = (fn: () => void) => { if (!done) { done = true; clearTimeout(timer); fn(); } };
    const timer = setTimeout(() => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      child.stdout.destroy();
      child.stderr.destroy();
      finish(() => reject(deadlineExceeded(`credential helper ${prog} did not answer within ${Math.round(timeoutMs / 1000)}s`, { hint: 'check the helper (is a keychain prompt waiting?), or remove "credsStore" from the docker config' })));
    }, timeoutMs);
    child.stdout.on('data', (c: Buffer) => { if (out.length < HELPER_MAX_OUTPUT) out += c.toString('utf8'); });
    child.stderr.on('data', (c: Buffer) => { if (errText.length < HELPER_MAX_OUTPUT) errText += c.toString('utf8'); });
    child.on('error', (err: NodeJS.ErrnoException) => finish(() => reject(unavailable(err.code === 'ENOENT' ? `credential helper ${prog} is not installed` : `cannot run ${prog}: ${err.message}`, { hint: 'install the helper or remove "credsStore"/"credHelpers" from the docker config' }))));
    child.on('close', (code) => finish(() => {
      if (code === 0) return resolve(out);
      const msg = (out + errText).trim();
      if (/credentials not found/i.test(msg)) return resolve(undefined);
      reject(unavailable(`credential helper ${prog} ${action} failed (exit ${code})`, { detail: tail(redact(printable(msg, 2000))) }));
    }));
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

/** The API base URL of a registry: Docker Hub's quirk, https, or http for insecure ones. */
export function registryBaseUrl(registry: string, cfg: DaemonConfig): string {
  const host = hostOf(registry || 'docker.io');
  if (HUB_ALIASES.has(host)) return 'https://registry-1.docker.io';
  return `${isInsecureRegistry(host, cfg) ? 'http' : 'https'}://${host}`;
}

/**
 * Checks credentials against the registry's /v2/ (running the token flow where the registry
 * asks for it) and, when they work, saves them. Returns Docker's message.
 */
export async function login(registry: string, username: string, password: string, o: CredentialsOptions & { config: DaemonConfig; save?: boolean }): Promise<{ status: string; serverAddress: string }> {
  if (!username || !password) throw invalidArgument('login needs a username and a password');
  await checkCredentials(registry, { username, password }, o.config);
  if (o.save !== false) await saveCredentials(registry, { username, password }, o);
  return { status: 'Login Succeeded', serverAddress: credentialKey(registry) };
}

/** The daemon side of login: are these credentials accepted by the registry? */
export async function checkCredentials(registry: string, auth: AuthConfig, cfg: DaemonConfig): Promise<void> {
  const client = new RegistryClient({ base: registryBaseUrl(registry, cfg), auth, insecureTls: isInsecureRegistry(hostOf(registry || 'docker.io'), cfg), allowHttp: (h) => isInsecureRegistry(h, cfg), retries: 2 });
  await client.ping();
}

/** Logs out: removes saved credentials. */
export async function logout(registry: string, o: CredentialsOptions = {}): Promise<{ removed: boolean; serverAddress: string }> {
  return { removed: await removeCredentials(registry, o), serverAddress: credentialKey(registry) };
}
