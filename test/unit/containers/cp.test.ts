/**
 * `kctl cp` without a VM: the container side (native/out/kctl-cp, kctl-untar --into) against a
 * directory standing in for a container root that plants hostile links, with a host victim
 * directory and sentinel beside it that must stay untouched; and the client side (Docker's path
 * rules, unpacking a hostile archive onto the host).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { archivePath, extractInto, isDirMode, statPath } from '../../../src/core/containers/cp.js';
import { packHostPath, planCopy, splitCpArg, unpackToHost } from '../../../src/cli/cp.js';
import { makeTar } from '../../fixtures/hostile/tar.js';

const REPO = new URL('../../../../', import.meta.url).pathname;
const haveTools = fs.existsSync(path.join(REPO, 'native/out/kctl-cp')) && fs.existsSync(path.join(REPO, 'native/out/kctl-untar'));
const skip = process.getuid?.() !== 0 ? 'needs root (chroot)' : !haveTools ? 'build the native helpers first: make -C native' : false;

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

/** A container root with planted links, and a victim dir + sentinel on the "host" beside it. */
function hostileRoot(t: { after: (fn: () => void) => void }) {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'kctl-cp-'));
  t.after(() => fs.rmSync(base, { recursive: true, force: true }));
  const root = path.join(base, 'root');
  const victim = path.join(base, 'victim');
  const sentinel = path.join(base, 'sentinel');
  fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
  fs.mkdirSync(path.join(root, 'data/sub'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0:container:/root:/bin/sh\n');
  fs.writeFileSync(path.join(root, 'data/a'), 'alpha\n');
  fs.writeFileSync(path.join(root, 'data/sub/b'), 'beta\n');
  fs.symlinkSync('/', path.join(root, 'escape'));
  fs.symlinkSync('/etc/passwd', path.join(root, 'victim'));
  fs.symlinkSync(`../../${path.basename(base)}/victim`, path.join(root, 'data/up'));
  fs.symlinkSync(victim, path.join(root, 'abs-victim'));
  fs.mkdirSync(victim);
  fs.writeFileSync(path.join(victim, 'hello'), 'hello from the host\n');
  fs.writeFileSync(sentinel, 'host sentinel\n', { mode: 0o400 });
  const guard = () => [...snapshot(victim), ...snapshot(sentinel)];
  return { base, root, victim, sentinel, guard };
}

async function tarOf(root: string, p: string, o: { follow?: boolean } = {}): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (d: Buffer) => chunks.push(d));
  await archivePath(root, p, out, o);
  out.end();
  return Buffer.concat(chunks);
}

async function unpackTo(dest: string, tar: Buffer, name: string, topless = false): Promise<void> {
  await unpackToHost(Readable.from([tar]), { dir: path.dirname(dest), name }, { keepOwners: false, topless });
}

test('stat resolves paths and links inside the container root', { skip }, async (t) => {
  const c = hostileRoot(t);
  const link = await statPath(c.root, '/escape');
  assert.equal(link.linkTarget, '/');
  assert.ok(isDirMode((await statPath(c.root, '/escape', { follow: true })).mode));
  // /victim -> /etc/passwd is the container's passwd, not the host's
  const v = await statPath(c.root, '/victim', { follow: true });
  assert.equal(v.size, fs.statSync(path.join(c.root, 'etc/passwd')).size);
  await assert.rejects(statPath(c.root, '/nope'), (e: Error & { kind?: string }) => e.kind === 'not_found');
  await assert.rejects(statPath(c.root, '/abs-victim/hello', { follow: true }), (e: Error & { kind?: string }) => e.kind === 'not_found');
  await assert.rejects(statPath(c.root, 'relative'), (e: Error & { kind?: string }) => e.kind === 'invalid_argument');
});

test('copy out through planted links reads the container, never the host', { skip }, async (t) => {
  const c = hostileRoot(t);
  const before = c.guard();
  const dest = path.join(c.base, 'out');
  fs.mkdirSync(dest);

  await unpackTo(path.join(dest, 'pw'), await tarOf(c.root, '/victim', { follow: true }), 'pw');
  assert.equal(fs.readFileSync(path.join(dest, 'pw'), 'utf8'), 'root:x:0:0:container:/root:/bin/sh\n');

  await unpackTo(path.join(dest, 'pw2'), await tarOf(c.root, '/escape/etc/passwd'), 'pw2');
  assert.equal(fs.readFileSync(path.join(dest, 'pw2'), 'utf8'), 'root:x:0:0:container:/root:/bin/sh\n');

  // ../../<base>/victim from /data resolves to /victim inside the root: the link, not the host dir
  await assert.rejects(tarOf(c.root, '/data/up/hello'), (e: Error & { kind?: string }) => e.kind === 'not_found');
  // Without -L a link is copied as a link
  const names = await listTar(await tarOf(c.root, '/victim'));
  assert.deepEqual(names, ['victim -> /etc/passwd']);
  assert.deepEqual(c.guard(), before);
});

test('copy out of a directory, with and without its name', { skip }, async (t) => {
  const c = hostileRoot(t);
  assert.deepEqual((await listTar(await tarOf(c.root, '/data'))).sort(), ['data/', 'data/a', 'data/sub/', 'data/sub/b', 'data/up -> ../../' + path.basename(c.base) + '/victim'].sort());
  const dest = path.join(c.base, 'contents');
  await unpackTo(dest, await tarOf(c.root, '/data/.'), 'contents', true);
  assert.equal(fs.readFileSync(path.join(dest, 'sub/b'), 'utf8'), 'beta\n');
  assert.equal(fs.readFileSync(path.join(dest, 'a'), 'utf8'), 'alpha\n');
});

test('copy in through planted links writes inside the container root', { skip }, async (t) => {
  const c = hostileRoot(t);
  const before = c.guard();
  const src = path.join(c.base, 'src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'f'), 'from the host\n');
  const pack = async (name: string) => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (d: Buffer) => chunks.push(d));
    await packHostPath(path.join(src, 'f'), name, out, { follow: false, keepOwners: false });
    return Buffer.concat(chunks);
  };
  // into /escape/etc: the container's /etc
  await extractInto(c.root, '/escape/etc', Readable.from([await pack('f')]));
  assert.equal(fs.readFileSync(path.join(c.root, 'etc/f'), 'utf8'), 'from the host\n');
  // into a directory named through an absolute link to the host's victim dir: not found in the container
  await assert.rejects(extractInto(c.root, '/abs-victim', Readable.from([await pack('f')])));
  // an archive whose names climb out, or go through a link it planted, stays inside the target
  const evil = makeTar([
    { name: '../../../../f-climb', type: 'file', data: 'x' },
    { name: 'lnk', type: 'symlink', linkname: '/' },
  ]);
  await extractInto(c.root, '/data', Readable.from([evil])).catch(() => undefined);
  assert.ok(!fs.existsSync(path.join(c.base, 'f-climb')));
  assert.ok(!fs.existsSync('/f-climb'));
  // whiteouts are refused
  await assert.rejects(extractInto(c.root, '/data', Readable.from([makeTar([{ name: '.wh.a', type: 'file', data: '' }])])), (e: Error & { kind?: string }) => e.kind === 'invalid_argument');
  assert.ok(fs.existsSync(path.join(c.root, 'data/a')));
  // owners become root's without -a
  const owned = makeTar([{ name: 'owned', type: 'file', data: 'o', uid: 1234, gid: 5678 }]);
  await extractInto(c.root, '/data', Readable.from([owned]));
  assert.equal(fs.statSync(path.join(c.root, 'data/owned')).uid, 0);
  await extractInto(c.root, '/data', Readable.from([makeTar([{ name: 'kept', type: 'file', data: 'k', uid: 1234, gid: 5678 }])]), { copyUidGid: true });
  assert.equal(fs.statSync(path.join(c.root, 'data/kept')).uid, 1234);
  assert.deepEqual(c.guard(), before);
});

test('unpacking a hostile archive on the host never leaves the destination', async (t) => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'kctl-cp-host-'));
  t.after(() => fs.rmSync(base, { recursive: true, force: true }));
  const outside = path.join(base, 'outside');
  fs.mkdirSync(outside);
  const dest = path.join(base, 'dest');
  const cases: { name: string; tar: Buffer }[] = [
    { name: 'dotdot', tar: makeTar([{ name: 'top/', type: 'dir' }, { name: 'top/../../outside/x', type: 'file', data: 'x' }]) },
    { name: 'absolute', tar: makeTar([{ name: '/outside/x', type: 'file', data: 'x' }]) },
    { name: 'through a link', tar: makeTar([{ name: 'top/', type: 'dir' }, { name: 'top/l', type: 'symlink', linkname: outside }, { name: 'top/l/x', type: 'file', data: 'x' }]) },
    { name: 'file over a link', tar: makeTar([{ name: 'top/', type: 'dir' }, { name: 'top/l', type: 'symlink', linkname: path.join(outside, 'y') }, { name: 'top/l', type: 'file', data: 'x' }]) },
  ];
  for (const k of cases) {
    fs.rmSync(dest, { recursive: true, force: true });
    await unpackTo(dest, k.tar, 'dest').catch(() => undefined);
    assert.deepEqual(fs.readdirSync(outside), [], k.name);
  }
});

test("Docker's cp path rules", () => {
  assert.deepEqual(splitCpArg('web:/etc/x'), { container: 'web', path: '/etc/x' });
  assert.deepEqual(splitCpArg('./a:b'), { path: './a:b' });
  assert.deepEqual(splitCpArg('-'), { path: '-' });
  const d = (p: string, exists: boolean, isDir = false, parentIsDir = true) => ({ path: p, exists, isDir, parentIsDir });
  // file -> existing dir: into it under its name
  assert.deepEqual(planCopy({ path: '/etc/hosts', isDir: false }, d('/tmp/x', true, true)), { dir: '/tmp/x', name: 'hosts' });
  // file -> missing path: that name
  assert.deepEqual(planCopy({ path: '/etc/hosts', isDir: false }, d('/tmp/y', false)), { dir: '/tmp', name: 'y' });
  // file -> missing "dir/": error
  assert.throws(() => planCopy({ path: '/etc/hosts', isDir: false }, d('/tmp/y/', false)), /must exist/);
  // dir -> existing file: error
  assert.throws(() => planCopy({ path: '/etc', isDir: true }, d('/tmp/f', true, false)), /directory to a file/);
  // dir -> existing dir: copied as a subdirectory; dir/. -> its contents
  assert.deepEqual(planCopy({ path: '/etc', isDir: true }, d('/tmp/x', true, true)), { dir: '/tmp/x', name: 'etc' });
  assert.deepEqual(planCopy({ path: '/etc/.', isDir: true }, d('/tmp/x', true, true)), { dir: '/tmp/x', name: '.' });
  // dir -> missing path: created with the dir's contents
  assert.deepEqual(planCopy({ path: '/etc', isDir: true }, d('/tmp/new', false)), { dir: '/tmp', name: 'new' });
  // missing parent
  assert.throws(() => planCopy({ path: '/etc', isDir: true }, d('/nope/new', false, false, false)), /no such directory/);
});

async function listTar(buf: Buffer): Promise<string[]> {
  const tarStream = await import('tar-stream');
  const ex = tarStream.extract();
  const names: string[] = [];
  const done = (async () => {
    for await (const e of ex) {
      names.push(e.header.type === 'symlink' ? `${e.header.name} -> ${e.header.linkname}` : e.header.name);
      e.resume();
    }
  })();
  ex.end(buf);
  await done;
  return names;
}
