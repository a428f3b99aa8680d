/**
 * The virtiofsd command line for one share, built from a typed description and golden-tested in
 * test/unit/vm/virtiofsd-args.test.ts.
 *
 * kctl runs Debian's C virtiofsd (QEMU 7.2, /usr/lib/qemu/virtiofsd). It is always sandboxed:
 * its defaults are the namespace sandbox (mount, pid and net namespaces, pivot_root into the shared
 * directory) and a seccomp filter, and kctl never passes `-o sandbox=none`. It logs to stderr,
 * which the driver sends to a file in the VM directory (never `--syslog`).
 *
 * The C virtiofsd has no read-only option. A read-only share therefore runs virtiofsd in a private
 * mount namespace (`unshare --mount`) in which the source directory is bind-mounted over itself
 * read-only, nosuid and nodev; virtiofsd's own sandbox pivots into that read-only mount, so
 * neither the guest nor a compromised virtiofsd can write through it. The host's mount table is
 * untouched and nothing is left to unmount when the process dies.
 */
import path from 'node:path';
import { invalidArgument } from '../errors.js';

export type CacheMode = 'auto' | 'always' | 'none';

export interface VirtiofsdConfig {
  binary: string;
  /** The vhost-user socket: a path virtiofsd binds, or a listening socket it inherits as this descriptor (vm/inherit.ts). */
  socket: string | { fd: number };
  /** Absolute path of the shared directory. */
  source: string;
  readOnly: boolean;
  cache: CacheMode;
  /** util-linux `unshare`, used for read-only shares. */
  unshareBinary: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'err';
}

export interface Command {
  file: string;
  args: string[];
}

/** Script run by /bin/sh for read-only shares: $1 = source, the rest is virtiofsd's argv. */
export const READ_ONLY_WRAPPER =
  'src=$1; shift; mount --bind -o ro,nosuid,nodev "$src" "$src" && mount -o remount,bind,ro,nosuid,nodev "$src" && exec "$@"';

function validate(c: VirtiofsdConfig): void {
  if (!path.isAbsolute(c.source) || path.normalize(c.source) !== c.source || c.source.endsWith('/')) {
    throw invalidArgument(`invalid share source ${JSON.stringify(c.source)}: use an absolute, normalized path other than /`);
  }
  if (c.source.includes(',') || /[\n\0]/.test(c.source)) {
    // virtiofsd splits -o values on commas and has no escape for them.
    throw invalidArgument(`share source ${JSON.stringify(c.source)} contains a comma or control character, which virtiofsd cannot take`);
  }
  if (typeof c.socket === 'string' && !path.isAbsolute(c.socket)) throw invalidArgument(`virtiofsd socket path must be absolute: ${c.socket}`);
  if (typeof c.socket !== 'string' && !(Number.isInteger(c.socket.fd) && c.socket.fd > 2)) throw invalidArgument(`invalid virtiofsd socket descriptor ${c.socket.fd}`);
}

export function virtiofsdArgs(c: VirtiofsdConfig): string[] {
  validate(c);
  return [
    typeof c.socket === 'string' ? `--socket-path=${c.socket}` : `--fd=${c.socket.fd}`,
    '-o', `source=${c.source}`,
    '-o', `cache=${c.cache}`,
    '-o', 'sandbox=namespace',
    '-o', `log_level=${c.logLevel ?? 'info'}`,
  ];
}

/** The command to spawn: virtiofsd itself, or for a read-only share the mount-namespace wrapper. */
export function virtiofsdCommand(c: VirtiofsdConfig): Command {
  const args = virtiofsdArgs(c);
  if (!c.readOnly) return { file: c.binary, args };
  return {
    file: c.unshareBinary,
    args: ['--mount', '--propagation', 'private', '--', '/bin/sh', '-c', READ_ONLY_WRAPPER, 'kctl-ro-share', c.source, c.binary, ...args],
  };
}
