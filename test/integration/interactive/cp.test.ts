/**
 * `kctl cp` end to end, with real VMs: files and directories both ways, Docker's path rules, tar
 * streams on stdin/stdout, -a and -L, for a running and a stopped container; and a hostile
 * container that plants `/escape -> /` and `/victim -> /etc/passwd`: copies to and from those paths
 * stay inside the container, and a victim directory and sentinel on the host stay byte for byte.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { KctlEnv, fixtures } from '../helpers/kctl.js';

const IMG = 'kctl.test/busybox:latest';

function snapshot(p: string): string[] {
  const out: string[] = [];
  const walk = (q: string) => {
    const s = fs.lstatSync(q);
    const extra = s.isFile() ? createHash('sha256').update(fs.readFileSync(q)).digest('hex') : s.isSymbolicLink() ? fs.readlinkSync(q) : '';
    out.push(`${path.relative(p, q) || '.'} ${s.mode.toString(8)} ${s.uid}:${s.gid} ${s.size} ${s.mtimeMs} ${s.ino} ${extra}`);
    if (s.isDirectory()) for (const n of fs.readdirSync(q).sort()) walk(path.join(q, n));
  };
  walk(p);
  return out;
}

describe('kctl cp', () => {
  const env = new KctlEnv('cp');
  const host = fs.mkdtempSync(path.join(os.tmpdir(), 'kctl-cp-host-'));
  // The host's victim: a directory and a read-only sentinel that a confused copy could reach.
  const victim = path.join(host, 'victim');
  const sentinel = path.join(host, 'sentinel');
  after(async () => {
    await env.teardown();
    fs.rmSync(host, { recursive: true, force: true });
  });

  before(async () => {
    fs.mkdirSync(victim);
    fs.writeFileSync(path.join(victim, 'hello'), 'hello from the host\n');
    fs.writeFileSync(sentinel, 'host sentinel\n', { mode: 0o400 });
    await env.ok(['load', '--input', fixtures().KCTL_FIXTURE_DOCKER_ARCHIVE]);
    const plant = [
      'ln -s / /escape', 'ln -s /etc/passwd /victim', `ln -s ${victim} /abs-victim`,
      'mkdir -p /data/sub', 'echo alpha > /data/a', 'echo beta > /data/sub/b', 'chown 1000:1000 /data/a',
      'touch /ready', 'exec sleep 600',
    ].join('; ');
    await env.ok(['run', '-d', '-q', '--name', 'box', IMG, 'sh', '-c', plant]);
    for (let i = 0; i < 100 && (await env.run(['exec', 'box', 'test', '-e', '/ready'])).code !== 0; i++) await new Promise((r) => setTimeout(r, 100));
  });

  test('a file and a directory out of a running container, with Docker\'s rules', async () => {
    const out = path.join(host, 'out1');
    fs.mkdirSync(out);
    await env.ok(['cp', 'box:/data/a', path.join(out, 'renamed')]);
    assert.equal(fs.readFileSync(path.join(out, 'renamed'), 'utf8'), 'alpha\n');
    await env.ok(['cp', 'box:/data/a', out]); // into an existing directory, under its name
    assert.equal(fs.readFileSync(path.join(out, 'a'), 'utf8'), 'alpha\n');
    await env.ok(['cp', 'box:/data', out]); // a directory into an existing one: a subdirectory
    assert.equal(fs.readFileSync(path.join(out, 'data/sub/b'), 'utf8'), 'beta\n');
    await env.ok(['cp', 'box:/data/.', path.join(out, 'contents')]); // its contents, into a new directory
    assert.deepEqual(fs.readdirSync(path.join(out, 'contents')).sort(), ['a', 'sub']);
    const missing = await env.run(['cp', 'box:/nope', out]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /Could not find the file \/nope in container box/);
    const toFile = await env.run(['cp', 'box:/data', path.join(out, 'a')]);
    assert.notEqual(toFile.code, 0);
    assert.match(toFile.stderr, /cannot copy a directory to a file/);
  });

  test('files and directories into a running container; -a keeps owners', async () => {
    const src = path.join(host, 'src1');
    fs.mkdirSync(path.join(src, 'd'), { recursive: true });
    fs.writeFileSync(path.join(src, 'd/x'), 'ex\n');
    fs.writeFileSync(path.join(src, 'y'), 'why\n');
    fs.chownSync(path.join(src, 'y'), 1234, 4321);
    await env.ok(['cp', src, 'box:/in1']);
    await env.ok(['cp', path.join(src, 'y'), 'box:/data/']);
    await env.ok(['cp', '-a', path.join(src, 'y'), 'box:/data/y-owned']);
    const ls = await env.ok(['exec', 'box', 'sh', '-c', 'cat /in1/d/x /in1/y /data/y; stat -c "%u:%g" /data/y /data/y-owned']);
    assert.equal(ls, 'ex\nwhy\nwhy\n0:0\n1234:4321\n');
  });

  test('tar streams on stdin and stdout', async () => {
    const tarOut = path.join(host, 'data.tar');
    const r = await env.run(['cp', 'box:/data', '-']);
    assert.equal(r.code, 0, r.stderr);
    fs.writeFileSync(tarOut, r.stdout, 'latin1');
    const names = execFileSync('tar', ['-tf', tarOut]).toString().trim().split('\n').sort();
    assert.ok(names.includes('data/a') && names.includes('data/sub/b'), names.join(','));
    // and back in through stdin, into another directory
    const stream = fs.readFileSync(tarOut);
    await env.ok(['exec', 'box', 'mkdir', '/in2']);
    await env.ok(['cp', '-', 'box:/in2'], { input: stream });
    assert.equal(await env.ok(['exec', 'box', 'cat', '/in2/data/sub/b']), 'beta\n');
    const notDir = await env.run(['cp', '-', 'box:/data/a'], { input: stream });
    assert.notEqual(notDir.code, 0);
  });

  test('planted links resolve inside the container, never on the host', async () => {
    const before = [...snapshot(victim), ...snapshot(sentinel)];
    const out = path.join(host, 'out2');
    fs.mkdirSync(out);
    // /victim -> /etc/passwd: -L copies the container's passwd, without -L the link itself
    await env.ok(['cp', '-L', 'box:/victim', path.join(out, 'pw')]);
    assert.equal(fs.readFileSync(path.join(out, 'pw'), 'utf8'), await env.ok(['exec', 'box', 'cat', '/etc/passwd']));
    await env.ok(['cp', 'box:/victim', path.join(out, 'link')]);
    assert.equal(fs.readlinkSync(path.join(out, 'link')), '/etc/passwd');
    // /escape -> / : reading through it reads the container's root
    await env.ok(['cp', 'box:/escape/data/a', path.join(out, 'a')]);
    assert.equal(fs.readFileSync(path.join(out, 'a'), 'utf8'), 'alpha\n');
    // the host's victim directory, named by an absolute link or through /escape, is not there
    assert.notEqual((await env.run(['cp', `box:/abs-victim/hello`, out])).code, 0);
    assert.notEqual((await env.run(['cp', `box:/escape${victim}/hello`, out])).code, 0);
    // writing through the links lands in the container
    const f = path.join(host, 'evil');
    fs.writeFileSync(f, 'written by cp\n');
    await env.ok(['cp', f, 'box:/escape/tmp/']);
    assert.equal(await env.ok(['exec', 'box', 'cat', '/tmp/evil']), 'written by cp\n');
    assert.ok(!fs.existsSync('/tmp/evil'), 'nothing was written to the host\'s /tmp');
    assert.notEqual((await env.run(['cp', f, `box:/abs-victim/`])).code, 0);
    assert.notEqual((await env.run(['cp', f, `box:/escape${victim}/`])).code, 0);
    await env.ok(['cp', f, 'box:/victim']); // replaces the container's link, not the host's passwd
    assert.deepEqual([...snapshot(victim), ...snapshot(sentinel)], before);
  });

  test('paths on a mount are refused, with where to copy instead', async () => {
    const bound = path.join(host, 'bound');
    fs.mkdirSync(bound);
    await env.ok(['create', '--name', 'withvol', '-v', `${bound}:/vol`, IMG, 'true']);
    const f = path.join(host, 'f-vol');
    fs.writeFileSync(f, 'x');
    const r = await env.run(['cp', f, 'withvol:/vol/']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /on the bind mount at \/vol/);
    assert.match(r.stderr, new RegExp(`copy on the host, at ${bound}`));
    assert.notEqual((await env.run(['cp', 'withvol:/vol/x', host])).code, 0);
  });

  test('a stopped container: copy in, start, see it; stop, copy out', async () => {
    await env.ok(['create', '--name', 'idle', IMG, 'sh', '-c', 'cat /seed/v > /seed/out']);
    const src = path.join(host, 'seed');
    fs.mkdirSync(src);
    fs.writeFileSync(path.join(src, 'v'), 'planted while stopped\n');
    await env.ok(['cp', src, 'idle:/']);
    await env.ok(['start', '-a', 'idle']);
    const out = path.join(host, 'back');
    await env.ok(['cp', 'idle:/seed/out', out]);
    assert.equal(fs.readFileSync(out, 'utf8'), 'planted while stopped\n');
    // the temporary mount is gone again
    const id = (await env.ok(['inspect', '--format', '{{.Id}}', 'idle'])).trim();
    assert.equal(fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(`${env.root}/containers/${id}/`)).length, 0);
  });
});
