/**
 * The hostile layer corpus (test/fixtures/hostile/corpus.ts) against native/out/kctl-untar: every
 * case is applied to a fresh layer root with a victim directory and a host sentinel file beside
 * it; the case must be rejected with its exit code or confined (its check passes), and the victim
 * and sentinel must be unchanged byte for byte (content, type, mode, owner, mtime, inode).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { hostileCases, caseTar, type HostileContext } from '../../fixtures/hostile/corpus.js';
import { makeTar } from '../../fixtures/hostile/tar.js';
import { untarBinary } from '../../../src/core/images/unpack.js';

const bin = untarBinary();
const skip = process.getuid?.() !== 0 ? 'needs root (chroot, mknod, chown)' : !fs.existsSync(bin) ? `build ${bin} first: make -C native` : false;

/** A stable description of a tree: every node's type, mode, owner, size, mtime, inode and content hash. */
function snapshot(p: string): string[] {
  const out: string[] = [];
  const walk = (q: string) => {
    const s = fs.lstatSync(q);
    let extra = '';
    if (s.isFile()) extra = createHash('sha256').update(fs.readFileSync(q)).digest('hex');
    else if (s.isSymbolicLink()) extra = fs.readlinkSync(q);
    out.push(`${path.relative(p, q) || '.'} ${s.mode.toString(8)} ${s.uid}:${s.gid} ${s.size} ${s.mtimeMs} ${s.ino} ${s.nlink} ${extra}`);
    if (s.isDirectory()) for (const n of fs.readdirSync(q).sort()) walk(path.join(q, n));
  };
  walk(p);
  return out;
}

function setup(t: { after: (fn: () => void) => void }): HostileContext {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'kctl-hostile-'));
  t.after(() => fs.rmSync(base, { recursive: true, force: true }));
  const c = { root: path.join(base, 'root'), victim: path.join(base, 'victim'), sentinel: path.join(base, 'sentinel') };
  fs.mkdirSync(c.root, { mode: 0o755 });
  fs.chmodSync(c.root, 0o755);
  fs.mkdirSync(c.victim);
  fs.writeFileSync(path.join(c.victim, 'hello'), 'hello from the host\n');
  fs.writeFileSync(c.sentinel, 'host sentinel\n', { mode: 0o400 });
  fs.chmodSync(c.sentinel, 0o400);
  return c;
}

for (const k of hostileCases) {
  test(`hostile layer row ${k.row}: ${k.name} (${k.what}) is ${k.expect}`, { skip }, (t) => {
    const c = setup(t);
    const before = [...snapshot(c.victim), ...snapshot(c.sentinel)];
    const args = [c.root];
    if (k.limits?.maxEntries) args.push('--max-entries', String(k.limits.maxEntries));
    if (k.limits?.maxPath) args.push('--max-path', String(k.limits.maxPath));
    if (k.limits?.maxDepth) args.push('--max-depth', String(k.limits.maxDepth));
    if (k.limits?.maxBytes) args.push('--max-bytes', String(k.limits.maxBytes));
    const r = spawnSync(bin, args, { input: caseTar(k, c), timeout: 60_000, killSignal: 'SIGKILL' });
    const stderr = r.stderr.toString();
    if (k.expect === 'rejected') {
      assert.equal(r.status, k.exitCode, `expected exit ${k.exitCode}, got ${r.status}: ${stderr}`);
      assert.match(stderr, /^kctl-untar: .+/, 'a one-line reason on stderr');
      assert.equal(stderr.trim().split('\n').length, 1);
    } else {
      assert.equal(r.status, 0, `expected success: ${stderr}`);
      assert.match(r.stdout.toString(), /^\{"entries":\d+,"bytes":\d+,"dataBytes":\d+\}\n$/);
      k.check?.(c);
    }
    assert.deepEqual([...snapshot(c.victim), ...snapshot(c.sentinel)], before, 'victim and sentinel unchanged');
    assert.equal(fs.lstatSync(c.root).isDirectory(), true, 'the layer root is still a directory');
  });
}

test('kctl-untar applies mtimes without following links and directories last', { skip }, (t) => {
  const c = setup(t);
  const tar = makeTar([
    { name: 'd/', type: 'dir', mtime: 1000 },
    { name: 'd/f', data: 'x', mtime: 2000 },
    { name: 'd/l', type: 'symlink', linkname: c.sentinel, mtime: 3000 },
  ]);
  const r = spawnSync(bin, [c.root], { input: tar, timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr.toString());
  assert.equal(fs.lstatSync(path.join(c.root, 'd')).mtimeMs, 1000_000);
  assert.equal(fs.lstatSync(path.join(c.root, 'd/f')).mtimeMs, 2000_000);
  assert.equal(fs.lstatSync(path.join(c.root, 'd/l')).mtimeMs, 3000_000);
  assert.notEqual(fs.lstatSync(c.sentinel).mtimeMs, 3000_000);
});

test('kctl-untar refuses to start without a layer directory', { skip }, () => {
  const r = spawnSync(bin, [], { input: Buffer.alloc(0), timeout: 10_000 });
  assert.equal(r.status, 1);
  const r2 = spawnSync(bin, ['/nonexistent/kctl-layer'], { input: Buffer.alloc(0), timeout: 10_000 });
  assert.equal(r2.status, 6);
});

/** Reads an xattr without following symlinks (Node has no xattr API; Python's os module does). */
function getXattr(p: string, name: string): string | undefined {
  const r = spawnSync('python3', ['-c', 'import os,sys\ntry: sys.stdout.buffer.write(os.getxattr(sys.argv[1], sys.argv[2], follow_symlinks=False))\nexcept OSError: sys.exit(3)', p, name]);
  return r.status === 0 ? r.stdout.toString('latin1') : undefined;
}

test('xattrs: capabilities and user.* applied, opaque only from the marker, others dropped', { skip }, (t) => {
  const c = setup(t);
  // A valid VFS_CAP_REVISION_2 blob granting cap_net_bind_service (bit 10) permitted+effective.
  const cap = Buffer.alloc(20);
  cap.writeUInt32LE(0x02000001, 0);
  cap.writeUInt32LE(1 << 10, 4);
  const tar = makeTar([
    { name: 'bin/ping', data: 'x', mode: 0o755, pax: { 'SCHILY.xattr.security.capability': cap.toString('latin1'), 'SCHILY.xattr.user.note': 'kept' } },
    { name: 'etc/', type: 'dir', pax: { 'SCHILY.xattr.security.selinux': 'system_u:object_r:etc_t:s0' } },
    { name: 'opq/x', data: 'x' },
    { name: 'opq/.wh..wh..opq' },
  ]);
  const r = spawnSync(bin, [c.root], { input: tar, timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr.toString());
  assert.equal(getXattr(path.join(c.root, 'bin/ping'), 'user.note'), 'kept');
  assert.equal(Buffer.from(getXattr(path.join(c.root, 'bin/ping'), 'security.capability') ?? '', 'latin1').readUInt32LE(4), 1 << 10);
  assert.equal(getXattr(path.join(c.root, 'opq'), 'trusted.overlay.opaque'), 'y');
  assert.equal(getXattr(path.join(c.root, 'bin'), 'trusted.overlay.opaque'), undefined);
  assert.notEqual(getXattr(path.join(c.root, 'etc'), 'security.selinux'), 'system_u:object_r:etc_t:s0', 'other namespaces are not copied from the image');
});
