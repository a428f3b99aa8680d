/**
 * A minimal VM launcher for the agent tests: one virtiofsd sharing a busybox rootfs and one QEMU
 * microvm (TCG) booting guest/out/vmlinux with the agent initramfs. The product's VM driver lives in
 * src/core/vm; this stays independent of it so the agent can be tested on its own.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, copyFileSync, symlinkSync, writeFileSync, rmSync, existsSync, readFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { AgentClient } from '../../../src/core/agent/client.js';

export const repoRoot = resolve(import.meta.dirname, '../../../..');
export const kernel = join(repoRoot, 'guest/out/vmlinux');
export const initramfs = join(repoRoot, 'guest/out/initramfs.cpio');

/** The host TSC rate in kHz (the guest needs it under TCG on microvm). */
export function hostTscKhz(): number {
  try {
    const m = /tsc: Detected ([0-9]+)\.([0-9]{3}) MHz/.exec(execFileSync('dmesg', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    if (m) return Number(m[1]) * 1000 + Number(m[2]);
  } catch { /* fall through */ }
  const mhz = /cpu MHz\s*:\s*([0-9.]+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
  return Math.round(Number(mhz?.[1] ?? 2000) * 1000);
}

/** Makes a tiny rootfs: static busybox, its applet links, /etc/passwd and /etc/group. */
export function makeBusyboxRootfs(dir: string): void {
  for (const d of ['bin', 'etc', 'tmp', 'root', 'home/app']) mkdirSync(join(dir, d), { recursive: true });
  copyFileSync('/bin/busybox', join(dir, 'bin/busybox'));
  chmodSync(join(dir, 'bin/busybox'), 0o755);
  const applets = execFileSync('/bin/busybox', ['--list'], { encoding: 'utf8' }).split('\n').filter((a) => /^[a-z0-9_.[-]+$/.test(a) && a !== 'busybox');
  for (const a of applets) symlinkSync('busybox', join(dir, 'bin', a));
  writeFileSync(join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  writeFileSync(join(dir, 'etc/group'), 'root:x:0:\napp:x:1000:\nextra:x:2000:app\nnogroup:x:65534:\n');
  writeFileSync(join(dir, 'etc/not-executable'), '#!/bin/sh\necho no\n');
  chmodSync(join(dir, 'tmp'), 0o1777);
}

export interface TestVm {
  dir: string;
  client: AgentClient;
  qemu: ChildProcess;
  /** ms from QEMU spawn to HELLO */
  helloMs: number;
  consoleLog(): string;
  stop(): Promise<void>;
}

function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  return new Promise((res, rej) => {
    const tick = () => {
      if (cond()) return res();
      if (Date.now() > end) return rej(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 10);
    };
    tick();
  });
}

function exited(p: ChildProcess, ms: number): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((res) => {
    const t = setTimeout(res, ms);
    p.once('exit', () => { clearTimeout(t); res(); });
  });
}

/** Boots a VM. The caller must call stop() (register it before awaiting this). */
export async function bootVm(registerCleanup: (fn: () => Promise<void>) => void): Promise<TestVm> {
  const dir = mkdtempSync(join(tmpdir(), 'kctl-agent-it-'));
  const children: ChildProcess[] = [];
  let client: AgentClient | undefined;
  const stop = async () => {
    client?.close();
    for (const c of children.reverse()) {
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await exited(c, 5000);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  registerCleanup(stop);
  const rootfs = join(dir, 'rootfs');
  makeBusyboxRootfs(rootfs);
  const vfsSock = join(dir, 'vfs.sock');
  const vfs = spawn('/usr/lib/qemu/virtiofsd', [`--socket-path=${vfsSock}`, '-o', `source=${rootfs}`, '-o', 'cache=auto'], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(vfs);
  let vfsErr = '';
  vfs.stderr!.on('data', (d: Buffer) => { vfsErr = (vfsErr + d.toString()).slice(-2000); });
  await waitFor(() => existsSync(vfsSock) || vfs.exitCode !== null, 5000, 'the virtiofsd socket').catch((e) => { throw new Error(`${e.message}: ${vfsErr}`); });
  if (vfs.exitCode !== null) throw new Error(`virtiofsd exited: ${vfsErr}`);
  const khz = hostTscKhz();
  const agentSock = join(dir, 'agent.sock');
  const args = [
    '-M', 'microvm,acpi=off,memory-backend=mem', '-global', 'virtio-mmio.force-legacy=false',
    '-accel', 'tcg', '-m', '256M', '-smp', '1', '-nodefaults', '-no-user-config', '-nographic',
    '-serial', `file:${join(dir, 'console.log')}`, '-no-reboot',
    '-kernel', kernel, '-initrd', initramfs,
    '-append', `console=ttyS0 quiet reboot=t panic=-1 rdinit=/init tsc_early_khz=${khz} tsc=reliable lpj=${Math.round((khz * 1000) / 100)} no_timer_check noapictimer noreplace-smp`,
    '-object', 'memory-backend-memfd,id=mem,size=256M,share=on',
    '-chardev', `socket,id=vfs,path=${vfsSock}`, '-device', 'vhost-user-fs-device,chardev=vfs,tag=rootfs',
    '-device', 'virtio-serial-device', '-chardev', `socket,id=agent,path=${agentSock},server=on,wait=off`,
    '-device', 'virtserialport,chardev=agent,name=kctl.agent',
  ];
  const t0 = process.hrtime.bigint();
  const qemu = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(qemu);
  let qemuErr = '';
  qemu.stderr!.on('data', (d: Buffer) => { qemuErr = (qemuErr + d.toString()).slice(-2000); });
  const consoleLog = () => { try { return readFileSync(join(dir, 'console.log'), 'utf8'); } catch { return ''; } };
  try {
    client = await AgentClient.connect(agentSock, { timeoutMs: 30_000 });
  } catch (e) {
    throw new Error(`${(e as Error).message}\nqemu: ${qemuErr}\nconsole:\n${consoleLog().slice(-3000)}`);
  }
  const helloMs = Number(process.hrtime.bigint() - t0) / 1e6;
  return { dir, client, qemu, helloMs, consoleLog, stop };
}
