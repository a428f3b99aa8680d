/**
 * The snapshot/restore experiment for the pool (README "Pre-booted VMs"): could a pool VM be restored
 * from a snapshot of a booted, idle VM (QEMU migration to a file, then `-incoming`) faster than it
 * boots? Run as root after `npm run build`:
 *
 *   node dist/test/bench/snapshot-probe.js
 *
 * 1. A VM as the pool boots it (one virtio-fs share): QMP `migrate` to a file. QEMU refuses while a
 *    vhost-user-fs device is present; the probe prints QEMU's answer.
 * 2. The same VM without the share (what QEMU allows): boot to the agent's HELLO, timed; migrate it to
 *    a file, timed; restore it from the file with `-incoming` and resume until the agent answers
 *    again, timed; 5 rounds, medians. The restored VM runs QEMU's command line of the template with
 *    its own sockets.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RootLayout } from '../../src/core/paths.js';
import { nullLogger } from '../../src/core/util/log.js';
import { VmDriver, type VmInfo } from '../../src/core/vm/driver.js';
import { AgentClient } from '../../src/core/agent/client.js';
import { QmpClient } from '../../src/core/vm/qmp.js';
import { median } from './stats.js';

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

async function qmp<T = unknown>(sock: string, cmd: string, args?: Record<string, unknown>): Promise<T> {
  const c = await QmpClient.connect(sock, 5000);
  try {
    return await c.execute<T>(cmd, args);
  } finally {
    c.close();
  }
}

/**
 * QEMU runs with `-sandbox on,spawn=deny`, so `exec:` migration (a shell) is out: the state goes
 * through a unix socket this process listens on and writes to the file.
 */
async function migrateToFile(vm: VmInfo, file: string): Promise<{ ms: number; bytes: number }> {
  const sock = `${file}.sock`;
  const out = fs.createWriteStream(file);
  const written = new Promise<void>((resolve, reject) => { out.on('finish', resolve); out.on('error', reject); });
  const server = net.createServer((c) => c.pipe(out));
  await new Promise<void>((r) => server.listen(sock, r));
  const t0 = process.hrtime.bigint();
  await qmp(vm.qmpSocket, 'stop');
  try {
    await qmp(vm.qmpSocket, 'migrate', { uri: `unix:${sock}` });
  } catch (e) {
    server.close();
    out.end();
    throw e;
  }
  for (;;) {
    const st = await qmp<{ status?: string; 'error-desc'?: string }>(vm.qmpSocket, 'query-migrate');
    if (st.status === 'completed') break;
    if (st.status === 'failed') throw new Error(`migration failed: ${st['error-desc'] ?? ''}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  await written;
  server.close();
  return { ms: ms(t0), bytes: fs.statSync(file).size };
}

/** Restores the snapshot into a new QEMU with the template's argv (its own sockets), resumes it, waits for HELLO. */
async function restore(template: VmInfo, file: string, dir: string): Promise<{ qmpMs: number; helloMs: number; kill: () => void }> {
  const argv = fs.readFileSync(`/proc/${template.qemuPid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  const qdir = path.dirname(template.agentSocket);
  const args = argv.slice(1).map((a) => a.split(qdir).join(dir));
  const insock = path.join(dir, 'in.sock');
  args.push('-incoming', `unix:${insock}`);
  const t0 = process.hrtime.bigint();
  const child = spawn(argv[0]!, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => { err += String(d); });
  // QEMU listens on in.sock; the snapshot file is streamed into it.
  for (;;) {
    if (child.exitCode !== null) throw new Error(`restored QEMU exited: ${err}`);
    if (fs.existsSync(insock)) break;
    await new Promise((r) => setTimeout(r, 1));
  }
  const feed = net.connect(insock);
  fs.createReadStream(file).pipe(feed);
  const listenMs = ms(t0);
  const sock = path.join(dir, 'qmp.sock');
  for (;;) {
    if (child.exitCode !== null) throw new Error(`restored QEMU exited: ${err}`);
    if (fs.existsSync(sock)) {
      try {
        const st = await qmp<{ status: string }>(sock, 'query-status');
        if (st.status !== 'inmigrate') break;
      } catch { /* not yet */ }
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  const loadedMs = ms(t0);
  await qmp(sock, 'cont');
  const qmpMs = ms(t0);
  if (process.env.KCTL_PROBE_VERBOSE) console.log(`restore: QEMU listening ${listenMs.toFixed(0)} ms, state loaded ${loadedMs.toFixed(0)} ms, running ${qmpMs.toFixed(0)} ms`);
  const agent = await AgentClient.connect(path.join(dir, 'agent.sock'), { timeoutMs: 30_000 });
  const helloMs = ms(t0);
  agent.close();
  return { qmpMs, helloMs, kill: () => child.kill('SIGKILL') };
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kctl-snap-'));
  fs.chmodSync(work, 0o711);
  const root = path.join(work, 'root');
  fs.mkdirSync(root, { mode: 0o711 });
  // QEMU as the daemon's user, so the restored copy (started here as root) can read the same files.
  const drv = new VmDriver({ layout: new RootLayout(root), log: nullLogger, qemuAsRoot: true });
  const vms: VmInfo[] = [];
  const kills: Array<() => void> = [];
  const newId = () => randomBytes(6).toString('hex');
  try {
    // 1. With the pool's virtio-fs share.
    const share = path.join(work, 'share');
    fs.mkdirSync(share);
    const withFs = await drv.start({ vmId: newId(), vcpus: 1, memoryMiB: 256, shares: [{ tag: 'rootfs', source: share, readOnly: false }] });
    vms.push(withFs);
    (await AgentClient.connect(withFs.agentSocket, { timeoutMs: 30_000 })).close();
    try {
      await migrateToFile(withFs, path.join(work, 'with-fs.snap'));
      console.log('with virtio-fs: migration succeeded (unexpected)');
    } catch (e) {
      console.log(`with virtio-fs: QEMU refuses to migrate: ${(e as Error).message}`);
    }

    // 2. Without it.
    const boot: number[] = [];
    const save: number[] = [];
    const qmpReady: number[] = [];
    const hello: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 5; i++) {
      const t0 = process.hrtime.bigint();
      const vm = await drv.start({ vmId: newId(), vcpus: 1, memoryMiB: 256, shares: [] });
      vms.push(vm);
      (await AgentClient.connect(vm.agentSocket, { timeoutMs: 30_000 })).close();
      boot.push(ms(t0));
      const file = path.join(work, `idle-${i}.snap`);
      const m = await migrateToFile(vm, file);
      save.push(m.ms);
      bytes = m.bytes;
      const dir = path.join(work, `restored-${i}`);
      fs.mkdirSync(dir);
      const r = await restore(vm, file, dir);
      kills.push(r.kill);
      qmpReady.push(r.qmpMs);
      hello.push(r.helloMs);
      r.kill();
      fs.rmSync(file);
    }
    console.log(`without virtio-fs, medians of 5: boot to HELLO ${median(boot).toFixed(0)} ms (VmDriver.start + agent); ` +
      `save ${median(save).toFixed(0)} ms (${(bytes / 1048576).toFixed(1)} MiB file); ` +
      `restore to running ${median(qmpReady).toFixed(0)} ms, to the agent's HELLO ${median(hello).toFixed(0)} ms`);
  } finally {
    for (const k of kills) k();
    for (const vm of vms) await drv.destroy(vm).catch(() => undefined);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`snapshot-probe: ${(err as Error).message}`);
  process.exit(1);
});
