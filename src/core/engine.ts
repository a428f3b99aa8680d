/**
 * The runtime core of kctld, composed once per state root. The gRPC API and the Docker Engine API
 * are adapters around this object: they decode a request, call the engine, encode the answer.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import { RootLayout } from './paths.js';
import type { Logger } from './util/log.js';
import { FsContentStore } from './images/content-store.js';
import { JsonImageStore } from './images/image-store.js';
import { Puller } from './images/puller.js';
import { LayerStore } from './images/layers.js';
import { ImageService } from './images/service.js';
import { ContainerManager } from './containers/manager.js';
import { VmDriver } from './vm/driver.js';
import { loadDaemonConfig, type DaemonConfig } from './config.js';
import { cgroupMode, mountOf } from './util/hostfs.js';
import { VolumeStore } from './volumes/store.js';
import { DEFAULT_SUBNET } from './network/config.js';
import { enableKsm, ksmState } from './vm/ksm.js';
import { NetworkStore } from './network/store.js';
import { SwitchManager } from './network/switch.js';
import { NetworkService } from './network/service.js';
import { planContainerIO } from './network/plan.js';
import { VmPool, type PoolSettings } from './vm/pool.js';
import { AgentClient } from './agent/client.js';

export const KCTL_VERSION = '0.1.0';
/** The Docker Engine API version kctl speaks. */
export const DOCKER_API_VERSION = '1.43';

export class Engine {
  readonly layout: RootLayout;
  readonly vms: VmDriver;
  readonly images: ImageService;
  readonly containers: ContainerManager;
  readonly volumes: VolumeStore;
  readonly networks: NetworkService;
  readonly pool: VmPool<AgentClient>;
  private cfg: DaemonConfig;

  private constructor(root: string, cfg: DaemonConfig, readonly log: Logger) {
    this.layout = new RootLayout(root);
    this.cfg = cfg;
    const content = new FsContentStore(this.layout.contentDir);
    const imageStore = new JsonImageStore(this.layout.imagesDb);
    this.vms = new VmDriver({ layout: this.layout, log, tbSizeMiB: () => this.cfg['tcg-tb-size-mib'] });
    const puller = new Puller({ layout: this.layout, content, images: imageStore, config: () => this.cfg, log });
    const layers = new LayerStore({ layout: this.layout, content, log });
    this.images = new ImageService({
      layout: this.layout, content, images: imageStore, puller, layers, log,
      inUse: () => new Set(this.containers.list({ all: true }).map((c) => c.ImageId)),
    });
    this.pool = new VmPool({
      layout: this.layout, vms: this.vms, log,
      settings: () => this.poolSettings(),
      connectAgent: (vm, timeoutMs) => AgentClient.connect(vm.agentSocket, { timeoutMs, log: log.with({ component: 'pool', vmId: vm.vmId }) }),
    });
    this.volumes = new VolumeStore(this.layout, (name) => this.containers.volumeUsers(name));
    const netStore = new NetworkStore(this.layout, () => [this.cfg.bip ?? DEFAULT_SUBNET]);
    const switches = new SwitchManager(netStore, log);
    this.networks = new NetworkService(netStore, switches, () => this.containers);
    this.containers = new ContainerManager({
      networks: { store: netStore, switches },
      volumes: this.volumes,
      network: () => ({ subnet: this.cfg.bip ?? DEFAULT_SUBNET, dns: this.cfg.dns ?? [] }),
      layout: this.layout,
      images: this.images,
      vms: this.vms,
      pool: this.pool,
      log,
      defaults: () => ({ vcpus: this.cfg['default-vcpus'] ?? 1, memoryMiB: this.cfg['default-memory-mib'] ?? 256 }),
    });
  }

  static async open(root: string, log: Logger): Promise<Engine> {
    const layout = new RootLayout(root);
    await fs.mkdir(root, { recursive: true, mode: 0o711 });
    for (const d of [layout.contentDir, layout.layersDir, layout.containersDir, layout.vmsDir, layout.tmpDir]) {
      await fs.mkdir(d, { recursive: true, mode: 0o700 });
    }
    const cfg = await loadDaemonConfig(layout.daemonJson);
    const engine = new Engine(root, cfg, log);
    engine.applyKsm();
    await engine.networks.store.load();
    // Pool records first, so the manager's orphan sweep leaves idle pool VMs to the pool.
    await engine.pool.load();
    await engine.containers.init();
    await engine.pool.start();
    return engine;
  }

  /** The pool's size and template: VMs of the default size on the default network, no published ports. */
  private async poolSettings(): Promise<PoolSettings> {
    const vcpus = this.cfg['pool-vcpus'] ?? this.cfg['default-vcpus'] ?? 1;
    const memoryMiB = this.cfg['pool-memory-mib'] ?? this.cfg['default-memory-mib'] ?? 256;
    const io = await planContainerIO(
      { id: 'pool', hostname: 'pool', name: 'pool', networkMode: '', publish: [], mounts: [], dns: [], extraHosts: [] },
      { subnet: this.cfg.bip ?? DEFAULT_SUBNET, daemonDns: this.cfg.dns ?? [] },
    );
    return { size: this.cfg['pool-size'] ?? 0, template: { vcpus, memoryMiB, nics: io.nics } };
  }

  get config(): DaemonConfig {
    return this.cfg;
  }

  /** Re-reads daemon.json (SIGHUP, as dockerd). A broken file keeps the previous configuration. */
  async reloadConfig(): Promise<void> {
    try {
      this.cfg = await loadDaemonConfig(this.layout.daemonJson);
      this.log.info('daemon.json reloaded', { mirrors: this.cfg['registry-mirrors'], poolSize: this.cfg['pool-size'] ?? 0 });
      this.applyKsm();
      await this.pool.reconfigure();
    } catch (err) {
      this.log.error('daemon.json not reloaded', { error: (err as Error).message });
    }
  }

  /** daemon.json "ksm": true turns the host's same-page merging on (it is never turned off). */
  private applyKsm(): void {
    if (this.cfg.ksm !== true || process.getuid?.() !== 0) return;
    this.log.info('kernel same-page merging', { ksm: enableKsm() });
  }

  /** Docker's /info document, with kctl's isolation facts under `Isolation`. */
  async info(): Promise<Record<string, unknown>> {
    const host = await this.vms.hostInfo();
    const all = this.containers.list({ all: true });
    const count = (s: string) => all.filter((c) => c.State.Status === s).length;
    const images = await this.images.list();
    return {
      ID: '',
      Containers: all.length,
      ContainersRunning: count('running'),
      ContainersPaused: count('paused'),
      ContainersStopped: all.length - count('running') - count('paused'),
      Images: images.length,
      Driver: 'overlay2',
      DockerRootDir: this.layout.root,
      LoggingDriver: 'json-file',
      CgroupDriver: 'none',
      // Docker's "1" or "2"; kctl limits VMs through QEMU, so this is a fact about the host only.
      CgroupVersion: cgroupMode() === 'v2' ? '2' : '1',
      DriverStatus: [['Backing Filesystem', mountOf(this.layout.root)?.fsType ?? 'unknown']],
      KernelVersion: os.release(),
      OperatingSystem: await osName(),
      OSType: 'linux',
      Architecture: os.machine(),
      NCPU: os.cpus().length,
      MemTotal: os.totalmem(),
      Name: os.hostname(),
      ServerVersion: KCTL_VERSION,
      DefaultRuntime: 'kctl',
      Runtimes: { kctl: { path: 'qemu-microvm' } },
      RegistryConfig: {
        Mirrors: this.cfg['registry-mirrors'] ?? [],
        InsecureRegistryCIDRs: ['127.0.0.0/8'],
        IndexConfigs: Object.fromEntries((this.cfg['insecure-registries'] ?? []).map((r) => [r, { Name: r, Secure: false }])),
      },
      Isolation: {
        Kind: 'vm',
        Hypervisor: 'qemu',
        HypervisorVersion: host.qemu?.version ?? 'not installed',
        HypervisorPath: host.qemu?.path ?? '',
        Machine: 'microvm',
        Accelerator: host.accelerator,
        AcceleratorReason: host.acceleratorReason,
        Kernel: host.assets?.kernel ?? 'missing (run `npm run setup`)',
        KernelKind: host.assets?.kernelKind ?? 'none',
        Initrd: host.assets?.initrd ?? 'missing (run `npm run setup`)',
        Virtiofsd: host.virtiofsd?.path ?? 'not installed',
        TscKHz: host.tscKhz ?? 0,
        Problems: host.problems,
        AgentChannel: 'virtio-serial',
        DefaultVCPUs: this.cfg['default-vcpus'] ?? 1,
        DefaultMemoryMiB: this.cfg['default-memory-mib'] ?? 256,
        Pool: this.pool.status(),
        Ksm: ksmState(),
      },
      KctlSockets: { Grpc: this.layout.grpcSocket, Docker: this.layout.dockerSocket, DockerHost: `unix://${this.layout.dockerSocket}` },
    };
  }

  async version(): Promise<{ version: string; apiVersion: string; hypervisorVersion: string }> {
    const host = await this.vms.hostInfo();
    return { version: KCTL_VERSION, apiVersion: DOCKER_API_VERSION, hypervisorVersion: host.qemu?.version ?? 'not installed' };
  }

  /** Docker's /system/df document: images, containers' writable layers, unpacked layers. */
  async diskUsage(): Promise<Record<string, unknown>> {
    const { dirSize } = await import('./util/du.js');
    const path = await import('node:path');
    const containers = this.containers.list({ all: true });
    const users = new Map<string, number>();
    for (const c of containers) users.set(c.ImageId, (users.get(c.ImageId) ?? 0) + 1);
    const images = await this.images.list();
    const Containers = [];
    for (const c of containers) {
      Containers.push({
        Id: c.Id, Names: [`/${c.Name}`], Image: c.ImageRef, ImageID: c.ImageId, State: c.State.Status,
        Created: Math.floor(Date.parse(c.Created) / 1000), SizeRw: await dirSize(path.join(this.layout.containerDir(c.Id), 'upper')),
      });
    }
    return {
      LayersSize: await dirSize(this.layout.layersDir),
      Images: await Promise.all(images.map(async (i) => ({
        Id: i.id, RepoTags: i.repoTags, RepoDigests: i.repoDigests, Size: await this.images.unpackedSize(i), SharedSize: -1,
        Created: Math.floor(Date.parse(i.created) / 1000) || 0, Containers: users.get(i.id) ?? 0,
      }))),
      Containers,
      Volumes: [],
      BuildCache: [],
    };
  }

  /** Leaves VMs running for the next daemon to re-adopt. */
  async close(): Promise<void> {
    await this.pool.close();
    await this.containers.detachAll();
  }
}

async function osName(): Promise<string> {
  try {
    const text = await fs.readFile('/etc/os-release', 'utf8');
    const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text);
    return m ? m[1] : 'Linux';
  } catch {
    return 'Linux';
  }
}
