/**
 * Fixtures for the VM driver's integration tests: a throwaway busybox initramfs whose /init mounts
 * the virtio-fs share tagged `rootfs`, prints a marker line (with the share's marker file) on the
 * console and then idles, so the driver can be tested without the real guest agent.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BOOT_MARKER = 'KCTL-TEST-BOOTED';
export const BUSYBOX = '/bin/busybox';

const INIT = `#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev /mnt
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t devtmpfs dev /dev 2>/dev/null
if /bin/busybox mount -t virtiofs rootfs /mnt; then
  m=$(/bin/busybox cat /mnt/marker 2>/dev/null)
  if /bin/busybox touch /mnt/written-by-guest 2>/dev/null; then w=rw; else w=ro; fi
  echo "${BOOT_MARKER} share=$m mode=$w" > /dev/console
else
  echo "${BOOT_MARKER} share=none" > /dev/console
fi
while :; do /bin/busybox sleep 3600; done
`;

export function packageRootFromTest(): string {
  // dist/test/integration/vm/fixtures.js -> package root
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
}

/** Builds the initramfs into `dir` and returns its path. Needs busybox-static and cpio. */
export function buildTestInitramfs(dir: string): string {
  const root = path.join(dir, 'initramfs-root');
  fs.mkdirSync(path.join(root, 'bin'), { recursive: true });
  for (const d of ['dev', 'proc', 'sys', 'mnt']) fs.mkdirSync(path.join(root, d), { recursive: true });
  fs.copyFileSync(BUSYBOX, path.join(root, 'bin', 'busybox'));
  fs.chmodSync(path.join(root, 'bin', 'busybox'), 0o755);
  fs.symlinkSync('busybox', path.join(root, 'bin', 'sh'));
  fs.writeFileSync(path.join(root, 'init'), INIT, { mode: 0o755 });
  const out = path.join(dir, 'test-initramfs.cpio');
  execFileSync('/bin/sh', ['-c', 'find . | cpio -o -H newc --quiet > "$1"', 'sh', out], { cwd: root });
  return out;
}

export function makeTempDir(prefix: string): string {
  // Short paths: the VM's unix sockets live below it and are limited to 107 bytes.
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Waits (bounded) for `text` to appear in `file`; returns the file's content or undefined on timeout. */
export async function waitForText(file: string, text: string, timeoutMs: number): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let content = '';
    try {
      content = fs.readFileSync(file, 'utf8');
    } catch {
      // not created yet
    }
    if (content.includes(text)) return content;
    if (Date.now() >= deadline) return undefined;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** PIDs of processes whose command line mentions `needle` (to assert nothing was left running). */
export function processesMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const n of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(n) || Number(n) === process.pid) continue;
    try {
      const st = fs.readFileSync(`/proc/${n}/stat`, 'utf8');
      if (/\) Z /.test(st)) continue;
      const cmd = fs.readFileSync(`/proc/${n}/cmdline`, 'utf8');
      if (cmd.includes(needle)) out.push(Number(n));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}
