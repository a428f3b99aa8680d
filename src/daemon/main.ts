/**
 * kctld: the runtime core's process. One per state root (KCTL_ROOT). Serves the gRPC API on
 * $KCTL_ROOT/kctld.sock (0600). Stopping it (SIGTERM, `kctl system stop`) leaves running VMs
 * alone: the next kctld re-adopts them.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { defaultRoot, RootLayout } from '../core/paths.js';
import { createLogger } from '../core/util/log.js';
import { Engine } from '../core/engine.js';
import { createGrpcServer, listenUnix } from '../api/grpc/server.js';
import { createDockerServer } from '../api/docker/server.js';
import { guardedRelay } from '../api/peer.js';

/** Takes the root's lock: a file holding our pid, created exclusively; a stale one (dead pid) is replaced. */
function takeLock(layout: RootLayout): () => void {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(layout.lockFile, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      return () => {
        try {
          if (fs.readFileSync(layout.lockFile, 'utf8').trim() === String(process.pid)) fs.unlinkSync(layout.lockFile);
        } catch { /* already gone */ }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(fs.readFileSync(layout.lockFile, 'utf8').trim());
      if (pid > 0 && pid !== process.pid && isKctld(pid)) {
        throw new Error(`another kctld (pid ${pid}) is already serving ${layout.root}`);
      }
      fs.rmSync(layout.lockFile, { force: true });
    }
  }
  throw new Error(`could not take the lock ${layout.lockFile}`);
}

function isKctld(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('kctld');
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const root = defaultRoot();
  const layout = new RootLayout(root);
  await fsp.mkdir(root, { recursive: true, mode: 0o711 });
  const log = createLogger({ pid: process.pid });
  const unlock = takeLock(layout);
  let engine: Engine | undefined;
  try {
    // Scratch space of interrupted operations is never reused.
    await fsp.rm(layout.tmpDir, { recursive: true, force: true });
    engine = await Engine.open(root, log);
    let closing = false;
    const server = await createGrpcServer(engine, () => void shutdown('request'));
    // gRPC listens on a private socket; kctld.sock relays to it once the peer's credentials were checked.
    const privateGrpc = path.join(layout.privateDir, 'grpc.sock');
    await fsp.mkdir(layout.privateDir, { recursive: true, mode: 0o700 });
    await listenUnix(server, privateGrpc);
    const relay = await guardedRelay(layout.grpcSocket, privateGrpc, log);
    // The Docker Engine API beside the gRPC one (docker CLI, dockerode, compose): DOCKER_HOST=unix://<root>/docker.sock.
    const docker = createDockerServer(engine);
    await docker.listen(layout.dockerSocket);
    await fsp.writeFile(layout.pidFile, `${process.pid}\n`, { mode: 0o600 });
    log.info('kctld ready', { root, socket: layout.grpcSocket });

    const shutdown = async (why: string) => {
      if (closing) return;
      closing = true;
      log.info('kctld stopping; running VMs keep running', { why });
      relay.close(); // no new connections; open ones end with the process
      await new Promise<void>((r) => server.tryShutdown(() => r()));
      await docker.close().catch(() => undefined);
      await fsp.rm(layout.dockerSocket, { force: true });
      await engine?.close();
      await fsp.rm(layout.grpcSocket, { force: true });
      await fsp.rm(layout.pidFile, { force: true });
      unlock();
      process.exit(0);
    };
    process.on('SIGTERM', () => void shutdown('SIGTERM'));
    process.on('SIGINT', () => void shutdown('SIGINT'));
    process.on('SIGHUP', () => void engine?.reloadConfig());
  } catch (err) {
    log.error('kctld failed to start', { error: (err as Error).message });
    unlock();
    process.stderr.write(`kctld: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

process.on('unhandledRejection', (err) => {
  process.stderr.write(JSON.stringify({ level: 'error', msg: 'unhandled rejection', error: String((err as Error)?.stack ?? err) }) + '\n');
});

void main();
