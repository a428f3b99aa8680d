import { test } from 'node:test';
import assert from 'node:assert/strict';
import { READ_ONLY_WRAPPER, virtiofsdCommand, type VirtiofsdConfig } from '../../../src/core/vm/virtiofsd-args.js';
import { isKctlError } from '../../../src/core/errors.js';

const base: VirtiofsdConfig = {
  binary: '/usr/lib/qemu/virtiofsd',
  unshareBinary: '/usr/bin/unshare',
  socket: '/r/vms/0123456789ab/fs0.sock',
  source: '/r/containers/c1/rootfs',
  readOnly: false,
  cache: 'auto',
};

const vfsArgv = [
  '--socket-path=/r/vms/0123456789ab/fs0.sock',
  '-o', 'source=/r/containers/c1/rootfs',
  '-o', 'cache=auto',
  '-o', 'sandbox=namespace',
  '-o', 'log_level=info',
];

test('read-write share: virtiofsd directly, namespace sandbox, no syslog', () => {
  assert.deepEqual(virtiofsdCommand(base), { file: '/usr/lib/qemu/virtiofsd', args: vfsArgv });
});

test('read-only share: virtiofsd inside a private mount namespace with a read-only bind of the source', () => {
  assert.deepEqual(virtiofsdCommand({ ...base, readOnly: true }), {
    file: '/usr/bin/unshare',
    args: ['--mount', '--propagation', 'private', '--', '/bin/sh', '-c', READ_ONLY_WRAPPER, 'kctl-ro-share',
      '/r/containers/c1/rootfs', '/usr/lib/qemu/virtiofsd', ...vfsArgv],
  });
});

test('never disables the sandbox and never logs to syslog', () => {
  for (const readOnly of [false, true]) {
    const { args } = virtiofsdCommand({ ...base, readOnly, cache: 'none' });
    assert.ok(!args.some((a) => /sandbox=none|--sandbox|--syslog|seccomp/.test(a) && a !== 'sandbox=namespace'));
    assert.ok(args.includes('cache=none'));
  }
});

test('sources virtiofsd could misparse or that escape are rejected', () => {
  for (const source of ['relative/dir', '/', '/a/../b', '/a,b', '/a\nb', '/a/']) {
    assert.throws(() => virtiofsdCommand({ ...base, source }), (e: unknown) => isKctlError(e, 'invalid_argument'), source);
  }
});

test('an inherited listening socket: --fd instead of --socket-path, and only a descriptor above stdio', () => {
  const { args } = virtiofsdCommand({ ...base, socket: { fd: 3 } });
  assert.deepEqual(args, ['--fd=3', ...vfsArgv.slice(1)]);
  assert.ok(!args.some((a) => a.startsWith('--socket-path')), 'virtiofsd refuses both');
  for (const fd of [0, 2, -1, 3.5]) {
    assert.throws(() => virtiofsdCommand({ ...base, socket: { fd } }), (e: unknown) => isKctlError(e, 'invalid_argument'), String(fd));
  }
});
