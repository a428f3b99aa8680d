/**
 * `kctl run` end to end: the built CLI, an auto-started kctld, real QEMU microVMs with the kctl
 * guest kernel and agent, virtio-fs over an overlay of the image's layers. One daemon (one state
 * root) serves every case in this file.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { KctlEnv, fixtures, hostKernel, alive, mountsUnder } from '../helpers/kctl.js';

const IMG = 'kctl.test/busybox:latest';

describe('kctl run', () => {
  const env = new KctlEnv('run');
  after(() => env.teardown());

  before(async () => {
    const f = fixtures();
    const out = await env.ok(['load', '--input', f.KCTL_FIXTURE_DOCKER_ARCHIVE]);
    assert.match(out, /Loaded image: kctl\.test\/busybox:latest/);
  });

  test('the daemon was started by the CLI, with 0600 sockets under the root', () => {
    const sock = path.join(env.root, 'kctld.sock');
    assert.ok(fs.existsSync(sock));
    assert.equal(fs.statSync(sock).mode & 0o777, 0o600);
    const pid = Number(fs.readFileSync(path.join(env.root, 'kctld.pid'), 'utf8'));
    assert.ok(alive(pid));
  });

  test('images lists the loaded image', async () => {
    const out = await env.ok(['images']);
    assert.match(out, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE/);
    assert.match(out, /kctl\.test\/busybox\s+latest\s+[0-9a-f]{12}/);
    // Before any container unpacked it, an image's size is its compressed layers' (Docker shows a size too).
    const [img] = JSON.parse(await env.ok(['image', 'inspect', IMG]));
    assert.ok(img.Size > 0, `size ${img.Size}`);
    assert.doesNotMatch(out, /\s0B\s*$/m);
  });

  test('once a container ran, the image\'s size is what its unpacked layers take', async () => {
    await env.ok(['run', '--rm', '-q', IMG, 'true']);
    const metaDir = path.join(env.root, 'layers', 'meta');
    const unpacked = fs.readdirSync(metaDir).filter((f) => f.endsWith('.json'))
      .reduce((sum, f) => sum + JSON.parse(fs.readFileSync(path.join(metaDir, f), 'utf8')).size, 0);
    assert.ok(unpacked > 0);
    assert.equal(JSON.parse(await env.ok(['image', 'inspect', IMG]))[0].Size, unpacked);
  });

  test('uname -r prints the guest kernel, not the host kernel; stderr carries the isolation report', async () => {
    const r = await env.run(['run', '--rm', IMG, 'uname', '-r']);
    assert.equal(r.code, 0, r.stderr);
    const guest = r.stdout.trim();
    assert.ok(guest.length > 0);
    assert.notEqual(guest, hostKernel());
    assert.match(r.stderr, /isolated in a VM: qemu .* microvm/);
    assert.match(r.stderr, new RegExp(`guest kernel ${guest.replace(/[.+]/g, '\\$&')}`));
    assert.doesNotMatch(r.stdout, /isolated/);
  });

  test('the container exit code is kctl run exit code', async () => {
    const r = await env.run(['run', '--rm', '-q', IMG, 'sh', '-c', 'exit 7']);
    assert.equal(r.code, 7, r.stderr);
    assert.equal(r.stderr, '');
  });

  test('-e, --env-file and -w take effect; everything after the image is the command', async () => {
    const envFile = path.join(env.root, 'env.list');
    fs.writeFileSync(envFile, '# a comment\nFROM_FILE=yes\n');
    const r = await env.run(['run', '--rm', '-q', '-e', 'GREETING=hello world', '--env-file', envFile, '-w', '/tmp', IMG, 'sh', '-c', 'echo "$GREETING|$FROM_FILE|$(pwd)|$HOSTNAME" ; ls -d /etc']);
    assert.equal(r.code, 0, r.stderr);
    const [first, second] = r.stdout.trim().split('\n');
    const [greeting, fromFile, cwd, hostname] = first.split('|');
    assert.equal(greeting, 'hello world');
    assert.equal(fromFile, 'yes');
    assert.equal(cwd, '/tmp');
    assert.match(hostname, /^[0-9a-f]{12}$/);
    assert.equal(second, '/etc');
  });

  test('stdout and stderr stay separate; stdin reaches the process with -i', async () => {
    const r = await env.run(['run', '--rm', '-q', '-i', IMG, 'sh', '-c', 'cat; echo to-err >&2'], { input: 'from stdin\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'from stdin\n');
    assert.equal(r.stderr, 'to-err\n');
  });

  test('-u runs as a user resolved from the image, --hostname sets the hostname', async () => {
    const r = await env.run(['run', '--rm', '-q', '-u', 'app', '--hostname', 'box1', IMG, 'sh', '-c', 'id -u; id -g; hostname']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), ['1000', '1000', 'box1']);
  });

  test('--entrypoint overrides the image entrypoint; -m and --cpus size the VM', async () => {
    const r = await env.run(['run', '--rm', '-q', '--entrypoint', 'sh', '-m', '192m', '--cpus', '2', IMG, '-c', 'nproc; grep MemTotal /proc/meminfo']);
    assert.equal(r.code, 0, r.stderr);
    const [nproc, mem] = r.stdout.trim().split('\n');
    assert.equal(nproc, '2');
    const kib = Number(/(\d+) kB/.exec(mem)![1]);
    assert.ok(kib > 128 * 1024 && kib <= 192 * 1024, `MemTotal ${kib} kB`);
  });

  test('a command that does not exist exits 127; one that cannot be executed exits 126', async () => {
    const missing = await env.run(['run', '--rm', '-q', IMG, 'no-such-command']);
    assert.equal(missing.code, 127, missing.stderr);
    assert.match(missing.stderr, /no-such-command.*not found/);
    const noexec = await env.run(['run', '--rm', '-q', IMG, '/etc/passwd']);
    assert.equal(noexec.code, 126, noexec.stderr);
    assert.match(noexec.stderr, /permission denied/i);
  });

  test('an unknown image and a bad flag value exit 125 with one clear line', async () => {
    const unknown = await env.run(['run', '--rm', '--pull', 'never', 'kctl.test/nothing-here:1', 'true']);
    assert.equal(unknown.code, 125);
    assert.match(unknown.stderr, /No such image: kctl\.test\/nothing-here:1/);
    const badMem = await env.run(['run', '--rm', '-m', 'lots', IMG, 'true']);
    assert.equal(badMem.code, 125);
    assert.match(badMem.stderr, /invalid size: 'lots'/);
    const badRef = await env.run(['run', '--rm', 'UPPER/Case', 'true']);
    assert.equal(badRef.code, 125);
    assert.match(badRef.stderr, /invalid reference format/);
  });

  test('-d prints only the id; ps, logs, inspect, stop, ps -a and rm behave as in Docker', async () => {
    const id = (await env.ok(['run', '-d', '-q', '--name', 'web', IMG, 'sh', '-c', 'uname -r; echo err-line >&2; trap "echo bye; exit 3" TERM; while true; do sleep 1; done'])).trim();
    assert.match(id, /^[0-9a-f]{64}$/);

    const ps = await env.ok(['ps']);
    assert.match(ps, new RegExp(`^${id.slice(0, 12)}\\s+kctl\\.test/busybox:latest\\s+.*Up .*web\\s+vm/(tcg|kvm)$`, 'm'));
    assert.equal((await env.ok(['ps', '-q'])).trim(), id.slice(0, 12));
    assert.equal((await env.ok(['ps', '--format', '{{.Names}} {{.State}}'])).trim(), 'web running');

    // The Isolation object is read from the live VM: its kernel is what uname -r printed inside.
    const doc = JSON.parse(await env.ok(['inspect', 'web']))[0];
    assert.equal(doc.Id, id);
    assert.equal(doc.Name, '/web');
    assert.equal(doc.State.Status, 'running');
    const iso = doc.Isolation;
    assert.equal(iso.Kind, 'vm');
    assert.equal(iso.Hypervisor, 'qemu');
    assert.equal(iso.Machine, 'microvm');
    assert.ok(iso.Accelerator === 'tcg' || iso.Accelerator === 'kvm');
    assert.ok(iso.AcceleratorReason.length > 0);
    assert.equal(iso.VCPUs, 1);
    assert.ok(iso.MemoryMiB > 128 && iso.MemoryMiB <= 256, `MemoryMiB ${iso.MemoryMiB}`);
    assert.match(iso.RootfsShare, /virtio-fs/);
    assert.equal(iso.AgentChannel, 'virtio-serial');
    assert.ok(alive(iso.VMPid), 'VMPid is a live process');
    assert.match(fs.readFileSync(`/proc/${iso.VMPid}/cmdline`, 'utf8'), /qemu-system/);
    // QEMU runs with its seccomp sandbox, and (a root daemon under TCG) as an unprivileged uid of its own.
    const status = fs.readFileSync(`/proc/${iso.VMPid}/status`, 'utf8');
    assert.match(status, /^Seccomp:\s+2$/m);
    if (iso.Accelerator === 'tcg' && process.getuid?.() === 0) {
      assert.ok(iso.VMUid >= 200000, `QEMU uid ${iso.VMUid}`);
      assert.match(status, new RegExp(`^Uid:\\s+${iso.VMUid}\\s+${iso.VMUid}\\s`, 'm'));
      assert.match(status, /^CapEff:\s+0+$/m);
      assert.match(status, /^NoNewPrivs:\s+1$/m);
    }

    // logs: stdout to stdout, stderr to stderr.
    let logs = await env.run(['logs', 'web']);
    for (let i = 0; i < 50 && !logs.stdout.includes('\n'); i++) {
      await new Promise((r) => setTimeout(r, 200));
      logs = await env.run(['logs', 'web']);
    }
    assert.equal(logs.stdout.trim(), iso.GuestKernel);
    assert.equal(logs.stderr.trim(), 'err-line');
    assert.equal(await env.ok(['inspect', '--format', '{{.Isolation.GuestKernel}}', 'web']), `${iso.GuestKernel}\n`);

    // stop: SIGTERM reaches the trap; its exit code and last output are kept.
    assert.equal((await env.ok(['stop', '-t', '20', 'web'])).trim(), 'web');
    const psa = await env.ok(['ps', '-a', '--format', '{{.Names}}|{{.Status}}']);
    assert.match(psa, /^web\|Exited \(3\) /m);
    assert.equal((await env.ok(['ps', '-q'])).trim(), '');
    assert.match((await env.ok(['logs', '--tail', '1', 'web'])), /^bye$/m);
    assert.equal((await env.ok(['wait', 'web'])).trim(), '3');
    assert.ok(!alive(iso.VMPid), 'the VM is gone once the container stopped');

    await env.ok(['rm', 'web']);
    assert.equal((await env.ok(['ps', '-a', '-q'])).trim(), '');
    assert.ok(!fs.existsSync(path.join(env.root, 'containers', id)));
  });

  test('a name in use is a conflict; rm of a running container needs -f', async () => {
    const id = (await env.ok(['run', '-d', '-q', '--name', 'dup', IMG, 'sleep', '300'])).trim();
    const again = await env.run(['run', '-d', '--name', 'dup', IMG, 'true']);
    assert.equal(again.code, 125);
    assert.match(again.stderr, /The container name "\/dup" is already in use/);
    const rm = await env.run(['rm', 'dup']);
    assert.equal(rm.code, 1);
    assert.match(rm.stderr, /You cannot remove a running container/);
    await env.ok(['rm', '-f', 'dup']);
    assert.ok(!fs.existsSync(path.join(env.root, 'containers', id)));
  });

  test('two running containers are two QEMU processes; rm leaves no process, mount or file behind', async () => {
    const a = (await env.ok(['run', '-d', '-q', IMG, 'sleep', '300'])).trim();
    const b = (await env.ok(['run', '-d', '-q', IMG, 'sleep', '300'])).trim();
    const pidA = JSON.parse(await env.ok(['inspect', a]))[0].Isolation.VMPid;
    const pidB = JSON.parse(await env.ok(['inspect', b]))[0].Isolation.VMPid;
    assert.notEqual(pidA, pidB);
    assert.ok(alive(pidA) && alive(pidB));
    const before = env.vmPids();
    assert.ok(before.length >= 4, `QEMU + virtiofsd per VM, got ${before.join(',')}`);

    await env.ok(['rm', '-f', a, b]);
    assert.ok(!alive(pidA) && !alive(pidB));
    assert.deepEqual(env.vmPids(), []);
    assert.deepEqual(fs.readdirSync(path.join(env.root, 'vms')), []);
    assert.deepEqual(mountsUnder(path.join(env.root, 'containers')), []);
    assert.ok(!fs.existsSync(path.join(env.root, 'containers', a)));
  });

  test('create then start --attach; kill -s; restart; the writable layer survives stop/start', async () => {
    const id = (await env.ok(['create', '--name', 'job', IMG, 'sh', '-c', 'cat /data.txt 2>/dev/null; echo run >> /data.txt'])).trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.match(await env.ok(['ps', '-a', '--format', '{{.Names}} {{.State}}']), /^job created$/m);
    const first = await env.run(['start', '-a', '-q', 'job']);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, '');
    const second = await env.run(['start', '-a', '-q', 'job']);
    assert.equal(second.stdout, 'run\n');
    await env.ok(['rm', 'job']);

    await env.ok(['run', '-d', '-q', '--name', 'kk', IMG, 'sleep', '300']);
    await env.ok(['kill', '-s', 'KILL', 'kk']);
    assert.equal((await env.ok(['wait', 'kk'])).trim(), '137');
    await env.ok(['restart', 'kk']);
    assert.equal((await env.ok(['inspect', '-f', '{{.State.Status}}', 'kk'])).trim(), 'running');
    await env.ok(['rm', '-f', 'kk']);
  });

  test('exec runs in the container namespaces with its own stdio and exit code', async () => {
    const id = (await env.ok(['run', '-d', '-q', '--name', 'ex', IMG, 'sleep', '300'])).trim();
    const r = await env.run(['exec', 'ex', 'sh', '-c', 'cat /proc/1/cmdline | tr "\\0" " "; echo; echo oops >&2; exit 5']);
    assert.equal(r.code, 5);
    assert.equal(r.stdout, 'sleep 300 \n');
    assert.equal(r.stderr, 'oops\n');
    const piped = await env.run(['exec', '-i', '-u', 'app', '-w', '/tmp', '-e', 'X=1', id, 'sh', '-c', 'cat; id -u; pwd; echo $X'], { input: 'in\n' });
    assert.equal(piped.stdout, 'in\n1000\n/tmp\n1\n');
    const missing = await env.run(['exec', 'ex', 'nosuch']);
    assert.equal(missing.code, 127);
    const priv = await env.run(['exec', '--privileged', 'ex', 'true']);
    assert.equal(priv.code, 125);
    assert.match(priv.stderr, /--privileged is not supported/);
    await env.ok(['rm', '-f', 'ex']);
    const stopped = await env.run(['exec', 'ex', 'true']);
    assert.equal(stopped.code, 125);
    assert.match(stopped.stderr, /No such container: ex/);
  });

  test('info reports the accelerator and why, the guest kernel and QEMU', async () => {
    const info = JSON.parse(await env.ok(['info', '--format', '{{json .}}']));
    assert.ok(['tcg', 'kvm'].includes(info.Isolation.Accelerator));
    assert.ok(info.Isolation.AcceleratorReason.length > 0);
    assert.ok(fs.existsSync(info.Isolation.Kernel));
    assert.match(info.Isolation.HypervisorVersion, /^\d+\.\d+/);
    const text = await env.ok(['info']);
    assert.match(text, /Accelerator: (tcg|kvm)/);
    assert.match(text, /Docker API Socket: .*docker\.sock/);
  });

  test('system stop stops the daemon; the next command starts a new one', async () => {
    const pid = Number(fs.readFileSync(path.join(env.root, 'kctld.pid'), 'utf8'));
    await env.ok(['system', 'stop']);
    assert.ok(!alive(pid));
    assert.ok(!fs.existsSync(path.join(env.root, 'kctld.sock')));
    await env.ok(['ps']);
    const pid2 = Number(fs.readFileSync(path.join(env.root, 'kctld.pid'), 'utf8'));
    assert.notEqual(pid2, pid);
    assert.ok(alive(pid2));
  });
});
