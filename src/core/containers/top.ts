/**
 * `kctl top`: the processes of a container, listed by the guest agent from the VM's /proc (QUERY
 * PROCS), so it works for every image, with or without `ps` in it. PIDs are the VM's (as Docker
 * shows the host's). Everything in the reply comes from the guest and is parsed with bounds.
 */
import { conflict, invalidArgument } from '../errors.js';
import { QueryKind } from '../agent/protocol.js';
import type { ContainerManager } from './manager.js';

export interface GuestProcess {
  pid: number;
  nsPid: number; // the pid inside the container
  uid: number;
  ppid: number;
  state: string;
  comm: string;
  ttyNr: number;
  utime: number; // clock ticks
  stime: number;
  startTime: number; // clock ticks after boot
  vsize: number; // bytes
  rssPages: number;
  cmdline: string;
}

export interface ProcessList {
  clockTicks: number;
  uptimeMs: number;
  processes: GuestProcess[];
}

const MAX_PROCESSES = 100_000;

/** Decodes the agent's PROCS body (PROTOCOL.md, QUERY). Malformed records end the list. */
export function decodeProcessList(body: Buffer): ProcessList {
  if (body.length < 12) return { clockTicks: 100, uptimeMs: 0, processes: [] };
  const clockTicks = body.readUInt32BE(0) || 100;
  const uptimeMs = body.readUInt32BE(4) * 2 ** 32 + body.readUInt32BE(8);
  const processes: GuestProcess[] = [];
  let off = 12;
  while (off + 14 <= body.length && processes.length < MAX_PROCESSES) {
    const pid = body.readUInt32BE(off);
    const nsPid = body.readUInt32BE(off + 4);
    const uid = body.readUInt32BE(off + 8);
    const sl = body.readUInt16BE(off + 12);
    if (off + 14 + sl + 2 > body.length) break;
    const stat = body.subarray(off + 14, off + 14 + sl).toString('utf8');
    const cl = body.readUInt16BE(off + 14 + sl);
    if (off + 16 + sl + cl > body.length) break;
    const cmdline = body.subarray(off + 16 + sl, off + 16 + sl + cl).toString('utf8');
    off += 16 + sl + cl;
    const p = parseStat(stat);
    if (!p) continue;
    processes.push({ pid, nsPid, uid, cmdline, ...p });
  }
  processes.sort((a, b) => a.pid - b.pid);
  return { clockTicks, uptimeMs, processes };
}

/** /proc/<pid>/stat: the command name may hold any byte, so fields start after its last ')'. */
function parseStat(stat: string): Omit<GuestProcess, 'pid' | 'nsPid' | 'uid' | 'cmdline'> | undefined {
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const f = stat.slice(close + 2).split(' ');
  const n = (i: number) => {
    const v = Number(f[i]);
    return Number.isFinite(v) && v >= 0 ? v : 0;
  };
  return {
    comm: stat.slice(open + 1, close).slice(0, 64),
    state: (f[0] ?? '?').slice(0, 1),
    ppid: n(1),
    ttyNr: n(4),
    utime: n(11),
    stime: n(12),
    startTime: n(19),
    vsize: n(20),
    rssPages: n(21),
  };
}

function tty(nr: number): string {
  if (!nr) return '?';
  const major = (nr >> 8) & 0xfff;
  const minor = (nr & 0xff) | ((nr >> 12) & 0xfff00);
  if (major === 136) return `pts/${minor}`;
  if (major === 4) return `tty${minor}`;
  return '?';
}

function clock(sec: number): string {
  const s = Math.floor(sec);
  const d = Math.floor(s / 86400);
  const hms = [Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60), s % 60].map((x) => String(x).padStart(2, '0')).join(':');
  return d ? `${d}-${hms}` : hms;
}

function clean(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x1f\x7f]/g, '?');
}

/** Docker's top document ({Titles, Processes}) for `ps -ef` (default) or `ps aux` columns. */
export function formatTop(list: ProcessList, psArgs: string[], now = Date.now(), memTotalBytes = 0): { Titles: string[]; Processes: string[][] } {
  const style = psArgs.join(' ').trim();
  const hz = list.clockTicks;
  const upSec = list.uptimeMs / 1000;
  const bootMs = now - list.uptimeMs;
  const cmd = (p: GuestProcess) => clean(p.cmdline || `[${p.comm}]`);
  const started = (p: GuestProcess) => {
    const d = new Date(bootMs + (p.startTime / hz) * 1000);
    return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  };
  const cpuPct = (p: GuestProcess) => {
    const life = upSec - p.startTime / hz;
    return life > 0 ? ((p.utime + p.stime) / hz / life) * 100 : 0;
  };
  if (style === '' || style === '-ef' || style === '-f' || style === '-e') {
    return {
      Titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'],
      Processes: list.processes.map((p) => [
        String(p.uid), String(p.pid), String(p.ppid), String(Math.floor(cpuPct(p))), started(p), tty(p.ttyNr), clock((p.utime + p.stime) / hz), cmd(p),
      ]),
    };
  }
  if (style === 'aux' || style === '-aux' || style === 'au' || style === 'ax') {
    return {
      Titles: ['USER', 'PID', '%CPU', '%MEM', 'VSZ', 'RSS', 'TTY', 'STAT', 'START', 'TIME', 'COMMAND'],
      Processes: list.processes.map((p) => [
        String(p.uid), String(p.pid), cpuPct(p).toFixed(1),
        memTotalBytes ? ((p.rssPages * 4096 * 100) / memTotalBytes).toFixed(1) : '0.0',
        String(Math.floor(p.vsize / 1024)), String(p.rssPages * 4), tty(p.ttyNr), p.state, started(p),
        clock((p.utime + p.stime) / hz).replace(/^00:/, ''), cmd(p),
      ]),
    };
  }
  throw invalidArgument(`kctl top lists processes from the container's VM and supports the ps options -ef (default) and aux, not "${style}"`);
}

/** The container's processes as Docker's top document. */
export async function topContainer(c: ContainerManager, ref: string, psArgs: string[]): Promise<{ Titles: string[]; Processes: string[][] }> {
  formatTop({ clockTicks: 100, uptimeMs: 0, processes: [] }, psArgs); // reject unsupported options before asking the guest
  const { rec, agent } = c.runtimeOf(ref);
  if (rec.State.Status === 'paused') throw conflict(`Container ${rec.Id} is paused, unpause the container to list its processes`);
  const list = decodeProcessList(await agent.query(QueryKind.PROCS, 5000));
  return formatTop(list, psArgs, Date.now(), rec.MemoryMiB * 1024 * 1024);
}
