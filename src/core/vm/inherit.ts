/**
 * Sockets that kctld makes for a VM's processes to inherit, so that virtiofsd, passt and QEMU can
 * start side by side instead of each waiting for the other's socket to appear:
 *
 * - virtiofsd gets a listening socket (`--fd`) bound at the path QEMU connects to. QEMU's
 *   connection waits in the socket's backlog until virtiofsd accepts it.
 * - passt gets one end of a connected pair (`--fd`) and QEMU the other (`-netdev stream` on a
 *   descriptor), so no path exists for anyone else to connect to.
 *
 * Node has no API to hand a socket's descriptor to a child, so this reaches into the handle
 * (`_handle.fd`, `_handle.setBlocking`), as Node's own child_process does for stdio. A descriptor is
 * made blocking when it is taken for a child, as the programs expect of what they inherit
 * (virtiofsd's accept() fails at once on a non-blocking listening socket), and kctld closes its copy
 * right after that child's spawn, before its event loop turns again: libuv still watches a listening
 * socket, and a connection it accepted on a blocking one would leave it blocked in the next accept().
 * kctld never reads or writes these sockets.
 */
import fs from 'node:fs';
import net from 'node:net';
import { conflict, internal } from '../errors.js';

export interface InheritableSocket {
  /**
   * Makes the descriptor blocking and returns it, for one child's stdio. Spawn that child and close()
   * at once, with no await in between that could let kctld's event loop turn (see above).
   */
  take(): number;
  /** Closes kctld's copy; idempotent. */
  close(): void;
}

interface Handle { fd?: number; setBlocking?: (blocking: boolean) => number }

function inheritable(what: string, obj: net.Server | net.Socket): InheritableSocket {
  const handle = (obj as unknown as { _handle?: Handle })._handle;
  const fd = handle?.fd;
  if (!handle || typeof fd !== 'number' || fd < 0 || typeof handle.setBlocking !== 'function') {
    obj instanceof net.Server ? obj.close() : obj.destroy();
    throw internal(`cannot pass ${what} to a child process: this Node.js does not expose socket descriptors`);
  }
  let closed = false;
  return {
    take() {
      if (closed) throw internal(`${what} was already closed`);
      const rc = handle.setBlocking!(true);
      if (rc !== 0) throw internal(`cannot make ${what} blocking (libuv error ${rc})`);
      return fd;
    },
    close() {
      if (closed) return;
      closed = true;
      if (obj instanceof net.Server) obj.close();
      else obj.destroy();
    },
  };
}

function listen(server: net.Server, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(file, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * A listening unix socket at `file` (which must not exist) for a child to inherit. It is bound under
 * a temporary name and renamed into place, because closing kctld's copy unlinks the name it was
 * bound to: the rename leaves `file` to the child. Connections that reach kctld itself before the
 * child holds the socket (there should be none: QEMU starts after) are dropped.
 */
export async function inheritableListener(file: string): Promise<InheritableSocket> {
  // rename() would replace whatever is at `file`.
  if (fs.lstatSync(file, { throwIfNoEntry: false })) throw conflict(`${file} already exists`);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.rmSync(tmp, { force: true });
  const server = net.createServer((c) => c.destroy());
  await listen(server, tmp);
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    server.close();
    throw err;
  }
  return inheritable(`the listening socket ${file}`, server);
}

/**
 * A connected pair of unix stream sockets for two children, made through a listening socket at
 * `rendezvous` (in a directory only kctld can write) that is gone when this returns.
 */
export async function inheritablePair(rendezvous: string): Promise<[InheritableSocket, InheritableSocket]> {
  fs.rmSync(rendezvous, { force: true });
  const server = net.createServer();
  await listen(server, rendezvous);
  try {
    const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
    const client = net.connect(rendezvous);
    await new Promise<void>((resolve, reject) => {
      client.once('error', reject);
      client.once('connect', () => { client.off('error', reject); resolve(); });
    });
    const peer = await accepted;
    // Nothing of the children's traffic is ever read here.
    client.pause();
    peer.pause();
    const ours = inheritable('a socket pair', client);
    try {
      return [ours, inheritable('a socket pair', peer)];
    } catch (err) {
      ours.close();
      throw err;
    }
  } finally {
    server.close();
  }
}
