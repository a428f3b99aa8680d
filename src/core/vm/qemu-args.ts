/**
 * The QEMU command line of a kctl VM, built from typed device descriptions. Nothing here launches
 * anything: the argv is golden-tested in test/unit/vm/qemu-args.test.ts.
 *
 * The machine is `-M microvm` with guest RAM in a shared memfd (vhost-user devices such as
 * virtiofsd map it), no default devices, no firmware config files, seccomp on, and
 * `-no-reboot` so that a guest reboot (the kernel runs with `reboot=t panic=-1`) ends the process.
 */
import { invalidArgument } from '../errors.js';

export type Accelerator = 'kvm' | 'tcg';
export type KernelKind = 'kctl' | 'debian';

/**
 * QEMU's TCG translation cache size in MiB. QEMU 7.2 reserves 1 GiB by default and the guest's
 * translated code fills it over time. Measured here (4 idle busybox VMs each): QEMU's PSS 72.7 MiB
 * at 64, 59.2 at 16, 54.1 at 12, 49.6 at 8; `run --rm busybox true` about as fast at 16 as at 64,
 * but 20-80% slower at 8 (retranslation). daemon.json `tcg-tb-size-mib` overrides it.
 */
export const DEFAULT_TB_SIZE_MIB = 16;

/** The name of the virtio-serial port the guest agent opens (/sys/class/virtio-ports/X/name). */
export const AGENT_PORT_NAME = 'kctl.agent';

export interface MachineDevice {
  kind: 'microvm';
  /** ACPI on lets a stock kernel without virtio_mmio.device= find its devices; the kctl kernel needs none. */
  acpi: boolean;
}

export type AcceleratorDevice = { kind: 'kvm' } | { kind: 'tcg'; tbSizeMiB: number };

export interface KernelBoot {
  kernel: string;
  initrd: string;
  append: string;
}

/** One vhost-user-fs device, backed by the virtiofsd listening on `socket`. */
export interface FsDevice {
  tag: string;
  socket: string;
}

/** The agent channel: a virtio-serial port on a host unix socket that QEMU listens on. */
export interface AgentDevice {
  kind: 'virtio-serial';
  socket: string;
  portName: string;
}

/** A host port forward of a user-mode network: host address:port to the guest's port. */
export interface HostForward {
  protocol: 'tcp' | 'udp';
  hostIp: string;
  hostPort: number;
  guestPort: number;
}

/**
 * A virtio-net NIC on QEMU's user-mode network (slirp): a private NAT per VM with the gateway at
 * .2 and a DNS forwarder at .3 of `subnet`, plus host port forwards. IPv6 is off on this link.
 */
export interface UserNetDevice {
  kind: 'user';
  /** An IPv4 /24 (or larger) in CIDR form, e.g. 10.0.2.0/24. */
  subnet: string;
  mac: string;
  forwards: HostForward[];
}

/**
 * A virtio-net NIC whose frames go over a unix stream socket: QEMU inherits one end of a connected
 * pair whose other end a user-mode network process (passt) holds (`socket: { fd }`), or with
 * `listen` QEMU listens at a path and the network's switch connects (user networks).
 */
export interface StreamNetDevice {
  kind: 'stream';
  socket: string | { fd: number };
  mac: string;
  listen?: boolean;
}

export type NetDevice = UserNetDevice | StreamNetDevice;

export interface QemuConfig {
  binary: string;
  /** Shown by `ps` as the process name (QEMU `-name ...,process=`), so kctl's VMs are easy to spot. */
  name: string;
  machine: MachineDevice;
  accel: AcceleratorDevice;
  vcpus: number;
  memoryMiB: number;
  boot: KernelBoot;
  filesystems: FsDevice[];
  /** NICs in guest order (eth0 first); absent or empty: no network device. */
  network?: NetDevice[];
  agent: AgentDevice;
  qmpSocket: string;
  consoleLog: string;
}

/** Values QEMU splits on: a comma inside an option value must be doubled. */
function optValue(v: string): string {
  return v.replace(/,/g, ',,');
}

const TAG_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,35}$/;

/** A virtio-fs tag: at most 36 bytes (the device config field), and nothing QEMU would parse. */
export function validateTag(tag: string): void {
  if (!TAG_RE.test(tag)) {
    throw invalidArgument(`invalid virtio-fs tag ${JSON.stringify(tag)}: use 1-36 letters, digits, '.', '_' or '-'`);
  }
}

export function validateQemuConfig(c: QemuConfig): void {
  if (!Number.isInteger(c.vcpus) || c.vcpus < 1 || c.vcpus > 8) {
    throw invalidArgument(`invalid vCPU count ${c.vcpus}: use 1 to 8 (the kctl kernel supports 8)`);
  }
  if (!Number.isInteger(c.memoryMiB) || c.memoryMiB < 64 || c.memoryMiB > 1024 * 1024) {
    throw invalidArgument(`invalid VM memory ${c.memoryMiB} MiB: use at least 64 MiB`);
  }
  if (c.accel.kind === 'tcg' && (!Number.isInteger(c.accel.tbSizeMiB) || c.accel.tbSizeMiB < 8)) {
    throw invalidArgument(`invalid TCG translation cache size ${c.accel.tbSizeMiB} MiB: use at least 8`);
  }
  const tags = new Set<string>();
  for (const fs of c.filesystems) {
    validateTag(fs.tag);
    if (tags.has(fs.tag)) throw invalidArgument(`virtio-fs tag ${fs.tag} is used twice`);
    tags.add(fs.tag);
  }
  if (/[\n\0]/.test(c.boot.append)) throw invalidArgument('kernel command line contains a newline or NUL');
  for (const n of c.network ?? []) validateNetDevice(n);
}

const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function validateNetDevice(n: NetDevice): void {
  if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(n.mac)) throw invalidArgument(`invalid MAC address ${JSON.stringify(n.mac)}`);
  if (n.kind === 'stream') {
    if (typeof n.socket !== 'string') {
      if (!Number.isInteger(n.socket.fd) || n.socket.fd < 3) throw invalidArgument(`invalid network socket descriptor ${n.socket.fd}`);
      if (n.listen) throw invalidArgument('a NIC on an inherited socket cannot listen');
      return;
    }
    if (!n.socket.startsWith('/')) throw invalidArgument(`network socket path must be absolute: ${n.socket}`);
    return;
  }
  const m = /^(.+)\/(\d+)$/.exec(n.subnet);
  if (!m || !IPV4_RE.test(m[1]!) || Number(m[2]) < 8 || Number(m[2]) > 24) {
    throw invalidArgument(`invalid user-network subnet ${JSON.stringify(n.subnet)}: use an IPv4 CIDR from /8 to /24`);
  }
  if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(n.mac)) throw invalidArgument(`invalid MAC address ${JSON.stringify(n.mac)}`);
  for (const f of n.forwards) {
    if (!IPV4_RE.test(f.hostIp)) throw invalidArgument(`invalid host IP ${JSON.stringify(f.hostIp)} for a port forward: QEMU's user network forwards IPv4 only`);
    for (const p of [f.hostPort, f.guestPort]) {
      if (!Number.isInteger(p) || p < 1 || p > 65535) throw invalidArgument(`invalid port ${p}: use 1-65535`);
    }
    if (f.protocol !== 'tcp' && f.protocol !== 'udp') throw invalidArgument(`invalid protocol ${JSON.stringify(f.protocol)}`);
  }
}

export function qemuArgs(c: QemuConfig): string[] {
  validateQemuConfig(c);
  const a: string[] = [];
  a.push('-name', `${optValue(c.name)},process=${optValue(c.name)}`);
  a.push('-nodefaults', '-no-user-config', '-nographic', '-no-reboot');
  a.push('-sandbox', 'on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny');
  a.push('-msg', 'timestamp=on');

  a.push('-M', `microvm,acpi=${c.machine.acpi ? 'on' : 'off'},memory-backend=mem`);
  a.push('-global', 'virtio-mmio.force-legacy=false');
  if (c.accel.kind === 'kvm') {
    a.push('-accel', 'kvm', '-cpu', 'host');
  } else {
    a.push('-accel', `tcg,tb-size=${c.accel.tbSizeMiB}`);
  }
  a.push('-smp', String(c.vcpus));
  a.push('-m', `${c.memoryMiB}M`);
  a.push('-object', `memory-backend-memfd,id=mem,size=${c.memoryMiB}M,share=on`);

  a.push('-kernel', c.boot.kernel, '-initrd', c.boot.initrd, '-append', c.boot.append);
  // The guest reports free memory back (free page reporting): QEMU punches those pages out of the
  // memfd, so a container that used memory and went idle stops costing it on the host.
  a.push('-device', 'virtio-balloon-device,free-page-reporting=on');

  a.push('-chardev', `file,id=console,path=${optValue(c.consoleLog)}`);
  a.push('-serial', 'chardev:console');

  a.push('-chardev', `socket,id=qmp,path=${optValue(c.qmpSocket)},server=on,wait=off`);
  a.push('-mon', 'chardev=qmp,mode=control');

  c.filesystems.forEach((fs, i) => {
    a.push('-chardev', `socket,id=fs${i},path=${optValue(fs.socket)}`);
    a.push('-device', `vhost-user-fs-device,chardev=fs${i},tag=${fs.tag}`);
  });

  (c.network ?? []).forEach((n, i) => {
    if (n.kind === 'stream') {
      a.push('-netdev', typeof n.socket === 'string'
        ? `stream,id=net${i},server=${n.listen ? 'on' : 'off'},addr.type=unix,addr.path=${optValue(n.socket)}`
        : `stream,id=net${i},server=off,addr.type=fd,addr.str=${n.socket.fd}`);
      a.push('-device', `virtio-net-device,netdev=net${i},mac=${n.mac}`);
      return;
    }
    const fwd = n.forwards.map((f) => `,hostfwd=${f.protocol}:${f.hostIp}:${f.hostPort}-:${f.guestPort}`).join('');
    a.push('-netdev', `user,id=net${i},net=${n.subnet},ipv6=off${fwd}`);
    a.push('-device', `virtio-net-device,netdev=net${i},mac=${n.mac}`);
  });

  a.push('-chardev', `socket,id=agent,path=${optValue(c.agent.socket)},server=on,wait=off`);
  a.push('-device', 'virtio-serial-device,max_ports=2');
  a.push('-device', `virtserialport,chardev=agent,name=${optValue(c.agent.portName)}`);
  return a;
}

export interface CmdlineOptions {
  accelerator: Accelerator;
  kernelKind: KernelKind;
  /** The host TSC rate; under TCG the guest TSC runs at this rate. Undefined when unknown. */
  tscKhz?: number;
  /** Appended verbatim after kctl's own parameters (the agent's settings). */
  extra?: string[];
}

/** The kernel's timer frequency: the kctl kernel is built with HZ=100, Debian's with HZ=250. */
export function kernelHz(kind: KernelKind): number {
  return kind === 'kctl' ? 100 : 250;
}

/** Free page reporting granularity: 2^5 pages, 128 KiB (see kernelCmdline). */
export const PAGE_REPORTING_ORDER = 5;

/** The input clock of QEMU's emulated local APIC timer: it counts nanoseconds, 1 GHz. */
export const QEMU_APIC_TIMER_KHZ = 1_000_000;

/**
 * The guest kernel command line. Under TCG on microvm there is no PIT/HPET/PM timer to calibrate
 * the TSC against, so the kernel is told the host TSC rate (tsc_early_khz, lpj) or its boot hangs.
 * The kctl kernel is also told the local APIC timer's rate (`lapic_timer_khz`, from
 * guest/kernel/lapic-timer-khz.patch): calibrating it against the PIT costs about 0.45 s under
 * TCG, and without it the kernel ticks with the PIT, which cannot sleep longer than ~27 ms, so an
 * idle guest took ~40 timer interrupts a second (about 1% of a host core per idle container).
 * `noreplace-smp` skips patching SMP alternatives at boot.
 */
export function kernelCmdline(o: CmdlineOptions): string {
  const p = ['console=ttyS0', 'quiet', 'reboot=t', 'panic=-1', 'rdinit=/init'];
  // Free page reporting from 128 KiB blocks up (the default is 4 MiB): an idle guest returns the ~10 MiB
  // it touched while booting and then freed in smaller pieces (guest/kernel/page-reporting-order.patch).
  if (o.kernelKind === 'kctl') p.push(`page_reporting.page_reporting_order=${PAGE_REPORTING_ORDER}`);
  if (o.accelerator === 'tcg') {
    if (o.tscKhz !== undefined) {
      if (!Number.isInteger(o.tscKhz) || o.tscKhz <= 0) throw invalidArgument(`invalid TSC rate ${o.tscKhz} kHz`);
      const lpj = Math.round((o.tscKhz * 1000) / kernelHz(o.kernelKind));
      p.push(`tsc_early_khz=${o.tscKhz}`, 'tsc=reliable', `lpj=${lpj}`, 'no_timer_check');
    }
    if (o.kernelKind === 'kctl') p.push(`lapic_timer_khz=${QEMU_APIC_TIMER_KHZ}`, 'noreplace-smp');
    if (o.kernelKind === 'debian') p.push('cryptomgr.notests');
  }
  for (const x of o.extra ?? []) {
    if (!/^[\x21-\x7e]+$/.test(x)) throw invalidArgument(`invalid kernel parameter ${JSON.stringify(x)}`);
    p.push(x);
  }
  return p.join(' ');
}
