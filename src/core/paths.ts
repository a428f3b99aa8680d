/**
 * The layout of a kctl state root. Every file kctl and the processes it starts keep for a root
 * lives below it, so two roots on one machine never see each other.
 *
 *   $KCTL_ROOT/
 *     kctld.sock  docker.sock  kctld.pid  kctld.lock  kctld.log  daemon.json
 *     content/blobs/sha256/<hex>     verified blobs (content-addressed, immutable)
 *     content/ingest/<hex>/          partial downloads, resumable, never read as content
 *     images.json                    image records: id (config digest) -> tags, digests, manifest
 *     layers/<n>/                    one unpacked layer each (read-only lower for overlayfs); n is short
 *     containers/<id>/               config.json, state.json, <id>-json.log, upper/, work/, rootfs/
 *     vms/<vmid>/                    vm.json, qemu.pid, virtiofsd.pid, *.sock, console.log, *.stderr
 *     pool/                          pre-booted VMs (vm/pool.ts): a shared bind mount; <vmid>.json and
 *                                    <vmid>/ (the VM's virtio-fs share; <vmid>/root/ gets the container root)
 *     tmp/                           scratch for multi-step operations (cleaned at daemon start)
 *     run/                           kctld's private sockets (0700)
 *
 * VM directory names are short (12 hex chars) because unix socket paths are limited to 107 bytes.
 */
import os from 'node:os';
import path from 'node:path';

export function defaultRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KCTL_ROOT) return path.resolve(env.KCTL_ROOT);
  if (process.getuid?.() === 0) return '/var/lib/kctl';
  const data = env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return path.join(data, 'kctl');
}

export class RootLayout {
  constructor(readonly root: string) {}
  get grpcSocket() { return path.join(this.root, 'kctld.sock'); }
  get dockerSocket() { return path.join(this.root, 'docker.sock'); }
  get pidFile() { return path.join(this.root, 'kctld.pid'); }
  get lockFile() { return path.join(this.root, 'kctld.lock'); }
  get daemonLog() { return path.join(this.root, 'kctld.log'); }
  get daemonJson() { return path.join(this.root, 'daemon.json'); }
  get contentDir() { return path.join(this.root, 'content'); }
  get imagesDb() { return path.join(this.root, 'images.json'); }
  get layersDir() { return path.join(this.root, 'layers'); }
  get containersDir() { return path.join(this.root, 'containers'); }
  containerDir(id: string) { return path.join(this.containersDir, id); }
  get vmsDir() { return path.join(this.root, 'vms'); }
  vmDir(vmId: string) { return path.join(this.vmsDir, vmId); }
  get poolDir() { return path.join(this.root, 'pool'); }
  get tmpDir() { return path.join(this.root, 'tmp'); }
  /** kctld's private sockets (0700): the gRPC server listens here, behind the checked kctld.sock. */
  get privateDir() { return path.join(this.root, 'run'); }
}
