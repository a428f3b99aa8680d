/**
 * `kctl doctor`: the host checks behind "can this machine run kctl containers, and how well".
 * Each check has a result and, when it is not fine, what to do about it. `fail` blocks running
 * containers; `warn` works but worse (e.g. TCG instead of KVM); `info` is a fact worth knowing.
 * Reads the host directly (no daemon needed), so it also explains why a daemon would not start.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RootLayout } from '../core/paths.js';
import { ksmState } from '../core/vm/ksm.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'info';

export interface Check {
  name: string;
  status: CheckStatus;
  result: string;
  fix?: string;
}

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

function readFile(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export { mountOf, cgroupMode } from '../core/util/hostfs.js';
import { mountOf, cgroupMode } from '../core/util/hostfs.js';

function nearestExisting(p: string): string {
  let cur = path.resolve(p);
  while (!fs.existsSync(cur) && cur !== path.dirname(cur)) cur = path.dirname(cur);
  return cur;
}

function freeBytes(p: string): number | undefined {
  try {
    const s = fs.statfsSync(p);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

function meminfo(key: string): number | undefined {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFile('/proc/meminfo') ?? '');
  return m ? Number(m[1]) * 1024 : undefined;
}

function fmt(bytes: number): string {
  return bytes >= GiB ? `${(bytes / GiB).toFixed(1)} GiB` : `${Math.round(bytes / MiB)} MiB`;
}

function socketCheck(name: string, file: string, daemonUp: boolean): Check {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return daemonUp
      ? { name, status: 'warn', result: `${file} is missing while kctld runs`, fix: 'restart the daemon: kctl system stop (the next kctl command starts it)' }
      : { name, status: 'info', result: `${file} (created when kctld starts)` };
  }
  const mode = st.mode & 0o777;
  if (!st.isSocket()) return { name, status: 'fail', result: `${file} is not a socket`, fix: `stop kctld and remove ${file}` };
  if (mode & 0o007) return { name, status: 'fail', result: `${file} mode ${mode.toString(8).padStart(4, '0')}: anyone on this host can drive kctl`, fix: `chmod 0600 ${file}, and check who changed it` };
  return { name, status: 'ok', result: `${file} mode ${mode.toString(8).padStart(4, '0')}` };
}

export async function runChecks(layout: RootLayout, o: { defaultMemoryMiB?: number } = {}): Promise<Check[]> {
  const checks: Check[] = [];
  const { VmDriver, defaultVmexecPath } = await import('../core/vm/driver.js');
  const { nullLogger } = await import('../core/util/log.js');
  const host = await new VmDriver({ layout, log: nullLogger }).hostInfo();
  const setup = 'npm run setup (builds the guest kernel, the initramfs and the native helpers)';

  const major = Number(process.versions.node.split('.')[0]);
  checks.push(major >= 20
    ? { name: 'Node.js', status: 'ok', result: process.version }
    : { name: 'Node.js', status: 'fail', result: `${process.version} is too old`, fix: 'install Node.js 20 or newer' });

  checks.push(host.qemu
    ? { name: 'QEMU', status: 'ok', result: `${host.qemu.path} ${host.qemu.version}` }
    : { name: 'QEMU', status: 'fail', result: host.problems.find((p) => /qemu/i.test(p) && !/virtiofsd/.test(p)) ?? 'qemu-system-x86_64 not found', fix: 'apt-get install qemu-system-x86' });
  checks.push(host.virtiofsd
    ? { name: 'virtiofsd', status: 'ok', result: `${host.virtiofsd.path} ${host.virtiofsd.version}` }
    : { name: 'virtiofsd', status: 'fail', result: host.problems.find((p) => /virtiofsd/.test(p)) ?? 'virtiofsd not found', fix: 'apt-get install qemu-system-common (Debian ships it at /usr/lib/qemu/virtiofsd)' });

  if (host.assets) {
    const kind = host.assets.kernelKind;
    checks.push(kind === 'kctl'
      ? { name: 'Guest kernel', status: 'ok', result: `${host.assets.kernel} (kctl's minimal kernel)` }
      : { name: 'Guest kernel', status: 'warn', result: `${host.assets.kernel} (${kind}: boots several times slower than kctl's kernel)`, fix: setup });
    checks.push({ name: 'Guest initramfs', status: 'ok', result: host.assets.initrd });
  } else {
    checks.push({ name: 'Guest kernel and initramfs', status: 'fail', result: host.problems.find((p) => /kernel|initr/i.test(p)) ?? 'not built', fix: setup });
  }

  const kvmResult = `${host.accelerator.toUpperCase()}: ${host.acceleratorReason}${host.kvmMicros !== undefined ? ` (self-test ${host.kvmMicros} µs)` : ''}`;
  checks.push(host.accelerator === 'kvm'
    ? { name: 'Accelerator', status: 'ok', result: kvmResult }
    : { name: 'Accelerator', status: 'warn', result: kvmResult, fix: fs.existsSync('/dev/kvm') ? 'KVM is present but too slow or unusable (nested virtualisation?): enable hardware virtualisation for this machine, or accept TCG' : 'no /dev/kvm: load kvm_intel or kvm_amd and make /dev/kvm accessible, or accept TCG' });
  checks.push(host.tscKhz
    ? { name: 'Guest clock', status: 'ok', result: `host TSC ${host.tscKhz} kHz (${host.tscSource}) given to the guest kernel` }
    : { name: 'Guest clock', status: 'warn', result: 'host TSC rate unknown: guests calibrate their clock themselves (slower boot)', fix: setup });

  const vmMem = (o.defaultMemoryMiB ?? 256) * MiB;
  const avail = meminfo('MemAvailable');
  checks.push(avail === undefined
    ? { name: 'Guest memory (memfd)', status: 'warn', result: '/proc/meminfo is unreadable' }
    : avail < vmMem
      ? { name: 'Guest memory (memfd)', status: 'fail', result: `${fmt(avail)} available, one VM needs ${fmt(vmMem)}`, fix: 'free memory, or lower default-memory-mib in daemon.json' }
      : { name: 'Guest memory (memfd)', status: 'ok', result: `${fmt(avail)} available: room for about ${Math.floor(avail / vmMem)} VMs of ${fmt(vmMem)} (shared memfd backing for virtio-fs)` });
  const shm = freeBytes('/dev/shm');
  checks.push(shm === undefined
    ? { name: '/dev/shm', status: 'warn', result: '/dev/shm is missing', fix: 'mount a tmpfs on /dev/shm' }
    : { name: '/dev/shm', status: shm < vmMem ? 'warn' : 'ok', result: `${fmt(shm)} free`, ...(shm < vmMem ? { fix: 'enlarge /dev/shm (mount -o remount,size=2G /dev/shm)' } : {}) });

  const existing = nearestExisting(layout.root);
  const mnt = mountOf(existing);
  const free = freeBytes(existing);
  const where = `${layout.root} on ${mnt?.fsType ?? 'unknown fs'} (${mnt?.mountPoint ?? '?'})`;
  if (free === undefined) checks.push({ name: 'State root', status: 'warn', result: `${where}: free space unknown` });
  else if (free < 512 * MiB) checks.push({ name: 'State root', status: 'fail', result: `${where}: only ${fmt(free)} free`, fix: 'free disk space, `kctl system prune`, or set KCTL_ROOT to a bigger filesystem' });
  else if (free < 2 * GiB) checks.push({ name: 'State root', status: 'warn', result: `${where}: ${fmt(free)} free`, fix: '`kctl system prune` reclaims unused images and containers' });
  else checks.push({ name: 'State root', status: 'ok', result: `${where}: ${fmt(free)} free` });
  if (mnt && ['overlay', 'nfs', 'nfs4', 'fuse', 'fuse.sshfs'].includes(mnt.fsType)) {
    checks.push({ name: 'State root filesystem', status: 'fail', result: `${mnt.fsType} cannot hold overlayfs upper layers`, fix: 'set KCTL_ROOT to a directory on ext4, xfs, btrfs or tmpfs' });
  }
  const filesystems = readFile('/proc/filesystems') ?? '';
  checks.push(/\toverlay$/m.test(filesystems)
    ? { name: 'overlayfs', status: 'ok', result: 'supported' }
    : { name: 'overlayfs', status: 'fail', result: 'not in /proc/filesystems', fix: 'modprobe overlay' });

  const pid = Number(readFile(layout.pidFile)?.trim());
  let daemonUp = false;
  if (pid > 0) try { process.kill(pid, 0); daemonUp = true; } catch { /* not running */ }
  checks.push(daemonUp
    ? { name: 'kctld', status: 'ok', result: `running, pid ${pid}` }
    : { name: 'kctld', status: 'info', result: 'not running (any kctl command starts it)' });
  checks.push(socketCheck('gRPC socket', layout.grpcSocket, daemonUp));
  checks.push(socketCheck('Docker API socket', layout.dockerSocket, daemonUp));

  const cg = cgroupMode();
  checks.push({ name: 'cgroups', status: 'info', result: { v2: 'v2 (unified)', hybrid: 'hybrid (v1 controllers, v2 hierarchy)', v1: 'v1 (legacy)', none: 'not mounted' }[cg] + ': VM limits come from QEMU (vCPUs, memory), not host cgroups' });

  // Networking: passt serves each VM's NAT and published ports; kctl-netswitch joins user networks.
  const passtProblem = host.problems.find((p) => /passt/.test(p));
  checks.push(passtProblem
    ? { name: 'passt', status: 'warn', result: 'not installed: containers only run with --network none', fix: 'apt-get install passt' }
    : { name: 'passt', status: 'ok', result: '/usr/bin/passt (one per VM: NAT and published ports, as nobody)' });
  const native = path.dirname(defaultVmexecPath());
  const missing = ['kctl-untar', 'kctl-cp', 'kctl-netswitch', 'kctl-vmexec', 'kctl-peercred', 'kctl-hostprobe'].filter((b) => !fs.existsSync(path.join(native, b)));
  checks.push(missing.length
    ? { name: 'Native helpers', status: 'fail', result: `missing in ${native}: ${missing.join(', ')}`, fix: 'npm run build (needs gcc and make)' }
    : { name: 'Native helpers', status: 'ok', result: `${native} (unpacker, cp, network switch, VM launcher)` });

  // Memory: an idle container costs about 20 MiB less on a host that runs KSM (README, daemon.json "ksm").
  const ksm = ksmState();
  checks.push(!ksm.available
    ? { name: 'Same-page merging', status: 'info', result: 'KSM is not available in this kernel' }
    : ksm.running
      ? { name: 'Same-page merging', status: 'ok', result: `KSM on: ${(((ksm.pagesSharing + ksm.zeroPages) * 4) / 1024).toFixed(1)} MiB merged` }
      : { name: 'Same-page merging', status: 'info', result: 'KSM off: each idle container costs about 20 MiB more', fix: 'set "ksm": true in daemon.json (kctld turns it on), or echo 1 > /sys/kernel/mm/ksm/run' });
  return checks;
}

export function blocking(checks: Check[]): boolean {
  return checks.some((c) => c.status === 'fail');
}
