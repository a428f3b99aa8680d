/**
 * Test harness for end-to-end tests of the built CLI: each KctlEnv owns a fresh state root (its
 * own daemon, images, containers and VMs), runs `node bin/run.js ...` against it, and on teardown
 * stops the daemon and removes every process, mount and file the root holds.
 */
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
export const KCTL_BIN = path.join(REPO, 'bin', 'run.js');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Fixtures {
  KCTL_FIXTURES_DIR: string;
  KCTL_FIXTURE_BUSYBOX: string;
  KCTL_FIXTURE_LAYERS: string;
  KCTL_FIXTURE_MULTIARCH: string;
  KCTL_FIXTURE_DOCKER_ARCHIVE: string;
  KCTL_FIXTURE_OCI_ARCHIVE: string;
  KCTL_FIXTURE_NGINX?: string;
}

/** The locally built test images (test/fixtures/build-images.sh), built on first use and cached. */
export function fixtures(o: { nginx?: boolean } = {}): Fixtures {
  const base = process.env.KCTL_FIXTURES || '/var/cache/kctl/fixtures';
  const read = () => {
    try {
      return JSON.parse(fs.readFileSync(path.join(base, 'current', 'fixtures.json'), 'utf8')) as Fixtures;
    } catch {
      return undefined;
    }
  };
  let f = read();
  if (!f || !fs.existsSync(f.KCTL_FIXTURE_DOCKER_ARCHIVE) || (o.nginx && !f.KCTL_FIXTURE_NGINX)) {
    execFileSync('bash', [path.join(REPO, 'test', 'fixtures', 'build-images.sh'), ...(o.nginx ? ['--nginx'] : [])], { stdio: ['ignore', 'ignore', 'inherit'] });
    f = read();
  }
  if (!f) throw new Error('test fixtures could not be built');
  return f;
}

/**
 * Runs a program to its end; resolves with its exit code and output (never rejects on a non-zero
 * exit). Rejects, after killing it, when it outlives `timeoutMs`; `detail` adds to that error.
 */
export function runProgram(
  file: string,
  args: string[],
  o: { env: NodeJS.ProcessEnv; timeoutMs: number; what: string; cwd?: string; input?: string | Buffer; detail?: () => string },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: o.env, cwd: o.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${o.what} did not finish within ${o.timeoutMs} ms\nstderr: ${Buffer.concat(err)}${o.detail ? `\n${o.detail()}` : ''}`));
    }, o.timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
    child.stdin.end(o.input ?? '');
  });
}

export class KctlEnv {
  readonly root: string;

  constructor(label = 't') {
    // Short: unix socket paths under the root must stay below 108 bytes.
    this.root = fs.mkdtempSync(`/tmp/kctl-${label}-`);
    // Like /var/lib/kctl: traversable (not readable) by others, so unprivileged helpers (passt) reach their own dirs.
    fs.chmodSync(this.root, 0o711);
  }

  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return { ...process.env, KCTL_ROOT: this.root, NO_COLOR: '1', ...extra };
  }

  /** Runs the CLI; resolves with its exit code and output (never rejects on a non-zero exit). */
  run(args: string[], o: { input?: string | Buffer; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
    return runProgram(process.execPath, [KCTL_BIN, ...args], { env: this.env(o.env), input: o.input, timeoutMs: o.timeoutMs ?? 120000, what: `kctl ${args.join(' ')}` });
  }

  /** The environment of a Docker client (docker CLI, compose) talking to this root's Docker API socket. */
  dockerEnv(): NodeJS.ProcessEnv {
    return { PATH: process.env.PATH, HOME: this.root, DOCKER_HOST: `unix://${path.join(this.root, 'docker.sock')}`, DOCKER_CONFIG: path.join(this.root, 'docker-config') };
  }

  /** Like run, but throws unless the exit code is 0. */
  async ok(args: string[], o: Parameters<KctlEnv['run']>[1] = {}): Promise<string> {
    const r = await this.run(args, o);
    if (r.code !== 0) throw new Error(`kctl ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return r.stdout;
  }

  /** Pids of the processes (QEMU, virtiofsd) that VMs of this root still have. */
  vmPids(): number[] {
    const pids: number[] = [];
    const vms = path.join(this.root, 'vms');
    if (!fs.existsSync(vms)) return pids;
    for (const d of fs.readdirSync(vms)) {
      try {
        const vm = JSON.parse(fs.readFileSync(path.join(vms, d, 'vm.json'), 'utf8'));
        for (const p of [vm.qemuPid, ...(vm.virtiofsd ?? []).map((v: { pid: number }) => v.pid), ...(vm.netHelpers ?? []).map((v: { pid: number }) => v.pid)]) if (p && alive(p)) pids.push(p);
      } catch { /* a half-written VM dir */ }
    }
    return pids;
  }

  /** Stops the daemon and removes everything of this root: VMs, mounts, files. */
  async teardown(): Promise<void> {
    await this.run(['system', 'stop'], { timeoutMs: 20000 }).catch(() => undefined);
    for (const pid of this.vmPids()) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    // Anything still holding a file of the root (a daemon that did not stop, a straggler).
    for (const pid of processesUnder(this.root)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    for (const m of mountsUnder(this.root).reverse()) {
      try { execFileSync('umount', ['-l', m], { stdio: 'ignore' }); } catch { /* not mounted */ }
    }
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) Z /.test(stat);
  } catch {
    return false;
  }
}

export function mountsUnder(root: string): string[] {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m) => m && (m === root || m.startsWith(root + '/')));
}

/** Processes whose command line names the root (daemons and VM processes of this root). */
export function processesUnder(root: string): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8');
      const env = fs.readFileSync(`/proc/${d}/environ`, 'utf8');
      if (cmd.includes(root) || env.includes(`KCTL_ROOT=${root}\0`)) out.push(Number(d));
    } catch { /* gone */ }
  }
  return out;
}

/**
 * Polls `fn` until it returns a value. The bound only keeps a broken run from hanging: tests assert
 * on the state reached, never on how long it took.
 */
export async function eventually<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, boundMs = 30000): Promise<T> {
  const end = Date.now() + boundMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function hostKernel(): string {
  return execFileSync('uname', ['-r']).toString().trim();
}
