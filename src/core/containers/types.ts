/** The container model: what kctl keeps on disk per container (containers/<id>/container.json). */

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

/** What kctl learned from the live VM when the container started (never echoed from config). */
export interface Isolation {
  Kind: 'vm';
  Hypervisor: string; // "qemu"
  HypervisorVersion: string;
  Machine: string; // "microvm"
  Accelerator: 'kvm' | 'tcg';
  AcceleratorReason: string;
  GuestKernel: string; // the guest's uname -r, as reported by the agent
  VCPUs: number; // online CPUs in the guest
  MemoryMiB: number; // MemTotal in the guest
  RootfsShare: string; // e.g. "virtio-fs (virtiofsd, sandboxed): overlay of 3 layers"
  AgentChannel: string; // "virtio-serial"
  VMPid: number;
  /** The uid QEMU runs as (an unprivileged one of its own), or 0 when it runs as root. */
  VMUid: number;
  BootMs: number; // QEMU exec to the agent's first word
  FromPool: boolean;
  /** With a pool configured: why this container booted a VM of its own. */
  PoolMiss?: string;
}

export interface RestartPolicy {
  Name: 'no' | 'on-failure' | 'always' | 'unless-stopped';
  MaximumRetryCount: number;
}

/** The user's request, in Docker's terms, as given to create. */
export interface ContainerSpec {
  /** Published ports (-p, and -P's picks from the image's EXPOSE, resolved at create). */
  publish?: import('../network/ports.js').PortBinding[];
  publishAll?: boolean;
  /** 'bridge' (default), 'none', or the name of a user-defined network (`kctl network create`). */
  networkMode?: string;
  /** --network-alias: more names for the container on its user-defined network. */
  networkAliases?: string[];
  /** --ip: the container's address on its user-defined network. */
  ip?: string;
  dns?: string[];
  extraHosts?: string[];
  /** -v, --mount and --tmpfs, in the order given. */
  mounts?: import('../volumes/mounts.js').MountRequest[];
  readOnlyRootfs?: boolean;
  image: string;
  name?: string;
  cmd?: string[]; // undefined: the image's
  entrypoint?: string[]; // undefined: the image's; []: none
  env: string[];
  workingDir?: string;
  user?: string;
  hostname?: string;
  labels: Record<string, string>;
  tty: boolean;
  openStdin: boolean;
  /** Docker's StdinOnce: the container's stdin closes when the attached client closes its input. */
  stdinOnce?: boolean;
  memoryBytes: number; // 0: default
  cpus: number; // 0: default
  autoRemove: boolean;
  stopSignal?: string;
  stopTimeout?: number;
  restartPolicy?: RestartPolicy;
  /** --init: a minimal init is the container's PID 1 (reaps zombies, forwards signals). */
  init?: boolean;
  /** --log-opt for the json-file log: max-size, max-file (validated at create). */
  logOpts?: Record<string, string>;
}

export interface ContainerState {
  Status: ContainerStatus;
  Pid: number; // the VM's QEMU pid while running (the container's host-side process)
  ExitCode: number;
  Error: string;
  StartedAt: string; // ISO, "0001-01-01T00:00:00Z" when never
  FinishedAt: string;
  OOMKilled: boolean;
  /** The VM that runs the container while it runs. */
  VmId?: string;
  Isolation?: Isolation;
  /** Host ports forwarded while the container runs (cleared when it stops, as Docker does). */
  Ports?: import('../network/ports.js').PortMapping[];
  IPAddress?: string;
  Gateway?: string;
  /** Mounts of the current or last run, for inspect. */
  MountPoints?: { Type: string; Name?: string; Source: string; Destination: string; RW: boolean }[];
  /** Set by `stop`/`kill` through kctl, so restart policies know the exit was wanted. */
  StoppedByUser?: boolean;
}

export interface ContainerRecord {
  Id: string;
  Name: string; // without the leading slash
  Created: string;
  /** As the user wrote it and as resolved. */
  ImageRef: string;
  ImageId: string;
  Spec: ContainerSpec;
  /** The process the container runs, resolved from the image config and the spec at create. */
  Path: string;
  Args: string[];
  Env: string[];
  WorkingDir: string;
  User: string;
  Hostname: string;
  StopSignal: string;
  StopTimeout: number;
  VCPUs: number;
  MemoryMiB: number;
  RestartCount: number;
  /** Its places on user-defined networks, by network id (`bridge` and `none` have none). */
  Networks?: Record<string, import('../network/store.js').Endpoint>;
  State: ContainerState;
  LogPath: string;
}

export const ZERO_TIME = '0001-01-01T00:00:00Z';
