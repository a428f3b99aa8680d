/**
 * Container root filesystems on a real overlayfs: idempotent mount/unmount, the upper surviving
 * stop/start, removal, private parent permissions, and the merged view served by a real
 * virtiofsd to a real microVM (guest/out/vmlinux): the guest sees whiteouts applied, modes,
 * owners and special files, and its writes land in the container's upper directory.
 *
 * Needs root and the fixtures (test/fixtures/build-images.sh); the VM case also needs QEMU,
 * virtiofsd, busybox-static, cpio and the guest kernel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { LayerStore } from '../../../src/core/images/layers.js';
import { prepareRootfs, mountRootfs, unmountRootfs, removeRootfs, isMountPoint, overlayOptions } from '../../../src/core/images/rootfs.js';
import { untarBinary } from '../../../src/core/images/unpack.js';
import { FsContentStore } from '../../../src/core/images/content-store.js';
import { RootLayout } from '../../../src/core/paths.js';
import { nullLogger } from '../../../src/core/util/log.js';
import { fixtures, importLayout } from './helpers.js';

const fx = fixtures();
const skip = process.getuid?.() !== 0 ? 'needs root'
  : !fs.existsSync(untarBinary()) ? 'build native/out/kctl-untar first: make -C native'
  : !fx ? 'build the fixtures first: test/fixtures/build-images.sh' : false;
const kernel = fileURLToRepo('guest/out/vmlinux');
const virtiofsd = '/usr/lib/qemu/virtiofsd';
const vmSkip = skip || (!fs.existsSync(kernel) ? `no guest kernel at ${kernel}` : !fs.existsSync(virtiofsd) ? 'no virtiofsd' : spawnSync('qemu-system-x86_64', ['--version']).status !== 0 ? 'no qemu' : false);

function fileURLToRepo(rel: string): string {
  // dist/test/integration/unpack/x.js -> repository root
  return path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../..', rel);
}

async function setup(t: { after: (fn: () => Promise<void> | void) => void }) {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'kctl-rootfs-'));
  const layout = new RootLayout(path.join(base, 'state'));
  const id = `rootfs-test-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
  t.after(async () => {
    await removeRootfs(layout, id).catch(() => {});
    fs.rmSync(base, { recursive: true, force: true });
  });
  const content = new FsContentStore(layout.contentDir);
  const img = await importLayout(fx!.KCTL_FIXTURE_LAYERS!, content);
  const dirs = await new LayerStore({ layout, content, log: nullLogger }).ensureUnpacked(img);
  return { base, layout, id, dirs };
}

test('overlay options use short relative lower paths and fit in a page', () => {
  const plan = { lowerDirs: ['/s/layers/bbbbbbbbbbbb', '/s/layers/aaaaaaaaaaaa'], upperDir: '/s/c/x/upper', workDir: '/s/c/x/work', mergedDir: '/s/c/x/rootfs' };
  const { options, cwd } = overlayOptions(plan);
  assert.equal(cwd, '/s/layers');
  assert.match(options, /^lowerdir=bbbbbbbbbbbb:aaaaaaaaaaaa,upperdir=\/s\/c\/x\/upper,workdir=\/s\/c\/x\/work,/);
  const many = { ...plan, lowerDirs: Array.from({ length: 400 }, (_, i) => `/s/layers/${i.toString(16).padStart(12, '0')}`) };
  assert.throws(() => overlayOptions(many), /too many layers/);
  assert.throws(() => overlayOptions({ ...plan, upperDir: '/s/a,b' }), /cannot take/);
});

test('mount and unmount are idempotent, the upper survives a remount, remove cleans up', { skip }, async (t) => {
  const { layout, id, dirs } = await setup(t);
  const plan = await prepareRootfs(layout, id, dirs);
  assert.deepEqual(plan.lowerDirs, [...dirs].reverse(), 'overlay wants the top-most layer first');
  assert.equal(fs.statSync(layout.containerDir(id)).mode & 0o777, 0o700, 'unprivileged users cannot reach setuid files in the rootfs');
  await mountRootfs(plan);
  await mountRootfs(plan);
  assert.ok(await isMountPoint(plan.mergedDir));
  assert.equal(fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.split(' ')[4] === plan.mergedDir).length, 1, 'mounted once');
  fs.writeFileSync(path.join(plan.mergedDir, 'data/keep'), 'changed by the container');
  fs.rmSync(path.join(plan.mergedDir, 'opq/new'));
  await unmountRootfs(plan);
  await unmountRootfs(plan);
  assert.equal(await isMountPoint(plan.mergedDir), false);
  assert.ok(fs.existsSync(path.join(dirs[dirs.length - 1]!, 'opq/new')), 'deleting through the overlay leaves the layer untouched');
  assert.ok(fs.lstatSync(path.join(plan.upperDir, 'opq/new')).isCharacterDevice(), 'the deletion is a whiteout in the upper');

  const again = await prepareRootfs(layout, id, dirs);
  await mountRootfs(again);
  assert.equal(fs.readFileSync(path.join(again.mergedDir, 'data/keep'), 'utf8'), 'changed by the container');
  assert.equal(fs.existsSync(path.join(again.mergedDir, 'opq/new')), false);
  await removeRootfs(layout, id);
  assert.equal(await isMountPoint(again.mergedDir), false);
  for (const d of [again.upperDir, again.workDir, again.mergedDir]) assert.equal(fs.existsSync(d), false, d);
  await removeRootfs(layout, id);
});

test('an image without layers gets an empty lower directory', { skip }, async (t) => {
  const { layout, id } = await setup(t);
  const plan = await prepareRootfs(layout, id, []);
  await mountRootfs(plan);
  assert.deepEqual(fs.readdirSync(plan.mergedDir), []);
  await removeRootfs(layout, id);
});

test('a directory deleted in one layer and recreated in a later one shows none of the old contents', { skip }, async (t) => {
  const { layout, id, base } = await setup(t);
  const { makeTar, sha256 } = await import('../../fixtures/hostile/tar.js');
  const { MediaTypes } = await import('../../../src/core/images/types.js');
  const { gzipSync } = await import('node:zlib');
  const content = new FsContentStore(layout.contentDir);
  const tars = [
    makeTar([{ name: 'a/b/c/bar', data: 'lowest' }, { name: 'a/b/keep-no', data: 'lowest' }]),
    makeTar([{ name: 'a/', type: 'dir' }, { name: 'a/.wh.b' }]),
    makeTar([{ name: 'a/b/c/foo', data: 'recreated' }]),
  ];
  const layers = [];
  for (const tar of tars) {
    const gz = gzipSync(tar);
    layers.push({ mediaType: MediaTypes.ociLayerGzip, digest: await content.putBuffer(gz), size: gz.length });
  }
  const img = {
    id: sha256(Buffer.from(base)), repoTags: [], repoDigests: [], manifestDigest: '', manifestMediaType: MediaTypes.ociManifest,
    layers, diffIds: tars.map((x) => sha256(x)), size: 0, created: '', loadedAt: '', platform: { architecture: 'amd64', os: 'linux' },
  };
  const dirs = await new LayerStore({ layout, content, log: nullLogger }).ensureUnpacked(img);
  const plan = await prepareRootfs(layout, id, dirs);
  await mountRootfs(plan);
  assert.deepEqual(fs.readdirSync(path.join(plan.mergedDir, 'a/b')), ['c']);
  assert.deepEqual(fs.readdirSync(path.join(plan.mergedDir, 'a/b/c')), ['foo']);
  await removeRootfs(layout, id);
});

function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (cond()) return resolve();
      if (Date.now() > until) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 50);
    };
    tick();
  });
}

function tscKhz(): number {
  const m = /cpu MHz\s*:\s*([\d.]+)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
  return Math.round(Number(m?.[1] ?? 2000) * 1000);
}

test('virtiofsd serves the merged overlay to a microVM; guest writes land in the upper', { skip: vmSkip, timeout: 180_000 }, async (t) => {
  const { base, layout, id, dirs } = await setup(t);
  const plan = await prepareRootfs(layout, id, dirs);
  await mountRootfs(plan);

  const ird = path.join(base, 'initramfs');
  for (const d of ['bin', 'dev', 'mnt', 'proc']) fs.mkdirSync(path.join(ird, d), { recursive: true });
  fs.copyFileSync('/bin/busybox', path.join(ird, 'bin/busybox'));
  fs.chmodSync(path.join(ird, 'bin/busybox'), 0o755);
  assert.equal(spawnSync('mknod', [path.join(ird, 'dev/console'), 'c', '5', '1']).status, 0);
  fs.writeFileSync(path.join(ird, 'init'), [
    '#!/bin/busybox sh',
    'B=/bin/busybox',
    '$B mount -t virtiofs rootfs /mnt || { echo KCTL-NOMOUNT; $B reboot -f; }',
    'echo "LS-OPQ $($B ls /mnt/opq | $B tr "\\n" " ")"',
    'echo "DEL $($B ls /mnt/data/del 2>&1 >/dev/null | $B wc -l)"',
    "$B stat -c 'STAT %n %a %u:%g %F' /mnt/bin/suid-echo /mnt/run/fifo /mnt/dev/kctl-null /mnt/home/app/owned",
    'echo written-in-guest > /mnt/guest-file && echo KCTL-WROTE',
    'echo KCTL-DONE',
    '$B reboot -f',
  ].join('\n') + '\n', { mode: 0o755 });
  const cpio = path.join(base, 'init.cpio');
  const pack = spawnSync('sh', ['-c', `cd '${ird}' && find . | cpio -o -H newc --quiet > '${cpio}'`]);
  assert.equal(pack.status, 0, String(pack.stderr));

  const sock = path.join(base, 'vfs.sock');
  const procs: ChildProcess[] = [];
  t.after(() => { for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL'); });
  const vfs = spawn(virtiofsd, [`--socket-path=${sock}`, '-o', `source=${plan.mergedDir}`, '-o', 'cache=auto'], { stdio: ['ignore', 'ignore', 'pipe'] });
  procs.push(vfs);
  let vfsErr = '';
  vfs.stderr!.on('data', (d: Buffer) => { vfsErr = (vfsErr + d).slice(-4000); });
  await waitFor(() => fs.existsSync(sock), 10_000, `virtiofsd socket (${vfsErr})`);

  const khz = tscKhz();
  const qemu = spawn('qemu-system-x86_64', [
    '-M', 'microvm,acpi=off,memory-backend=mem', '-global', 'virtio-mmio.force-legacy=false', '-accel', 'tcg',
    '-m', '256M', '-smp', '1', '-nodefaults', '-no-user-config', '-nographic', '-serial', 'stdio', '-no-reboot',
    '-kernel', kernel, '-initrd', cpio,
    '-append', `console=ttyS0 quiet reboot=t panic=-1 rdinit=/init tsc_early_khz=${khz} tsc=reliable lpj=${khz * 10} no_timer_check noapictimer noreplace-smp`,
    '-object', 'memory-backend-memfd,id=mem,size=256M,share=on',
    '-chardev', `socket,id=vfs,path=${sock}`, '-device', 'vhost-user-fs-device,chardev=vfs,tag=rootfs',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(qemu);
  let console = '';
  qemu.stdout!.on('data', (d: Buffer) => { console += d.toString(); });
  qemu.stderr!.on('data', (d: Buffer) => { console += d.toString(); });
  const exited = new Promise<void>((resolve) => qemu.once('close', () => resolve()));
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([exited, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`VM did not finish within 120 s:\n${console.slice(-2000)}`)), 120_000); })]);
  } finally {
    clearTimeout(timer);
  }

  assert.match(console, /KCTL-DONE/, console);
  assert.match(console, /LS-OPQ new \r?\n/, 'opaque directory: only the upper layer\'s file');
  assert.match(console, /DEL 1/, 'whited-out file absent');
  assert.match(console, /STAT \/mnt\/bin\/suid-echo 4755 0:0 regular file/);
  assert.match(console, /STAT \/mnt\/run\/fifo 620 0:0 fifo/);
  assert.match(console, /STAT \/mnt\/dev\/kctl-null 666 0:0 character special file/);
  assert.match(console, /STAT \/mnt\/home\/app\/owned 600 1000:1000 regular file/);
  assert.equal(fs.readFileSync(path.join(plan.upperDir, 'guest-file'), 'utf8'), 'written-in-guest\n');
  for (const d of dirs) assert.equal(fs.existsSync(path.join(d, 'guest-file')), false, 'layers stay read-only');

  vfs.kill('SIGTERM');
  await new Promise<void>((resolve) => (vfs.exitCode !== null || vfs.signalCode !== null ? resolve() : vfs.once('close', () => resolve())));
  await removeRootfs(layout, id);
});
