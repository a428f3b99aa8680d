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
