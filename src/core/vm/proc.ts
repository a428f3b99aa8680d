/**
 * Process facts from /proc, used to tell a live VM process from a dead one or from an unrelated
 * process that reused its PID after a daemon restart, and the detached start of the processes
 * that outlive kctld (QEMU, virtiofsd, passt, the network switches).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { tail, unavailable } from '../errors.js';

export interface ProcStat {
  state: string;
  pgrp: number;
  /** Field 22 of /proc/<pid>/stat: start time in clock ticks since boot. */
  startTime: string;
}

export function readProcStat(pid: number): ProcStat | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  return parseProcStat(text);
}

/** Parses /proc/<pid>/stat. The comm field may hold spaces and parentheses, so split after the last ')'. */
export function parseProcStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const f = text.slice(close + 2).trim().split(/\s+/);
  // f[0] is field 3 (state); field N is f[N - 3].
  if (f.length < 20) return undefined;
  return { state: f[0], pgrp: Number(f[2]), startTime: f[19] };
}

/** True when `pid` runs (not a zombie) and started at `startTime`. */
export function isSameLiveProcess(pid: number, startTime: string): boolean {
  const st = readProcStat(pid);
  return !!st && st.startTime === startTime && st.state !== 'Z' && st.state !== 'X';
}

/** Sends `signal` to the process group led by `pid` (kctl starts each VM process as a group leader), if it is still the same process. */
export function killGroupIfSame(pid: number, startTime: string, signal: NodeJS.Signals): boolean {
  const st = readProcStat(pid);
  if (!st || st.startTime !== startTime) return false;
  try {
    if (st.pgrp === pid) process.kill(-pid, signal);
    else process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Whether any process other than a zombie remains in process group `pgrp`. */
export function groupHasLiveMembers(pgrp: number): boolean {
  return liveProcessGroups().has(pgrp);
}

/** The process groups that have a live (not zombie) member: one scan of /proc. */
export function liveProcessGroups(): Set<number> {
  const groups = new Set<number>();
  let names: string[];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return groups;
  }
  for (const n of names) {
    if (!/^\d+$/.test(n)) continue;
    const st = readProcStat(Number(n));
    if (st && st.state !== 'Z' && st.state !== 'X') groups.add(st.pgrp);
  }
  return groups;
}

/** The Seccomp: line of /proc/<pid>/status (0 off, 1 strict, 2 filter), or undefined. */
export function seccompMode(pid: number): number | undefined {
  try {
    const m = /^Seccomp:\s*(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a unix socket is bound to `socketPath` and listening, from /proc/net/unix (no connection made). */
export function isUnixSocketListening(socketPath: string): boolean {
  let text: string;
  try {
    text = fs.readFileSync('/proc/net/unix', 'utf8');
  } catch {
    return false;
  }
  for (const line of text.split('\n')) {
    // Num RefCount Protocol Flags Type St Inode Path
    const f = line.trim().split(/\s+/);
    if (f.length >= 8 && f.slice(7).join(' ') === socketPath && (parseInt(f[3], 16) & 0x10000) !== 0) return true;
  }
  return false;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The last lines of a log file (at most `maxBytes` of it), '' when it cannot be read. */
export function readTail(file: string, maxBytes = 8192): string {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const len = Math.min(size, maxBytes);
      const buf = Buffer.alloc(len);
      fs.readSync(fd, buf, 0, len, size - len);
      return tail(buf.toString('utf8'));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
}

/**
 * Starts a process that outlives kctld: its own session and process group, stdin closed, stdout
 * and stderr appended to `logFile`, and its start time read for later identity checks. `fds` are
 * inherited as descriptors 3, 4, ... in that order. Throws `unavailable` (naming `what`) when it
 * cannot be started or is gone at once.
 */
export async function spawnDetached(
  file: string,
  args: string[],
  o: { logFile: string; what: string; env: NodeJS.ProcessEnv; uid?: number; hint?: string; fds?: number[] },
): Promise<{ child: ChildProcess; pid: number; startTime: string }> {
  const fd = fs.openSync(o.logFile, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_APPEND, 0o600);
  let child: ChildProcess;
  try {
    child = spawn(file, args, { detached: true, stdio: ['ignore', fd, fd, ...(o.fds ?? [])], env: o.env, cwd: '/', ...(o.uid !== undefined ? { uid: o.uid, gid: o.uid } : {}) });
  } finally {
    fs.closeSync(fd);
  }
  const pid = child.pid;
  if (pid === undefined) {
    const err = await new Promise<Error>((resolve) => child.once('error', resolve));
    throw unavailable(`cannot start ${o.what} (${file}): ${err.message}`, { cause: err, ...(o.hint ? { hint: o.hint } : {}) });
  }
  child.on('error', () => {});
  child.unref();
  const st = readProcStat(pid);
  // Exited (and was reaped) before its start time could be read.
  if (!st) throw unavailable(`${o.what} exited immediately`, { detail: readTail(o.logFile) });
  return { child, pid, startTime: st.startTime };
}
