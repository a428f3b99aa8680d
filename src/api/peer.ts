/**
 * Who may talk to kctld. Both API sockets are mode 0600, so the kernel already lets only the
 * daemon's user connect; on top of that every connection's peer credentials (SO_PEERCRED) are read
 * before a byte of it is handled, and a peer whose uid is neither root nor the daemon's own is
 * refused and logged. Access to these sockets is equivalent to root on the host.
 *
 * Node has no getsockopt, so the small static helper native/out/kctl-peercred reads the credentials
 * from the connection handed to it as stdin.
 */
import net from 'node:net';
import fs from 'node:fs/promises';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../core/util/log.js';

export interface PeerCredentials {
  pid: number;
  uid: number;
  gid: number;
}

function peercredBinary(): string {
  // dist/src/api/peer.js -> <package>/native/out/kctl-peercred
  return process.env.KCTL_PEERCRED || fileURLToPath(new URL('../../../native/out/kctl-peercred', import.meta.url));
}

/** The credentials of the process at the other end of `sock` (a connected unix socket), bounded in time. */
export function peerCredentials(sock: net.Socket, timeoutMs = 5000): Promise<PeerCredentials> {
  return new Promise((resolve, reject) => {
    const child = spawn(peercredBinary(), [], { stdio: [sock, 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('reading the peer credentials timed out')); }, timeoutMs);
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (err += d));
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code) => {
      clearTimeout(timer);
      const m = /^(\d+) (\d+) (\d+)\n$/.exec(out);
      if (code !== 0 || !m) reject(new Error(`reading the peer credentials failed: ${err.trim() || `exit ${code}`}`));
      else resolve({ pid: Number(m[1]), uid: Number(m[2]), gid: Number(m[3]) });
    });
  });
}

export function peerAllowed(p: PeerCredentials): boolean {
  return p.uid === 0 || p.uid === process.getuid?.();
}

/**
 * A unix socket listener (mode 0600) that hands a connection to `accept` only after its peer was
 * checked. Connections are paused until then; a refused or unreadable peer is dropped (fail closed).
 */
export async function listenGuarded(socketPath: string, accept: (sock: net.Socket, peer: PeerCredentials) => void, log: Logger): Promise<net.Server> {
  // allowHalfOpen as http.Server has it: a client that half-closes (the docker CLI does after its stdin
  // ends, on a hijacked attach) still receives everything the server writes afterwards.
  const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true }, (sock) => {
    sock.on('error', () => sock.destroy());
    peerCredentials(sock).then(
      (peer) => {
        if (!peerAllowed(peer)) {
          log.warn('refused a connection from a peer that is not allowed', { socket: socketPath, peerPid: peer.pid, peerUid: peer.uid });
          sock.destroy();
          return;
        }
        accept(sock, peer);
      },
      (err) => {
        log.warn('refused a connection whose peer could not be identified', { socket: socketPath, error: (err as Error).message });
        sock.destroy();
      },
    );
  });
  await fs.rm(socketPath, { force: true });
  const old = process.umask(0o077);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => { server.off('error', reject); resolve(); });
    });
  } finally {
    process.umask(old);
  }
  await fs.chmod(socketPath, 0o600);
  return server;
}

/**
 * Serves `publicPath` by relaying checked connections to `privatePath` (a socket in a 0700
 * directory that only the daemon's user can reach), for servers that offer no hook on accept (grpc-js).
 */
export async function guardedRelay(publicPath: string, privatePath: string, log: Logger): Promise<net.Server> {
  await fs.mkdir(path.dirname(privatePath), { recursive: true, mode: 0o700 });
  await fs.chmod(path.dirname(privatePath), 0o700);
  return listenGuarded(publicPath, (client) => {
    const upstream = net.connect({ path: privatePath, allowHalfOpen: true });
    const close = () => { client.destroy(); upstream.destroy(); };
    upstream.on('error', close);
    client.on('error', close);
    upstream.on('close', close);
    client.on('close', close);
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  }, log);
}
