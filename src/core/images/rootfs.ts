/**
 * Container root filesystems: an overlayfs mount of the image's unpacked layers (read-only
 * lowers from the layer store) under a per-container writable upper directory.
 *
 *   containers/<id>/         0700 root: unprivileged host users cannot reach the setuid files and
 *                            device nodes of the merged tree (the mount itself keeps suid and dev,
 *                            because setuid programs must work inside the guest)
 *   containers/<id>/upper/   the container's writes; survives unmount/mount (stop/start)
 *   containers/<id>/work/    overlayfs scratch
 *   containers/<id>/rootfs/  the merged view, shared into the VM by virtiofsd
 *
 * Mount options are limited to one page. Lower directories are passed relative to their common
 * parent (the layer store's directory: `mount` runs with that as its working directory), so each
 * layer costs about 13 bytes. Options: index=off (an upper may be mounted again over lowers that
 * were unpacked again), xino=off (inode numbers stay those of the layer filesystem; virtiofsd keys
 * inodes by device and inode number and every layer lives on one filesystem).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { execFile } from 'node:child_process';
import type { RootLayout } from '../paths.js';
import type { RootfsPlan } from './types.js';
import { KctlError, failedPrecondition, internal, invalidArgument, resourceExhausted, tail } from '../errors.js';

const PAGE = 4096;
const MOUNT_TIMEOUT_MS = 30_000;

function checkId(containerId: string): void {
  if (!/^[0-9a-zA-Z][0-9a-zA-Z_.-]{0,127}$/.test(containerId)) throw invalidArgument(`invalid container id "${containerId.slice(0, 80)}"`);
}

function planFor(layout: RootLayout, containerId: string, lowerDirsLowestFirst: string[]): RootfsPlan {
  const dir = layout.containerDir(containerId);
  return {
    lowerDirs: [...lowerDirsLowestFirst].reverse(),
    upperDir: path.join(dir, 'upper'),
    workDir: path.join(dir, 'work'),
    mergedDir: path.join(dir, 'rootfs'),
  };
}

/**
 * Creates containers/<id>/{upper,work,rootfs}; `lowerDirs` lowest first, as LayerStore returns
 * them. An image without layers gets one empty lower directory. Existing directories are kept
 * (the upper of a stopped container survives).
 */
export async function prepareRootfs(layout: RootLayout, containerId: string, lowerDirs: string[]): Promise<RootfsPlan> {
  checkId(containerId);
  const dir = layout.containerDir(containerId);
  await fs.mkdir(layout.containersDir, { recursive: true, mode: 0o700 });
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  await fs.chmod(dir, 0o700);
  let lowers = lowerDirs;
  if (lowers.length === 0) {
    const empty = path.join(dir, 'empty');
    await fs.mkdir(empty, { recursive: true, mode: 0o755 });
    lowers = [empty];
  }
  const plan = planFor(layout, containerId, lowers);
  await fs.mkdir(plan.upperDir, { recursive: true, mode: 0o755 });
  await fs.mkdir(plan.workDir, { recursive: true, mode: 0o700 });
  await fs.mkdir(plan.mergedDir, { recursive: true, mode: 0o755 });
  return plan;
}

/** The overlayfs options and the directory `mount` must run in for relative lower paths. */
export function overlayOptions(plan: RootfsPlan): { options: string; cwd: string } {
  if (plan.lowerDirs.length === 0) throw internal('overlay mount without lower directories');
  for (const d of [...plan.lowerDirs, plan.upperDir, plan.workDir]) {
    if (/[,:\\\n]/.test(d)) throw invalidArgument(`overlay directory path contains a character overlayfs cannot take: ${d}`);
  }
  const parents = new Set(plan.lowerDirs.map((d) => path.dirname(d)));
  const cwd = parents.size === 1 ? [...parents][0]! : '/';
  const lowers = parents.size === 1 ? plan.lowerDirs.map((d) => path.basename(d)) : plan.lowerDirs;
  const options = `lowerdir=${lowers.join(':')},upperdir=${plan.upperDir},workdir=${plan.workDir},index=off,xino=off`;
  if (options.length >= PAGE) {
    throw resourceExhausted(`the image has too many layers to mount (${plan.lowerDirs.length}: options are ${options.length} bytes, the limit is ${PAGE - 1})`, {
      hint: 'squash the image into fewer layers',
    });
  }
  return { options, cwd };
}

/** Whether `dir` is a mount point, from /proc/self/mountinfo. */
export async function isMountPoint(dir: string): Promise<boolean> {
  let real: string;
  try {
    real = await fs.realpath(dir);
  } catch {
    return false;
  }
  const info = await fs.readFile('/proc/self/mountinfo', 'utf8');
  for (const line of info.split('\n')) {
    const mp = line.split(' ')[4];
    if (mp !== undefined && unescapeMount(mp) === real) return true;
  }
  return false;
}

function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

function run(cmd: string, args: string[], cwd?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, timeout: MOUNT_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 1 << 20 }, (err, _out, stderr) => {
      if (!err) return resolve();
      const e = err as NodeJS.ErrnoException & { killed?: boolean };
      if (e.killed) reject(new KctlError('deadline_exceeded', `${cmd} did not finish within ${MOUNT_TIMEOUT_MS / 1000} s`, { detail: tail(String(stderr)) }));
      else reject(Object.assign(new Error(String(stderr).trim() || e.message), { stderr: String(stderr) }));
    });
  });
}

/** Mounts the overlay at plan.mergedDir; a no-op when it is already mounted. */
export async function mountRootfs(plan: RootfsPlan): Promise<void> {
  if (await isMountPoint(plan.mergedDir)) return;
  const { options, cwd } = overlayOptions(plan);
  try {
    await run('mount', ['-t', 'overlay', 'overlay', '-o', options, plan.mergedDir], cwd);
  } catch (err) {
    if (err instanceof KctlError) throw err;
    const stderr = (err as { stderr?: string }).stderr ?? (err as Error).message;
    throw failedPrecondition(`cannot mount the container root filesystem at ${plan.mergedDir}`, {
      detail: tail(stderr),
      hint: 'kctld must run as root on a kernel with overlayfs; see `dmesg | tail` for the reason',
    });
  }
}

/** Unmounts plan.mergedDir (lazily when it is busy); a no-op when it is not mounted. */
export async function unmountRootfs(plan: Pick<RootfsPlan, 'mergedDir'>): Promise<void> {
  if (!(await isMountPoint(plan.mergedDir))) return;
  try {
    await run('umount', [plan.mergedDir]);
  } catch (err) {
    if (!(await isMountPoint(plan.mergedDir))) return;
    try {
      await run('umount', ['-l', plan.mergedDir]);
    } catch (err2) {
      throw failedPrecondition(`cannot unmount the container root filesystem at ${plan.mergedDir}`, {
        detail: tail(String((err2 as { stderr?: string }).stderr ?? (err as Error).message)),
        hint: 'a process still uses it; check `fuser -vm` on that path',
      });
    }
  }
}

/** Unmounts and deletes the container's upper, work and rootfs directories. */
export async function removeRootfs(layout: RootLayout, containerId: string): Promise<void> {
  checkId(containerId);
  const dir = layout.containerDir(containerId);
  const merged = path.join(dir, 'rootfs');
  await unmountRootfs({ mergedDir: merged });
  if (await isMountPoint(merged)) throw internal(`root filesystem ${merged} is still mounted after unmount`);
  for (const sub of ['rootfs', 'upper', 'work', 'empty']) {
    await fs.rm(path.join(dir, sub), { recursive: true, force: true, maxRetries: 2 });
  }
}
