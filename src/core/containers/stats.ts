/**
 * `kctl stats`: what a container uses inside its VM, and what its VM costs the host.
 *
 * Guest figures come from the agent (QUERY STATS: the guest's /proc/stat, /proc/meminfo and the
 * number of processes in the container's PID namespace); the text is the guest's and is parsed
 * defensively. Host figures are the proportional set size (PSS, /proc/<pid>/smaps_rollup) of the
 * VM's QEMU, virtiofsd and network helper processes: shared pages (QEMU's binary, the page cache
 * of shared layers) count once across all VMs. OVERHEAD is host PSS minus the memory the guest
 * reports in use: the price of the VM around the container.
 */
import fs from 'node:fs/promises';
import { QueryKind } from '../agent/protocol.js';
import type { ContainerManager } from './manager.js';

export interface ContainerStatsSample {
  id: string;
  name: string;
  read: string; // ISO time of the sample
  cpu: {
    /** Jiffies over all guest CPUs: everything, and the busy part (not idle or iowait). */
    total: number;
    busy: number;
    onlineCpus: number;
  };
  memory: {
    usage: number; // bytes: MemTotal - MemAvailable
    limit: number; // bytes: MemTotal
  };
  pids: number;
  host: {
    pss: number; // bytes: QEMU + virtiofsd + network helpers
    qemuPss: number;
    virtiofsdPss: number;
    helpersPss: number;
  };
  /** Host PSS minus guest memory in use (bytes); may be negative when the guest's cache is not yet touched on the host. */
  overhead: number;
}

const QUERY_TIMEOUT_MS = 5000;
const MAX_GUEST_TEXT = 1 << 20;

/** The guest's counters from /proc/stat and /proc/meminfo text and the "pids N" line. */
export function parseGuestStats(text: string): { total: number; busy: number; onlineCpus: number; memTotal: number; memAvailable: number; pids: number } {
  const t = text.length > MAX_GUEST_TEXT ? text.slice(0, MAX_GUEST_TEXT) : text;
  let total = 0, busy = 0, cpus = 0, memTotal = 0, memAvailable = -1, memFree = 0, pids = 0;
  for (const line of t.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === 'cpu') {
      const v = f.slice(1, 11).map((x) => Number(x)).map((x) => (Number.isFinite(x) && x >= 0 ? x : 0));
      // user nice system idle iowait irq softirq steal guest guest_nice (guest time is inside user)
      const sum = v.slice(0, 8).reduce((a, b) => a + b, 0);
      total = sum;
      busy = sum - (v[3] ?? 0) - (v[4] ?? 0);
    } else if (/^cpu\d+$/.test(f[0] ?? '')) {
      cpus++;
    } else if (f[0] === 'MemTotal:') {
      memTotal = kib(f[1]);
    } else if (f[0] === 'MemAvailable:') {
      memAvailable = kib(f[1]);
    } else if (f[0] === 'MemFree:') {
      memFree = kib(f[1]);
    } else if (f[0] === 'pids') {
      pids = Math.max(0, Math.min(1e7, Number(f[1]) || 0));
    }
  }
  if (memAvailable < 0) memAvailable = memFree;
  return { total, busy, onlineCpus: Math.max(1, cpus), memTotal, memAvailable: Math.min(memAvailable, memTotal), pids };
}

function kib(v: string | undefined): number {
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n * 1024 : 0;
}

/** PSS of a host process in bytes (0 when it is gone). */
export async function processPss(pid: number): Promise<number> {
  if (!pid) return 0;
  const text = await fs.readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
  const m = /^Pss:\s+(\d+)\s+kB/m.exec(text);
  return m ? Number(m[1]) * 1024 : 0;
}

/** One sample of a running container. */
export async function statsSample(c: ContainerManager, ref: string): Promise<ContainerStatsSample> {
  const { rec, vm, agent } = c.runtimeOf(ref);
  const [body, qemuPss, fsPss, helperPss] = await Promise.all([
    // A paused VM cannot answer: its guest figures are reported as zero, its host cost still counts.
    rec.State.Status === 'paused' ? Promise.resolve(Buffer.alloc(0)) : agent.query(QueryKind.STATS, QUERY_TIMEOUT_MS),
    processPss(vm.qemuPid),
    Promise.all(vm.virtiofsd.map((v) => processPss(v.pid))).then((a) => a.reduce((x, y) => x + y, 0)),
    Promise.all((vm.netHelpers ?? []).map((v) => processPss(v.pid))).then((a) => a.reduce((x, y) => x + y, 0)),
  ]);
  const g = parseGuestStats(body.toString('utf8'));
  const usage = Math.max(0, g.memTotal - g.memAvailable);
  const pss = qemuPss + fsPss + helperPss;
  return {
    id: rec.Id,
    name: rec.Name,
    read: new Date().toISOString(),
    cpu: { total: g.total, busy: g.busy, onlineCpus: g.onlineCpus },
    memory: { usage, limit: g.memTotal },
    pids: g.pids,
    host: { pss, qemuPss, virtiofsdPss: fsPss, helpersPss: helperPss },
    overhead: pss - usage,
  };
}

/** Docker's CPU %: the guest's busy share between two samples, times its CPUs (100 % = one CPU). */
export function cpuPercent(prev: ContainerStatsSample | undefined, cur: ContainerStatsSample): number {
  if (!prev) return 0;
  const dt = cur.cpu.total - prev.cpu.total;
  const db = cur.cpu.busy - prev.cpu.busy;
  if (dt <= 0 || db < 0) return 0;
  return (db / dt) * cur.cpu.onlineCpus * 100;
}
