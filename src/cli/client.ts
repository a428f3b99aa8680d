/**
 * The CLI's connection to kctld: gRPC over $KCTL_ROOT/kctld.sock. When no daemon answers, the CLI
 * starts one (detached, logging to $KCTL_ROOT/kctld.log) and waits for it, bounded.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type * as grpcT from '@grpc/grpc-js';
import { defaultRoot, RootLayout } from '../core/paths.js';
import { KctlError, tail, unavailable } from '../core/errors.js';
import { loadContract } from '../api/grpc/load.js';
import { fromGrpcError } from '../api/grpc/status.js';
import { codeCacheScope } from './launch.js';
import type { SystemClient } from '../api/gen/kctl/v1/System.js';
import type { ImagesClient } from '../api/gen/kctl/v1/Images.js';
import type { ContainersClient } from '../api/gen/kctl/v1/Containers.js';
import type { VolumesClient } from '../api/gen/kctl/v1/Volumes.js';
import type { NetworksClient } from '../api/gen/kctl/v1/Networks.js';

const DAEMON_START_TIMEOUT_MS = 20_000;

export interface Clients {
  layout: RootLayout;
  grpc: typeof grpcT;
  system: SystemClient;
  images: ImagesClient;
  containers: ContainersClient;
  volumes: VolumesClient;
  networks: NetworksClient;
  close(): void;
}

/** Promisifies a unary call and turns gRPC errors into KctlErrors. */
export function call<Req, Res>(client: object, method: string, req: Req, deadlineMs?: number): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    const opts = deadlineMs ? { deadline: Date.now() + deadlineMs } : {};
    (client as Record<string, Function>)[method](req, opts, (err: grpcT.ServiceError | null, res: Res) => {
      if (err) reject(fromGrpcError(err));
      else resolve(res);
    });
  });
}

async function open(layout: RootLayout): Promise<Clients> {
  const { grpc, proto } = await loadContract();
  codeCacheScope('daemon');
  const addr = `unix://${layout.grpcSocket}`;
  const creds = grpc.credentials.createInsecure();
  const opts = { 'grpc.max_receive_message_length': 16 * 1024 * 1024 };
  const system = new proto.kctl.v1.System(addr, creds, opts);
  const images = new proto.kctl.v1.Images(addr, creds, opts);
  const containers = new proto.kctl.v1.Containers(addr, creds, opts);
  const volumes = new proto.kctl.v1.Volumes(addr, creds, opts);
  const networks = new proto.kctl.v1.Networks(addr, creds, opts);
  return {
    layout, grpc, system, images, containers, volumes, networks,
    close() { system.close(); images.close(); containers.close(); volumes.close(); networks.close(); },
  };
}

async function ping(c: Clients, timeoutMs: number): Promise<boolean> {
  try {
    await call(c.system, 'Ping', {}, timeoutMs);
    return true;
  } catch (err) {
    if (err instanceof KctlError && (err.kind === 'unavailable' || err.kind === 'deadline_exceeded')) return false;
    throw err;
  }
}

function daemonEntry(): string {
  // dist/src/cli/client.js -> <package>/bin/kctld.js
  return path.join(fileURLToPath(new URL('../../../', import.meta.url)), 'bin', 'kctld.js');
}

/** Connects to kctld, starting it first when it is not running. */
export async function connect(o: { autoStart?: boolean } = {}): Promise<Clients> {
  const layout = new RootLayout(defaultRoot());
  const clients = await open(layout);
  if (fs.existsSync(layout.grpcSocket) && (await ping(clients, 3000))) return clients;
  if (o.autoStart === false) {
    clients.close();
    throw unavailable(`kctld is not running for ${layout.root}`);
  }
  const started = startDaemon(layout);
  const deadline = Date.now() + DAEMON_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (fs.existsSync(layout.grpcSocket) && (await ping(clients, 1000))) return clients;
    // The daemon we started died: unless another one (started concurrently) answers soon, say why now.
    if (started.exitedAt !== undefined && Date.now() - started.exitedAt > 1000) {
      clients.close();
      throw unavailable(`kctld exited at start (${started.exit})`, { hint: `see ${layout.daemonLog}`, detail: readTail(layout.daemonLog) });
    }
    await sleep(50);
  }
  clients.close();
  throw unavailable(`kctld did not come up within ${DAEMON_START_TIMEOUT_MS / 1000}s`, {
    hint: `see ${layout.daemonLog}`,
    detail: readTail(layout.daemonLog),
  });
}

function readTail(file: string): string {
  try {
    return tail(fs.readFileSync(file, 'utf8'), 8);
  } catch {
    return '';
  }
}

function startDaemon(layout: RootLayout): { exitedAt?: number; exit?: string } {
  fs.mkdirSync(layout.root, { recursive: true, mode: 0o711 });
  const logFd = fs.openSync(layout.daemonLog, 'a', 0o600);
  const state: { exitedAt?: number; exit?: string } = {};
  try {
    const child = spawn(process.execPath, [daemonEntry()], {
      detached: true,
      stdio: ['ignore', logFd, logFd],
      env: { ...process.env, KCTL_ROOT: layout.root },
    });
    child.on('error', (err) => { state.exitedAt ??= Date.now(); state.exit ??= err.message; });
    child.on('exit', (code, signal) => { state.exitedAt ??= Date.now(); state.exit ??= signal ? `signal ${signal}` : `exit code ${code}`; });
    child.unref();
  } finally {
    fs.closeSync(logFd);
  }
  return state;
}
