import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findDebianKernel, findGuestAssets, packageRoot } from '../../../src/core/vm/assets.js';
import { isKctlError } from '../../../src/core/errors.js';

function tempTree(t: { after: (fn: () => void) => void }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kctl-assets-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = (rel: string, content = 'x') => {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
    return p;
  };
  fs.mkdirSync(path.join(dir, 'boot'));
  return { dir, file, boot: path.join(dir, 'boot') };
}

test('the package root is where package.json is', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8'));
  assert.equal(pkg.name, 'kctl');
});

test('built assets in <package root>/guest/out are found, kind kctl', (t) => {
  const { dir, file, boot } = tempTree(t);
  const k = file('pkg/guest/out/vmlinux');
  const i = file('pkg/guest/out/initramfs.cpio');
  assert.deepEqual(findGuestAssets({ env: {}, packageRoot: path.join(dir, 'pkg'), bootDir: boot }), { kernel: k, kernelKind: 'kctl', initrd: i });
});

test('KCTL_KERNEL / KCTL_INITRD override, each on its own', (t) => {
  const { dir, file, boot } = tempTree(t);
  file('pkg/guest/out/vmlinux');
  const i = file('pkg/guest/out/initramfs.cpio');
  const k2 = file('custom/bzkernel');
  const r = findGuestAssets({ env: { KCTL_KERNEL: k2 }, packageRoot: path.join(dir, 'pkg'), bootDir: boot });
  assert.deepEqual(r, { kernel: k2, kernelKind: 'kctl', initrd: i });
  const i2 = file('custom/init.cpio');
  assert.equal(findGuestAssets({ env: { KCTL_INITRD: i2 }, packageRoot: path.join(dir, 'pkg'), bootDir: boot }).initrd, i2);
  const deb = file('custom/vmlinuz-6.1.0-1-amd64');
  assert.equal(findGuestAssets({ env: { KCTL_KERNEL: deb }, packageRoot: path.join(dir, 'pkg'), bootDir: boot }).kernelKind, 'debian');
  assert.equal(findGuestAssets({ env: { KCTL_KERNEL: deb, KCTL_KERNEL_KIND: 'kctl' }, packageRoot: path.join(dir, 'pkg'), bootDir: boot }).kernelKind, 'kctl');
});

test('without a built kernel the newest Debian kernel is the fallback, kind debian', (t) => {
  const { dir, file, boot } = tempTree(t);
  file('boot/vmlinuz-6.1.0-9-amd64');
  const newest = file('boot/vmlinuz-6.1.0-28-amd64');
  file('boot/vmlinuz-5.10.0-30-amd64');
  file('pkg/guest/out/initramfs.cpio');
  assert.equal(findDebianKernel(boot), newest);
  const r = findGuestAssets({ env: {}, packageRoot: path.join(dir, 'pkg'), bootDir: boot });
  assert.equal(r.kernel, newest);
  assert.equal(r.kernelKind, 'debian');
});

test('missing assets: unavailable with the setup hint', (t) => {
  const { dir, file, boot } = tempTree(t);
  const pkg = path.join(dir, 'pkg');
  const isSetupError = (e: unknown) => isKctlError(e, 'unavailable') && /npm run setup/.test(e.hint ?? '');
  assert.throws(() => findGuestAssets({ env: {}, packageRoot: pkg, bootDir: boot }), isSetupError);
  file('pkg/guest/out/vmlinux');
  assert.throws(() => findGuestAssets({ env: {}, packageRoot: pkg, bootDir: boot }), (e: unknown) => isSetupError(e) && /initramfs/.test((e as Error).message));
  file('pkg/guest/out/initramfs.cpio', ''); // empty files do not count
  assert.throws(() => findGuestAssets({ env: {}, packageRoot: pkg, bootDir: boot }), isSetupError);
  assert.throws(() => findGuestAssets({ env: { KCTL_KERNEL: path.join(dir, 'nope') }, packageRoot: pkg, bootDir: boot }), (e: unknown) => isSetupError(e) && /KCTL_KERNEL/.test((e as Error).message));
});
