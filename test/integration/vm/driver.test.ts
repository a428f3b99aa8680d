/**
 * The VM driver against real QEMU and virtiofsd (TCG on hosts without usable KVM), booting the
 * kctl kernel with a throwaway busybox initramfs (see fixtures.ts). Each test owns a temp state
 * root, registers cleanup before it starts anything, and asserts that nothing is left running.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { VmDriver } from '../../../src/core/vm/driver.js';
import { RootLayout } from '../../../src/core/paths.js';
import { nullLogger } from '../../../src/core/util/log.js';
import { isKctlError } from '../../../src/core/errors.js';
import { withQmp } from '../../../src/core/vm/qmp.js';
import { BOOT_MARKER, buildTestInitramfs, makeTempDir, packageRootFromTest, processesMentioning, waitForText } from './fixtures.js';

const KERNEL = process.env.KCTL_KERNEL ?? path.join(packageRootFromTest(), 'guest', 'out', 'vmlinux');
const skip = !fs.existsSync(KERNEL)
  ? `guest kernel ${KERNEL} not built (bash guest/build-kernel.sh)`
  : !fs.existsSync('/usr/bin/qemu-system-x86_64') || !fs.existsSync('/usr/lib/qemu/virtiofsd')
    ? 'qemu-system-x86 / virtiofsd not installed'
    : !fs.existsSync('/bin/busybox') ? 'busybox-static not installed' : false;

const BOOT_TIMEOUT_MS = 30_000;
let counter = 0;

interface Fixture {
  tmp: string;
  share: string;
  driver: VmDriver;
  layout: RootLayout;
  vmId: string;
}

/** A temp root with a share directory and a driver; teardown destroys every VM in it and removes it. */
function setup(t: TestContext, kernel = KERNEL): Fixture {
  const tmp = makeTempDir('kvm-');
  const layout = new RootLayout(path.join(tmp, 'r'));
  const mkDriver = () => new VmDriver({ layout, log: nullLogger, assets: { env: { KCTL_KERNEL: kernel, KCTL_INITRD: path.join(tmp, 'test-initramfs.cpio') } } });
  t.after(async () => {
    const d = mkDriver();
    for (const info of await d.list()) await d.destroy(info);
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  buildTestInitramfs(tmp);
  const share = path.join(tmp, 'share');
  fs.mkdirSync(share);
  fs.writeFileSync(path.join(share, 'marker'), `m${process.pid}`);
  const vmId = (process.pid.toString(16) + (++counter).toString(16)).padStart(12, '0').slice(-12);
  return { tmp, share, driver: mkDriver(), layout, vmId };
}

function assertNothingLeft(f: Fixture) {
  assert.deepEqual(processesMentioning(f.tmp), [], 'no QEMU or virtiofsd process may remain');
  assert.equal(fs.existsSync(f.layout.vmDir(f.vmId)), false, 'the VM directory is removed');
}

async function waitUntil(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

test('start boots a VM with a read-write share; QMP answers; seccomp is on; stop leaves nothing', { skip }, async (t) => {
  const f = setup(t);
  const info = await f.driver.start({ vmId: f.vmId, vcpus: 1, memoryMiB: 256, shares: [{ tag: 'rootfs', source: f.share, readOnly: false }] });
  assert.equal(f.driver.isAlive(info), true);
  assert.equal(info.state, 'running');
  assert.deepEqual(await f.driver.load(f.vmId), info, 'vm.json holds what start returned');
  assert.deepEqual((await f.driver.list()).map((v) => v.vmId), [f.vmId]);

  const status = await withQmp(info.qmpSocket, (c) => c.execute<{ status: string }>('query-status'));
  assert.equal(status.status, 'running');

  // Every QEMU thread runs under a seccomp filter.
  for (const tid of fs.readdirSync(`/proc/${info.qemuPid}/task`)) {
    assert.match(fs.readFileSync(`/proc/${info.qemuPid}/task/${tid}/status`, 'utf8'), /^Seccomp:\s*2$/m, `QEMU thread ${tid}`);
  }
  // virtiofsd serves from a child in its own PID and mount namespaces, under seccomp.
  const vfsWorkers = fs.readdirSync('/proc').filter((n) => {
    if (!/^\d+$/.test(n)) return false;
    try {
      const st = fs.readFileSync(`/proc/${n}/stat`, 'utf8');
      return Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[2]) === info.virtiofsd[0].pid;
    } catch {
      return false;
    }
  });
  assert.ok(
    vfsWorkers.some((n) =>
      /^Seccomp:\s*2$/m.test(fs.readFileSync(`/proc/${n}/status`, 'utf8')) &&
      fs.readlinkSync(`/proc/${n}/ns/pid`) !== fs.readlinkSync('/proc/self/ns/pid') &&
      fs.readlinkSync(`/proc/${n}/ns/mnt`) !== fs.readlinkSync('/proc/self/ns/mnt')),
    'a sandboxed virtiofsd worker exists',
  );
  assert.equal(fs.statSync(info.dir).mode & 0o777, 0o700);
  for (const s of [info.qmpSocket, info.agentSocket, info.virtiofsd[0].socket]) {
    assert.equal(fs.statSync(s).mode & 0o777, 0o600, s);
  }
  // Detached: QEMU leads its own session, so it survives the daemon.
  const stat = fs.readFileSync(`/proc/${info.qemuPid}/stat`, 'utf8').slice(fs.readFileSync(`/proc/${info.qemuPid}/stat`, 'utf8').lastIndexOf(')') + 2).split(' ');
  assert.equal(Number(stat[3]), info.qemuPid, 'QEMU is a session leader');

  const console = await waitForText(info.consoleLog, BOOT_MARKER, BOOT_TIMEOUT_MS);
  assert.ok(console, `the guest printed its marker; console:\n${fs.readFileSync(info.consoleLog, 'utf8')}`);
  assert.match(console, new RegExp(`${BOOT_MARKER} share=m${process.pid} mode=rw`));
  assert.equal(fs.existsSync(path.join(f.share, 'written-by-guest')), true);

  await f.driver.stop(info, 5000);
  assert.equal(f.driver.isAlive(info), false);
  assertNothingLeft(f);
  await f.driver.destroy(info); // idempotent
});

test('a read-only share cannot be written by the guest and leaves no host mount behind', { skip }, async (t) => {
  const f = setup(t);
  const mountsBefore = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  const info = await f.driver.start({ vmId: f.vmId, vcpus: 1, memoryMiB: 256, shares: [{ tag: 'rootfs', source: f.share, readOnly: true }] });
  const console = await waitForText(info.consoleLog, BOOT_MARKER, BOOT_TIMEOUT_MS);
  assert.ok(console);
  assert.match(console, new RegExp(`${BOOT_MARKER} share=m${process.pid} mode=ro`));
  assert.equal(fs.existsSync(path.join(f.share, 'written-by-guest')), false);
  assert.equal(fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(f.share), false, 'the read-only bind lives only in virtiofsd\'s namespace');
  await f.driver.destroy(info);
  assertNothingLeft(f);
  assert.equal(fs.readFileSync('/proc/self/mountinfo', 'utf8'), mountsBefore);
});

test('kill -9 of QEMU is noticed by onExit, also by a driver that did not spawn it', { skip }, async (t) => {
  const f = setup(t);
  const info = await f.driver.start({ vmId: f.vmId, vcpus: 1, memoryMiB: 256, shares: [{ tag: 'rootfs', source: f.share, readOnly: false }] });
  // A second driver on the same root stands for a restarted daemon: it is not QEMU's parent.
  const adopted = new VmDriver({ layout: f.layout, log: nullLogger });
  const loaded = await adopted.load(f.vmId);
  assert.ok(loaded && adopted.isAlive(loaded));

  const seenByParent = new Promise<{ qemuExited: boolean }>((resolve) => f.driver.onExit(info, resolve));
  const seenByAdopter = new Promise<{ qemuExited: boolean }>((resolve) => adopted.onExit(loaded, resolve));
  let late = false;
  const unsubscribed = adopted.onExit(loaded, () => (late = true));
  unsubscribed();

  process.kill(info.qemuPid, 'SIGKILL');
  assert.deepEqual(await seenByParent, { qemuExited: true });
  assert.deepEqual(await seenByAdopter, { qemuExited: true });
  assert.equal(late, false, 'an unsubscribed callback is not called');
  assert.equal(adopted.isAlive(loaded), false);

  await adopted.destroy(loaded);
  assertNothingLeft(f);
});

test('kill -9 of virtiofsd is reported with the share tag', { skip }, async (t) => {
  const f = setup(t);
  const info = await f.driver.start({ vmId: f.vmId, vcpus: 1, memoryMiB: 256, shares: [{ tag: 'rootfs', source: f.share, readOnly: false }] });
  const why = new Promise((resolve) => f.driver.onExit(info, resolve));
  process.kill(info.virtiofsd[0].pid, 'SIGKILL');
  const r = (await why) as { qemuExited: boolean; virtiofsdExited?: string };
  // QEMU may notice the lost vhost-user backend and exit first; either way the share is named or QEMU is gone.
  assert.ok(r.virtiofsdExited === 'rootfs' || r.qemuExited, JSON.stringify(r));
  await f.driver.stop(info, 2000);
  assertNothingLeft(f);
});

test('a start failure undoes everything and carries QEMU\'s stderr', { skip }, async (t) => {
  const tmp = makeTempDir('kvmk-');
  t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const bogus = path.join(tmp, 'vmlinux');
  fs.writeFileSync(bogus, 'this is not a kernel\n');
  const f = setup(t, bogus);
  await assert.rejects(
    f.driver.start({ vmId: f.vmId, vcpus: 1, memoryMiB: 256, shares: [{ tag: 'rootfs', source: f.share, readOnly: false }] }),
    (e: unknown) => {
      assert.ok(isKctlError(e, 'unavailable'), String(e));
      assert.match(e.message, /QEMU exited during VM start/);
      assert.match(e.detail ?? '', /kernel/i, `detail: ${e.detail}`);
      return true;
    },
  );
  assertNothingLeft(f);
});

test('start refuses a VM id that already exists and a missing share, touching nothing', { skip }, async (t) => {
  const f = setup(t);
  await assert.rejects(
    f.driver.start({ vmId: f.vmId, vcpus: 1, memoryMiB: 256, shares: [{ tag: 'rootfs', source: path.join(f.tmp, 'nope'), readOnly: false }] }),
    (e: unknown) => isKctlError(e, 'invalid_argument'),
  );
  assert.equal(fs.existsSync(f.layout.vmDir(f.vmId)), false);
  fs.mkdirSync(f.layout.vmDir(f.vmId), { recursive: true });
  await assert.rejects(
    f.driver.start({ vmId: f.vmId, vcpus: 1, memoryMiB: 256, shares: [] }),
    (e: unknown) => isKctlError(e, 'conflict'),
  );
  assert.equal(fs.existsSync(f.layout.vmDir(f.vmId)), true, 'someone else\'s directory is left alone');
  assert.deepEqual(processesMentioning(f.tmp), []);
  await assert.rejects(f.driver.start({ vmId: 'NOT-HEX', vcpus: 1, memoryMiB: 256, shares: [] }), (e: unknown) => isKctlError(e, 'invalid_argument'));
});

test('hostInfo reports the accelerator with a reason and the TSC rate', { skip }, async () => {
  const d = new VmDriver({ layout: new RootLayout('/nonexistent-kctl-root'), log: nullLogger });
  const h = await d.hostInfo();
  assert.ok(h.accelerator === 'kvm' || h.accelerator === 'tcg');
  assert.ok(h.acceleratorReason.length > 0);
  assert.ok(h.qemu && /^\d+\.\d+/.test(h.qemu.version), JSON.stringify(h.qemu));
  if (h.kvm !== 'unknown') assert.ok(h.tscKhz && h.tscKhz > 100_000, `tscKhz ${h.tscKhz}`);
  assert.equal(await d.hostInfo(), h, 'cached');
});

