/** Resolves the process a container runs from the image config and the user's overrides, as Docker does. */
import { invalidArgument } from '../errors.js';
import type { ImageConfig } from '../images/types.js';
import type { ContainerSpec } from './types.js';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ResolvedProcess {
  args: string[];
  env: string[];
  cwd: string;
  user: string;
}

function envKey(kv: string): string {
  const i = kv.indexOf('=');
  return i < 0 ? kv : kv.slice(0, i);
}

/** Later entries win by key; order of first appearance is kept (as Docker's env merge). */
export function mergeEnv(...lists: string[][]): string[] {
  const out = new Map<string, string>();
  for (const list of lists) for (const kv of list) {
    if (kv.includes('\0')) throw invalidArgument('environment variables must not contain NUL bytes');
    if (!kv.includes('=')) continue; // unset "VAR" (the CLI resolves VAR from its own environment)
    const k = envKey(kv);
    if (!k) throw invalidArgument(`invalid environment variable: ${kv}`);
    out.set(k, kv);
  }
  return [...out.values()];
}

export function resolveProcess(spec: ContainerSpec, image: ImageConfig): ResolvedProcess {
  const c = image.config ?? {};
  const entrypoint = spec.entrypoint !== undefined ? spec.entrypoint : (c.Entrypoint ?? []);
  // Docker: overriding the entrypoint drops the image's Cmd.
  const cmd = spec.cmd && spec.cmd.length ? spec.cmd : spec.entrypoint !== undefined ? [] : (c.Cmd ?? []);
  const args = [...entrypoint, ...cmd];
  if (args.length === 0 || args[0] === '') throw invalidArgument('No command specified', { hint: 'give a command after the image name, or use an image with a CMD or ENTRYPOINT' });
  const cwd = spec.workingDir || c.WorkingDir || '/';
  if (!cwd.startsWith('/')) throw invalidArgument(`the working directory '${cwd}' is invalid, it needs to be an absolute path`);
  const base = [`PATH=${DEFAULT_PATH}`];
  const extra = [`HOSTNAME=${spec.hostname ?? ''}`].filter((e) => e !== 'HOSTNAME=');
  if (spec.tty) extra.push('TERM=xterm');
  const env = mergeEnv(base, c.Env ?? [], extra, spec.env);
  return { args, env, cwd, user: spec.user || c.User || '' };
}
