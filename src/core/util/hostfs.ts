/**
 * Facts about the host's filesystems that `kctl doctor` and `kctl info` report: which mount holds
 * a path (and its type), and the cgroup mode. Pure parsers over /proc/self/mounts.
 */
import fs from 'node:fs';

function readMounts(): string {
  try {
    return fs.readFileSync('/proc/self/mounts', 'utf8');
  } catch {
    return '';
  }
}

/** The mount that holds `p` (longest mount point prefix in /proc/self/mounts). */
export function mountOf(p: string, mounts = readMounts()): { mountPoint: string; fsType: string } | undefined {
  let best: { mountPoint: string; fsType: string } | undefined;
  for (const line of mounts.split('\n')) {
    const [, mp, type] = line.split(' ');
    if (!mp || !type) continue;
    const mountPoint = mp.replace(/\\040/g, ' ');
    if ((p === mountPoint || p.startsWith(mountPoint.endsWith('/') ? mountPoint : mountPoint + '/')) && (!best || mountPoint.length >= best.mountPoint.length)) {
      best = { mountPoint, fsType: type };
    }
  }
  return best;
}

/** cgroup v2 (unified), hybrid (v1 controllers plus a v2 hierarchy) or legacy v1. */
export function cgroupMode(mounts = readMounts()): 'v2' | 'hybrid' | 'v1' | 'none' {
  const lines = mounts.split('\n').map((l) => l.split(' '));
  const at = (mp: string) => lines.find((l) => l[1] === mp)?.[2];
  if (at('/sys/fs/cgroup') === 'cgroup2') return 'v2';
  if (lines.some((l) => l[2] === 'cgroup2')) return 'hybrid';
  if (lines.some((l) => l[2] === 'cgroup')) return 'v1';
  return 'none';
}
