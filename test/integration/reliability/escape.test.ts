/**
 * Escape attempts from inside a container, as root: remount the virtio-fs share, climb out of it
 * with `..` and links, reach the agent's channel, read or write the host's files. Each attempt must
 * fail, and the host is checked afterwards (sentinel files, hashes). One VM serves every case.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { KctlEnv, fixtures } from '../helpers/kctl.js';

const IMG = 'kctl.test/busybox:latest';
const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('escape attempts from inside a container', () => {
  const env = new KctlEnv('esc');
  let sentinelDir = '';
  let passwdHash = '';
  after(async () => {
    await env.teardown();
    fs.rmSync(sentinelDir, { recursive: true, force: true });
  });
  before(async () => {
    await env.ok(['load', '-q', '--input', fixtures().KCTL_FIXTURE_DOCKER_ARCHIVE]);
    sentinelDir = fs.mkdtempSync('/tmp/kctl-sentinel-');
    fs.writeFileSync(path.join(sentinelDir, 'secret'), 'host secret\n');
    passwdHash = sha('/etc/passwd');
    await env.ok(['run', '-d', '-q', '--name', 'box', IMG, 'sleep', '600']);
  });
  const sh = (script: string) => env.run(['exec', 'box', 'sh', '-c', script]);

  test('the container runs as root but cannot mount: no remount of the virtio-fs share, no new mounts', async () => {
    assert.equal((await sh('id -u')).stdout.trim(), '0');
    const mount = await sh('mkdir -p /mnt/x && mount -t virtiofs rootfs /mnt/x 2>&1; echo rc=$?');
    assert.match(mount.stdout, /rc=[1-9]/);
    assert.match(mount.stdout, /permission denied|not permitted/i);
    const remount = await sh('mount -o remount,rw / 2>&1; echo rc=$?');
    assert.match(remount.stdout, /rc=[1-9]/);
    const proc = await sh('mount -t proc proc /mnt/x 2>&1; echo rc=$?');
    assert.match(proc.stdout, /rc=[1-9]/);
  });

  test('`..` and links stay inside the container root', async () => {
    const up = await sh('cd /; cd ../../..; pwd; ls /');
    assert.match(up.stdout, /^\/\n/);
    assert.doesNotMatch(up.stdout, /kctl-sentinel|initramfs|vmlinux/);
    // The host's files are not there, whatever the path.
    const host = await sh(`cat ${sentinelDir}/secret 2>&1; cat /proc/1/root${sentinelDir}/secret 2>&1; echo done`);
    assert.doesNotMatch(host.stdout, /host secret/);
    // A link to / or to /etc/passwd resolves in the container's root, on the guest side.
    const links = await sh('ln -s / /escape && ls /escape/ >/dev/null && ln -s /etc/passwd /victim && echo "pwned:x:0:0::/:/bin/sh" >> /victim; grep -c pwned /etc/passwd');
    assert.equal(links.stdout.trim(), '1', 'the container changed its own /etc/passwd');
    assert.equal(sha('/etc/passwd'), passwdHash, "the host's /etc/passwd is untouched");
    // The write landed in the container's writable layer on the host, nowhere else.
    const id = JSON.parse(await env.ok(['inspect', 'box']))[0].Id;
    assert.match(fs.readFileSync(path.join(env.root, 'containers', id, 'upper', 'etc', 'passwd'), 'utf8'), /pwned/);
  });

  test("the agent, its channel and the VM's init are not reachable", async () => {
    const r = await sh('ls /dev/vport* /dev/virtio-ports 2>&1; ls /sys/class/virtio-ports 2>&1; cat /proc/1/cmdline | tr "\\0" " "; echo; ps -o pid,args');
    assert.doesNotMatch(r.stdout, /\/dev\/vport\d/);
    assert.match(r.stdout, /^sleep 600 $/m, 'PID 1 is the container process, not the agent');
    assert.doesNotMatch(r.stdout, /kctl-agent|\/init/);
  });

  test('kernel interfaces that would let root reach the VM are read-only or masked', async () => {
    const r = await sh('echo 1 > /proc/sys/kernel/panic 2>&1; echo rc=$?; echo c > /proc/sysrq-trigger 2>&1; echo rc=$?; cat /proc/kcore 2>&1 | head -c 16 | wc -c');
    const rcs = [...r.stdout.matchAll(/rc=(\d+)/g)].map((m) => Number(m[1]));
    assert.ok(rcs.every((x) => x !== 0), `writes refused: ${r.stdout}`);
    // The VM is still alive and serving: no panic, no sysrq crash.
    assert.equal((await sh('echo alive')).stdout, 'alive\n');
  });

  test('the sentinel directory on the host is unchanged', () => {
    assert.deepEqual(fs.readdirSync(sentinelDir), ['secret']);
    assert.equal(fs.readFileSync(path.join(sentinelDir, 'secret'), 'utf8'), 'host secret\n');
  });
});
