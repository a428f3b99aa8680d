/**
 * Process facts from /proc, used to tell a live VM process from a dead one or from an unrelated
 * process that reused its PID after a daemon restart.
 */
import fs from 'node:fs';

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
  let names: string[];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return false;
  }
  for (const n of names) {
    if (!/^\d+$/.test(n)) continue;
    const st = readProcStat(Number(n));
    if (st && st.pgrp === pgrp && st.state !== 'Z' && st.state !== 'X') return true;
  }
  return false;
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
