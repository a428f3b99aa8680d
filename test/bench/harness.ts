/**
 * The measuring tools of kctl's benchmark: timed child processes (every one bounded), process
 * memory from /proc, a LIFO cleanup stack that also runs on Ctrl-C, and crun as the classic
 * container baseline.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// ------------------------------------------------------------------------------- cleanup

type Cleanup = { what: string; fn: () => Promise<void> | void };
const cleanups: Cleanup[] = [];

/** Registers `fn` to run at the end (or on SIGINT/SIGTERM), most recent first. Returns an unregister function. */
export function onCleanup(what: string, fn: () => Promise<void> | void): () => void {
  const c = { what, fn };
  cleanups.push(c);
  return () => {
    const i = cleanups.indexOf(c);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

/** Runs every registered cleanup, most recent first; a failing cleanup is reported and the rest still run. */
export async function runCleanups(): Promise<void> {
  while (cleanups.length) {
    const c = cleanups.pop()!;
    try {
      await c.fn();
    } catch (err) {
      process.stderr.write(`bench: cleanup "${c.what}" failed: ${(err as Error).message}\n`);
    }
  }
}

// ------------------------------------------------------------------------------- timed commands

export interface Timed {
  ms: number;
  code: number;
  stdout: string;
  stderr: string;
  /** Date.now() at spawn and at exit (to line a run up with the daemon's log). */
  startedAt: number;
  endedAt: number;
}

export interface TimedOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  cwd?: string;
  detached?: boolean;
}

const inflight = new Set<ChildProcess>();

/** Kills every command still running (Ctrl-C): the waits on them fail at once. */
export function killInflight(): void {
  for (const c of inflight) c.kill('SIGKILL');
}

/**
 * Spawns `file args`, times spawn -> exit with the monotonic clock; kills it (SIGKILL) after
 * timeoutMs. `detached` commands leave a process behind that inherits nothing of ours (stdio
 * ignored), so the wait ends when the command itself exits.
 */
export function timed(file: string, args: string[], o: TimedOptions = {}): Promise<Timed> {
  const timeoutMs = o.timeoutMs ?? 120_000;
  return new Promise((resolve, reject) => {
    const startedAt = Date.now();
    const t0 = process.hrtime.bigint();
    let child: ChildProcess;
    try {
      child = spawn(file, args, { env: o.env ?? process.env, cwd: o.cwd, stdio: ['ignore', o.detached ? 'ignore' : 'pipe', o.detached ? 'ignore' : 'pipe'] });
    } catch (err) {
      reject(err);
      return;
    }
    inflight.add(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => err.push(d));
    let settled = false;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      inflight.delete(child);
      f();
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      // A grandchild may still hold our pipes: do not wait for them.
      child.stdout?.destroy();
      child.stderr?.destroy();
      const stderr = Buffer.concat(err).toString();
      finish(() => reject(new Error(`${path.basename(file)} ${args.join(' ')} did not finish within ${timeoutMs} ms; stderr: ${tail(stderr)}`)));
    }, timeoutMs);
    child.on('error', (e) => finish(() => reject(e)));
    child.on('close', (code, signal) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      finish(() => resolve({ ms, code: code ?? (signal ? 128 : -1), stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), startedAt, endedAt: Date.now() }));
    });
  });
}

/** Like timed, but throws (with the tail of stderr) unless the command exits 0. */
export async function timedOk(file: string, args: string[], o: TimedOptions = {}): Promise<Timed> {
  const r = await timed(file, args, o);
  if (r.code !== 0) throw new Error(`${path.basename(file)} ${args.join(' ')} exited ${r.code}: ${tail(r.stderr || r.stdout)}`);
  return r;
}

export function tail(s: string, n = 600): string {
  const t = s.trim();
  return t.length > n ? '...' + t.slice(-n) : t;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// ------------------------------------------------------------------------------- memory

export interface Mem {
  pssKiB: number;
  rssKiB: number;
}

/** PSS and RSS of one process from /proc/PID/smaps_rollup (undefined when it is gone). */
export function processMem(pid: number): Mem | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const field = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
    const pss = field('Pss');
    const rss = field('Rss');
    if (!Number.isFinite(pss) || !Number.isFinite(rss)) return undefined;
    return { pssKiB: pss, rssKiB: rss };
  } catch {
    return undefined;
  }
}

/** The given processes and all their descendants (virtiofsd forks its sandboxed worker; wrappers exec). */
export function withDescendants(pids: number[]): number[] {
  const parent = new Map<number, number>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (after[0] === 'Z') continue;
      parent.set(Number(d), Number(after[1]));
    } catch { /* exited */ }
  }
  const want = new Set(pids.filter((p) => parent.has(p)));
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parent) {
      if (!want.has(pid) && want.has(ppid)) {
        want.add(pid);
        grew = true;
      }
    }
  }
  return [...want];
}

export function sumMem(pids: number[]): Mem & { processes: number } {
  let pssKiB = 0;
  let rssKiB = 0;
  let processes = 0;
  for (const p of pids) {
    const m = processMem(p);
    if (!m) continue;
    pssKiB += m.pssKiB;
    rssKiB += m.rssKiB;
    processes++;
  }
  return { pssKiB, rssKiB, processes };
}

/** The QEMU, virtiofsd and passt pids recorded in a state root's vms/<id>/vm.json files, per VM (QEMU first). */
export function vmProcessPids(root: string): number[][] {
  const out: number[][] = [];
  const vms = path.join(root, 'vms');
  if (!fs.existsSync(vms)) return out;
  for (const d of fs.readdirSync(vms)) {
    try {
      const vm = JSON.parse(fs.readFileSync(path.join(vms, d, 'vm.json'), 'utf8')) as { qemuPid?: number; virtiofsd?: Array<{ pid?: number }>; netHelpers?: Array<{ pid?: number }> };
      const pids = [vm.qemuPid, ...(vm.virtiofsd ?? []).map((v) => v.pid), ...(vm.netHelpers ?? []).map((v) => v.pid)].filter((p): p is number => typeof p === 'number' && p > 0);
      out.push(pids);
    } catch { /* a half-written VM directory */ }
  }
  return out;
}

// ------------------------------------------------------------------------------- machine

export interface Machine {
  nproc: number;
  memTotalMiB: number;
  cpuModel: string;
  kernel: string;
  hostname: string;
}

export function machine(): Machine {
  const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
  return {
    nproc: os.cpus().length,
    memTotalMiB: Math.round(os.totalmem() / 1048576),
    cpuModel: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown',
    kernel: os.release(),
    hostname: os.hostname(),
  };
}

export function gitCommit(repo: string): { commit: string; dirty: boolean } {
  try {
    const commit = execFileSync('git', ['-C', repo, 'rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const status = execFileSync('git', ['-C', repo, 'status', '--porcelain', '--untracked-files=no', '--', 'src', 'native', 'guest', 'proto'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return { commit, dirty: status.trim() !== '' };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}

// ------------------------------------------------------------------------------- crun

/**
 * crun as the baseline: a bundle over a read-only rootfs, run inside a private mount namespace
 * held open by a small shell. On hybrid-cgroup hosts crun refuses to run while
 * /sys/fs/cgroup/unified/cgroup.controllers lists controllers, so the namespace bind-mounts
 * /dev/null over that file (the host itself is untouched). Each crun command enters the namespace
 * with nsenter, which adds about a millisecond.
 */
export class Crun {
  private holder?: ChildProcess;
  private readonly stateRoot: string;
  private seq = 0;
  private readonly live = new Set<string>();

  private constructor(readonly dir: string, readonly rootfs: string) {
    this.stateRoot = path.join(dir, 'state');
  }

  /** Prepares bundles in `dir` (which the caller owns) over `rootfs`, and the mount namespace. */
  static async open(dir: string, rootfs: string): Promise<Crun> {
    const c = new Crun(dir, rootfs);
    fs.mkdirSync(c.stateRoot, { recursive: true, mode: 0o700 });
    onCleanup('crun containers and namespace', () => c.close());
    await c.startHolder();
    return c;
  }

  private async startHolder(): Promise<void> {
    const script = 'set -e; f=/sys/fs/cgroup/unified/cgroup.controllers; if [ -n "$(cat "$f" 2>/dev/null)" ]; then mount --bind /dev/null "$f"; fi; echo ready; exec cat >/dev/null';
    // `cat` holds the namespace until its stdin (this process's pipe) closes, so it cannot outlive the bench.
    const h = spawn('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', script], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.holder = h;
    let err = '';
    h.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the crun mount namespace did not come up within 5 s: ${tail(err)}`)), 5000);
      h.stdout!.once('data', () => { clearTimeout(timer); resolve(); });
      h.once('exit', (code) => { clearTimeout(timer); reject(new Error(`unshare exited ${code}: ${tail(err)}`)); });
    });
  }

  /** Writes a bundle running `args` (root read-only, no terminal) and returns its directory. */
  bundle(name: string, args: string[]): string {
    const b = path.join(this.dir, `bundle-${name}`);
    fs.mkdirSync(b, { recursive: true });
    fs.rmSync(path.join(b, 'config.json'), { force: true });
    execFileSync('crun', ['spec'], { cwd: b, stdio: ['ignore', 'ignore', 'pipe'] });
    const spec = JSON.parse(fs.readFileSync(path.join(b, 'config.json'), 'utf8'));
    spec.process.args = args;
    spec.process.terminal = false;
    spec.root = { path: this.rootfs, readonly: true };
    fs.writeFileSync(path.join(b, 'config.json'), JSON.stringify(spec, null, 2));
    return b;
  }

  private argv(args: string[]): string[] {
    return ['-t', String(this.holder!.pid), '-m', '--', 'crun', '--root', this.stateRoot, ...args];
  }

  newId(): string {
    return `kctl-bench-${process.pid}-${++this.seq}`;
  }

  /** `crun run` in the foreground: creates, starts, waits and deletes the container. */
  run(bundle: string): Promise<Timed> {
    return timedOk('nsenter', this.argv(['run', '--bundle', bundle, this.newId()]), { timeoutMs: 30_000 });
  }

  /** `crun run --detach`; returns the id and the container process's pid. */
  async runDetached(bundle: string): Promise<{ id: string; pid: number; ms: number }> {
    const id = this.newId();
    this.live.add(id);
    const r = await timedOk('nsenter', this.argv(['run', '--detach', '--bundle', bundle, id]), { timeoutMs: 30_000, detached: true });
    const st = await timedOk('nsenter', this.argv(['state', id]), { timeoutMs: 10_000 });
    return { id, pid: Number(JSON.parse(st.stdout).pid), ms: r.ms };
  }

  exec(id: string, args: string[]): Promise<Timed> {
    return timedOk('nsenter', this.argv(['exec', id, ...args]), { timeoutMs: 30_000 });
  }

  async remove(id: string): Promise<void> {
    await timed('nsenter', this.argv(['delete', '--force', id]), { timeoutMs: 10_000 }).catch(() => undefined);
    this.live.delete(id);
  }

  async close(): Promise<void> {
    for (const id of [...this.live]) await this.remove(id);
    const h = this.holder;
    this.holder = undefined;
    if (h && h.exitCode === null && h.signalCode === null) {
      const gone = new Promise<void>((r) => h.once('exit', () => r()));
      h.stdin!.end();
      const timer = setTimeout(() => h.kill('SIGKILL'), 3000);
      await gone;
      clearTimeout(timer);
    }
  }
}

// ------------------------------------------------------------------------------- QEMU memory

export interface QemuMem {
  /** Guest RAM (the shared memfd backend) this process has touched. */
  guestRamPssKiB: number;
  /** TCG's translation cache (QEMU's anonymous executable mapping); absent under KVM. */
  tcgCachePssKiB: number;
  /** Everything else: QEMU's own heap, libraries, device state. */
  otherPssKiB: number;
}

/** Splits one QEMU process's PSS by mapping, from /proc/PID/smaps. */
export function qemuMem(pid: number): QemuMem | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/smaps`, 'utf8');
  } catch {
    return undefined;
  }
  const out: QemuMem = { guestRamPssKiB: 0, tcgCachePssKiB: 0, otherPssKiB: 0 };
  let kind: keyof QemuMem = 'otherPssKiB';
  for (const line of text.split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+\s+(\S{4})\s+\S+\s+\S+\s+\d+\s*(.*)$/.exec(line);
    if (head) {
      const [, perms, name] = head;
      kind = name!.startsWith('/memfd:') ? 'guestRamPssKiB' : perms!.includes('x') && name === '' ? 'tcgCachePssKiB' : 'otherPssKiB';
      continue;
    }
    const pss = /^Pss:\s+(\d+) kB/.exec(line);
    if (pss) out[kind] += Number(pss[1]);
  }
  return out;
}
