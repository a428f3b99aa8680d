/**
 * Guest assets: the kernel and the initramfs (which holds kctl-agent as /init) every VM boots.
 *
 * Lookup order:
 *   1. KCTL_KERNEL / KCTL_INITRD in the daemon's environment (each independently),
 *   2. <package root>/guest/out/vmlinux and <package root>/guest/out/initramfs.cpio, built by
 *      `npm run setup` (guest/build-kernel.sh and guest/build-initramfs.sh),
 *   3. for the kernel only: Debian's stock kernel (/boot/vmlinuz-*), as a fallback. It boots about
 *      4x slower under TCG, needs microvm with ACPI on, and needs its virtio modules loaded by the
 *      initramfs; kernelKind 'debian' tells the caller to warn.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unavailable } from '../errors.js';
import type { KernelKind } from './qemu-args.js';

export interface GuestAssets {
  kernel: string;
  kernelKind: KernelKind;
  initrd: string;
}

export interface AssetLookup {
  env?: NodeJS.ProcessEnv;
  /** Defaults to the package this file belongs to. */
  packageRoot?: string;
  /** Where the Debian kernel fallback is looked for (tests point this elsewhere). */
  bootDir?: string;
}

/** The package root: dist/src/core/vm/assets.js (or src/core/vm/assets.ts) is four levels below it. */
export function packageRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
}

const SETUP_HINT = 'run `npm run setup` (or `bash guest/build-kernel.sh` and `bash guest/build-initramfs.sh`), or set KCTL_KERNEL / KCTL_INITRD';

function isReadableFile(p: string): boolean {
  try {
    const st = fs.statSync(p);
    if (!st.isFile() || st.size === 0) return false;
    fs.accessSync(p, fs.constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** Compares Debian kernel versions like 6.1.0-28-amd64 numerically, part by part. */
function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/);
  const pb = b.split(/[.-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    const nx = Number(x);
    const ny = Number(y);
    const c = Number.isInteger(nx) && Number.isInteger(ny) && x !== '' && y !== '' ? nx - ny : x.localeCompare(y);
    if (c !== 0) return c;
  }
  return 0;
}

/** The newest readable /boot/vmlinuz-<version>, or undefined. */
export function findDebianKernel(bootDir = '/boot'): string | undefined {
  let names: string[];
  try {
    names = fs.readdirSync(bootDir);
  } catch {
    return undefined;
  }
  const versions = names
    .filter((n) => n.startsWith('vmlinuz-'))
    .map((n) => n.slice('vmlinuz-'.length))
    .sort(compareVersions)
    .reverse();
  for (const v of versions) {
    const p = path.join(bootDir, `vmlinuz-${v}`);
    if (isReadableFile(p)) return p;
  }
  return undefined;
}

/** A kernel named by KCTL_KERNEL is a Debian kernel when it is a /boot/vmlinuz-* image, unless KCTL_KERNEL_KIND says otherwise. */
function kindOf(kernel: string, env: NodeJS.ProcessEnv): KernelKind {
  const k = env.KCTL_KERNEL_KIND;
  if (k === 'kctl' || k === 'debian') return k;
  return path.basename(kernel).startsWith('vmlinuz-') ? 'debian' : 'kctl';
}

export function findGuestAssets(o: AssetLookup = {}): GuestAssets {
  const env = o.env ?? process.env;
  const root = o.packageRoot ?? packageRoot();

  let kernel: string | undefined;
  let kernelKind: KernelKind = 'kctl';
  if (env.KCTL_KERNEL) {
    kernel = path.resolve(env.KCTL_KERNEL);
    if (!isReadableFile(kernel)) {
      throw unavailable(`guest kernel ${kernel} (from KCTL_KERNEL) is missing or unreadable`, { hint: SETUP_HINT });
    }
    kernelKind = kindOf(kernel, env);
  } else {
    const built = path.join(root, 'guest', 'out', 'vmlinux');
    if (isReadableFile(built)) {
      kernel = built;
    } else {
      kernel = findDebianKernel(o.bootDir);
      kernelKind = 'debian';
    }
  }
  if (!kernel) {
    throw unavailable(`no guest kernel: ${path.join(root, 'guest', 'out', 'vmlinux')} is missing and no Debian kernel is installed`, { hint: SETUP_HINT });
  }

  let initrd: string;
  if (env.KCTL_INITRD) {
    initrd = path.resolve(env.KCTL_INITRD);
    if (!isReadableFile(initrd)) {
      throw unavailable(`guest initramfs ${initrd} (from KCTL_INITRD) is missing or unreadable`, { hint: SETUP_HINT });
    }
  } else {
    initrd = path.join(root, 'guest', 'out', 'initramfs.cpio');
    if (!isReadableFile(initrd)) {
      throw unavailable(`no guest initramfs: ${initrd} is missing`, { hint: SETUP_HINT });
    }
  }
  return { kernel, kernelKind, initrd };
}
