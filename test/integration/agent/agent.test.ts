/**
 * Boots one real microVM (QEMU TCG, guest/out/vmlinux + the agent initramfs, a virtio-fs busybox root)
 * and checks the agent end to end through AgentClient. Needs root, qemu-system-x86_64, virtiofsd and
 * guest/out/{vmlinux,initramfs.cpio} (guest/build-initramfs.sh).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { release } from 'node:os';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { createHash, randomBytes } from 'node:crypto';

import { AgentClient, type AgentProcess } from '../../../src/core/agent/client.js';
import { isKctlError } from '../../../src/core/errors.js';
import { FrameDecoder, MsgType, decodeError, type ProcessSpec } from '../../../src/core/agent/protocol.js';
import { bootVm, initramfs, kernel, type TestVm } from './launcher.js';

const skip =
  process.getuid?.() !== 0 ? 'needs root (virtiofsd)'
  : !existsSync('/usr/lib/qemu/virtiofsd') ? 'virtiofsd not installed (qemu-system-common)'
  : !existsSync(kernel) || !existsSync(initramfs) ? 'guest/out/vmlinux or initramfs.cpio missing (run guest/build-initramfs.sh)'
  : false;

let vm: TestVm;
const cleanups: (() => Promise<void>)[] = [];
let init: AgentProcess;

before(async () => {
  if (skip) return;
  vm = await bootVm((fn) => cleanups.push(fn));
});

after(async () => {
  for (const fn of cleanups.reverse()) await fn();
});

const spec = (args: string[], o: Partial<ProcessSpec> = {}): ProcessSpec => ({ args, env: ['PATH=/bin'], cwd: '/', user: '', tty: false, stdin: false, ...o });

async function run(args: string[], o: Partial<ProcessSpec> = {}, input?: Buffer) {
  const p = await vm.client.exec(spec(args, { stdin: input !== undefined, ...o }));
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  p.on('stdout', (d: Buffer) => out.push(d));
  p.on('stderr', (d: Buffer) => err.push(d));
  if (input !== undefined) {
    p.write(input);
    p.closeStdin();
  }
  const exit = await p.exited;
  return { exit, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), raw: Buffer.concat(out) };
}

test('HELLO reports the guest facts', { skip }, () => {
  const f = vm.client.facts;
  assert.equal(f.protocolVersion, 1);
  assert.match(f.agentVersion, /^\d+\.\d+\.\d+/);
  assert.notEqual(f.kernelRelease, release());
  assert.ok(f.kernelRelease.length > 0);
  assert.equal(f.vcpus, 1);
  assert.ok(f.memoryKiB > 128 * 1024 && f.memoryKiB <= 256 * 1024, `memory ${f.memoryKiB} KiB`);
  assert.ok(f.bootMs === undefined || f.bootMs >= 0);
  process.stderr.write(`# agent HELLO ${vm.helloMs.toFixed(0)} ms after QEMU spawn (guest uptime at agent start ${f.bootMs} ms)\n`);
});

test('a missing command for the container init is command_not_found, and START can be retried', { skip }, async () => {
  await assert.rejects(
    vm.client.startContainer({ ...spec(['nosuch-init']), hostname: 'kctl-test', rootfsTag: 'rootfs' }),
    (e) => isKctlError(e, 'command_not_found') && /exec: "nosuch-init": executable file not found in \$PATH/.test(e.message),
  );
  init = await vm.client.startContainer({ ...spec(['sleep', '600']), hostname: 'kctl-test', rootfsTag: 'rootfs' });
  assert.equal(init.id, 1);
  assert.ok(init.pid > 1);
  await assert.rejects(vm.client.startContainer({ ...spec(['true']), hostname: 'x', rootfsTag: 'rootfs' }), (e) => isKctlError(e, 'conflict'));
});

test('uname, id, hostname, pwd and env inside the container', { skip }, async () => {
  assert.equal((await run(['uname', '-r'])).stdout.trim(), vm.client.facts.kernelRelease);
  assert.equal((await run(['id'])).stdout.trim(), 'uid=0(root) gid=0(root) groups=0(root)');
  assert.equal((await run(['id'], { user: 'app' })).stdout.trim(), 'uid=1000(app) gid=1000(app) groups=1000(app),2000(extra)');
  assert.equal((await run(['id', '-u'], { user: '1234:5678' })).stdout.trim(), '1234');
  assert.equal((await run(['id', '-g'], { user: '1234:5678' })).stdout.trim(), '5678');
  assert.equal((await run(['hostname'])).stdout.trim(), 'kctl-test');
  assert.equal((await run(['pwd'], { cwd: '/made/by/agent' })).stdout.trim(), '/made/by/agent');
  const env = await run(['sh', '-c', 'echo "$FOO|$HOME|$PATH"'], { env: ['FOO=bar baz'], user: 'app' });
  assert.equal(env.stdout.trim(), 'bar baz|/home/app|/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
  await assert.rejects(vm.client.exec(spec(['id'], { user: 'nosuchuser' })), (e) => isKctlError(e, 'invalid_argument') && /unable to find user nosuchuser/.test(e.message));
  // An id that would wrap to 0 is not a number to the agent, and no such user exists.
  await assert.rejects(vm.client.exec(spec(['id'], { user: '4294967296:0' })), (e) => isKctlError(e, 'invalid_argument') && /unable to find user 4294967296/.test(e.message));
  await assert.rejects(vm.client.exec(spec(['id'], { user: 'app:nosuchgroup' })), (e) => isKctlError(e, 'invalid_argument') && /unable to find group nosuchgroup/.test(e.message));
});

test('exit codes, stderr kept apart from stdout', { skip }, async () => {
  assert.deepEqual((await run(['sh', '-c', 'exit 7'])).exit, { code: 7 });
  assert.deepEqual((await run(['true'])).exit, { code: 0 });
  const r = await run(['sh', '-c', 'echo to-out; echo to-err >&2']);
  assert.equal(r.stdout, 'to-out\n');
  assert.equal(r.stderr, 'to-err\n');
});

test('stdin is relayed, including more data than one flow-control window', { skip }, async () => {
  assert.equal((await run(['cat'], {}, Buffer.from('hello agent\n'))).stdout, 'hello agent\n');
  const big = randomBytes(3 * 1024 * 1024);
  const r = await run(['cat'], {}, big);
  assert.equal(r.raw.length, big.length);
  assert.equal(createHash('sha256').update(r.raw).digest('hex'), createHash('sha256').update(big).digest('hex'));
});

test('a paused consumer stops the guest from reading output (bounded window), resume delivers the rest', { skip }, async () => {
  const total = 6 * 1024 * 1024;
  const p = await vm.client.exec(spec(['sh', '-c', `head -c ${total} /dev/zero; echo done >&2`]));
  p.pause();
  let got = 0;
  let err = '';
  p.on('stdout', (d: Buffer) => (got += d.length));
  p.on('stderr', (d: Buffer) => (err += d.toString()));
  // Give the guest ample time to push everything if it ignored the window (it moves >50 MiB/s).
  await new Promise((r) => setTimeout(r, 1500));
  assert.ok(got < total, `received ${got} bytes while paused`);
  assert.equal(err, '', 'the process is blocked writing stdout, so it has not finished');
  p.resume();
  assert.deepEqual(await p.exited, { code: 0 });
  assert.equal(got, total);
  assert.equal(err, 'done\n');
});

test('exec failures: not found (127) vs cannot invoke (126)', { skip }, async () => {
  await assert.rejects(vm.client.exec(spec(['nosuch'])), (e) => isKctlError(e, 'command_not_found') && e.message === 'exec: "nosuch": executable file not found in $PATH');
  await assert.rejects(vm.client.exec(spec(['/nosuch'])), (e) => isKctlError(e, 'command_not_found'));
  await assert.rejects(vm.client.exec(spec(['/etc/not-executable'])), (e) => isKctlError(e, 'cannot_invoke') && /permission denied/.test(e.message));
});

test('exec joins the container PID namespace; the agent is invisible', { skip }, async () => {
  assert.equal((await run(['cat', '/proc/1/cmdline'])).stdout, 'sleep\x00600\x00');
  const ps = (await run(['ps', '-o', 'pid,comm'])).stdout;
  assert.match(ps, /^\s*1\s+sleep$/m);
  assert.doesNotMatch(ps, /init|kctl/);
  const devs = (await run(['ls', '/dev'])).stdout.split('\n');
  assert.ok(devs.includes('null') && devs.includes('pts') && devs.includes('shm'), devs.join(' '));
  assert.ok(!devs.some((d) => d.startsWith('vport')), 'the agent channel must not be visible');
  assert.equal((await run(['sh', '-c', 'ls /proc/1/root/ | grep -c "^init$" || true'])).stdout.trim(), '0');
  // The agent's fds are close-on-exec: only 0, 1, 2 (and ls's own directory fd) are open.
  const fds = (await run(['ls', '/proc/self/fd'])).stdout.trim().split(/\s+/).map(Number).sort((a, b) => a - b);
  assert.deepEqual(fds.slice(0, 3), [0, 1, 2]);
  assert.ok(fds.length <= 4, `unexpected fds ${fds.join(',')}`);
});

test('Docker\'s default capabilities and masked kernel interfaces', { skip }, async () => {
  const status = (await run(['cat', '/proc/self/status'])).stdout;
  assert.match(status, /^CapBnd:\s+00000000a80425fb$/m);
  assert.match(status, /^CapEff:\s+00000000a80425fb$/m);
  const app = (await run(['cat', '/proc/self/status'], { user: 'app' })).stdout;
  assert.match(app, /^CapEff:\s+0000000000000000$/m);
  const extra = (await run(['cat', '/proc/self/status'], { capabilities: 0xa80425fbn | (1n << 21n) })).stdout;
  assert.match(extra, /^CapBnd:\s+00000000a82425fb$/m);
  assert.equal((await run(['cat', '/proc/kcore'])).stdout, '');
  const w = await run(['sh', '-c', 'echo 1 > /proc/sys/kernel/panic']);
  assert.notEqual(w.exit.code, 0);
  assert.match(w.stderr, /Read-only file system/);
  const m = await run(['mount', '-t', 'tmpfs', 'x', '/mnt']);
  assert.notEqual(m.exit.code, 0, 'no CAP_SYS_ADMIN by default');
});

test('SIGTERM to an exec process reports 128+15', { skip }, async () => {
  const p = await vm.client.exec(spec(['sleep', '100']));
  p.signal(15);
  assert.deepEqual(await p.exited, { code: 143, signal: 15 });
});

test('a tty process sees the requested window size, and resizes', { skip }, async () => {
  const r = await run(['stty', 'size'], { tty: true, rows: 33, cols: 101 });
  assert.equal(r.stdout.trim(), '33 101');
  const p = await vm.client.exec(spec(['sh', '-c', 'read x; stty size'], { tty: true, stdin: true, rows: 10, cols: 20 }));
  let out = '';
  p.on('stdout', (d: Buffer) => (out += d.toString()));
  p.resize(40, 120);
  p.write(Buffer.from('go\n'));
  await p.exited;
  assert.match(out, /40 120/);
});

test('ping and exec round trips (measured)', { skip }, async () => {
  const rtt = await vm.client.ping(5000);
  assert.ok(rtt >= 0);
  const times: number[] = [];
  for (let i = 0; i < 9; i++) {
    const t0 = process.hrtime.bigint();
    const r = await run(['true']);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    assert.equal(r.exit.code, 0);
  }
  times.sort((a, b) => a - b);
  process.stderr.write(`# ping ${rtt.toFixed(2)} ms; exec of true: median ${times[4]!.toFixed(1)} ms (min ${times[0]!.toFixed(1)}, max ${times[8]!.toFixed(1)})\n`);
});

test('a reconnecting host gets HELLO again and the state of every process', { skip }, async () => {
  const p = await vm.client.exec(spec(['sh', '-c', 'sleep 0.2; exit 3']));
  const id = p.id;
  const oldClient = vm.client;
  oldClient.close();
  await new Promise((r) => oldClient.once('close', r));
  vm.client = await AgentClient.connect(`${vm.dir}/agent.sock`, { timeoutMs: 10_000 });
  const procs = vm.client.processes();
  const initAgain = procs.find((q) => q.id === 1);
  assert.ok(initAgain, 'the container init is reported');
  assert.equal(initAgain.pid, init.pid);
  assert.equal(initAgain.hasExited, false);
  const again = procs.find((q) => q.id === id);
  assert.ok(again, `process ${id} is reported`);
  assert.deepEqual(await again.exited, { code: 3 });
  init = initAgain;
});

test('a malformed frame gets a fatal ERROR; the agent survives and a new host can reconnect', { skip }, async () => {
  vm.client.close();
  await new Promise((r) => (vm.client.closed ? r(null) : vm.client.once('close', r)));
  await new Promise((r) => setTimeout(r, 100)); // let the guest see the hang-up (not an assertion)
  const raw = net.createConnection(`${vm.dir}/agent.sock`);
  const dec = new FrameDecoder();
  let synced = false;
  let early = Buffer.alloc(0);
  const seenTypes: string[] = [];
  const got = new Promise<{ fatal: boolean; message: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no ERROR from the agent within 15 s')), 15_000);
    raw.on('data', (d: Buffer) => {
      if (!synced) {
        // Bytes written to the previous connection may arrive first; start at the HELLO header.
        early = Buffer.concat([early, d]);
        const at = early.indexOf('KCTL');
        if (at < 9) return;
        synced = true;
        d = early.subarray(at - 9);
      }
      try {
        for (const f of dec.push(d)) {
          seenTypes.push(`${f.type}/${f.id}/${f.payload.length}`);
          if (f.type === MsgType.HELLO) raw.write(Buffer.from([0, 0, 0, 7, MsgType.HELLO_ACK, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 1, 2, 3]));
          if (f.type === MsgType.ERROR) {
            clearTimeout(timer);
            resolve(decodeError(f.payload));
          }
        }
      } catch (e) {
        clearTimeout(timer);
        reject(e);
      }
    });
    raw.on('error', reject);
  });
  const err = await got;
  raw.destroy();
  assert.equal(err.fatal, true);
  assert.match(err.message, /frame length/, `frames seen: ${seenTypes.join(' ')}; early ${early.length} bytes`);
  vm.client = await AgentClient.connect(`${vm.dir}/agent.sock`, { timeoutMs: 15_000 });
  const again = vm.client.processes().find((q) => q.id === 1);
  assert.ok(again && !again.hasExited, 'the container is still running');
  init = again;
  assert.equal((await run(['echo', 'still here'])).stdout, 'still here\n');
});

test('when the container init dies the container is over; shutdown powers the VM off', { skip }, async () => {
  init.signal(9);
  assert.deepEqual(await init.exited, { code: 137, signal: 9 });
  await assert.rejects(vm.client.exec(spec(['true'])), (e) => isKctlError(e, 'failed_precondition'));
  await vm.client.shutdown(15_000);
  const code = await new Promise<number | null>((res) => {
    if (vm.qemu.exitCode !== null) return res(vm.qemu.exitCode);
    const t = setTimeout(() => res(null), 15_000);
    vm.qemu.once('exit', (c) => { clearTimeout(t); res(c); });
  });
  assert.equal(code, 0, `QEMU did not exit cleanly; console:\n${vm.consoleLog().slice(-2000)}`);
});

test('a read-only root and the init\'s own exit code, in a second VM', { skip }, async () => {
  const vm2 = await bootVm((fn) => cleanups.push(fn));
  const p = await vm2.client.startContainer({
    ...spec(['sh', '-c', 'touch /x 2>&1; echo "tty=$(tty)"; exit 5']), hostname: 'ro', rootfsTag: 'rootfs', readonlyRootfs: true,
  });
  let out = '';
  p.on('stdout', (d: Buffer) => (out += d.toString()));
  assert.deepEqual(await p.exited, { code: 5 });
  assert.match(out, /Read-only file system/);
  assert.match(out, /tty=not a tty/);
  await vm2.client.shutdown(15_000);
});
