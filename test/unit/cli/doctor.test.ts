import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cgroupMode, mountOf, blocking } from '../../../src/cli/doctor.js';

const mounts = [
  'sysfs /sys sysfs rw 0 0',
  '/dev/sda1 / ext4 rw 0 0',
  'tmpfs /var/lib/kctl tmpfs rw 0 0',
  'tmpfs /sys/fs/cgroup tmpfs ro 0 0',
  'cgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0',
  'cgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0',
  '/dev/sdb1 /mnt/my\\040disk xfs rw 0 0',
].join('\n');

test('mountOf finds the longest mount point that holds a path', () => {
  assert.deepEqual(mountOf('/var/lib/kctl/layers', mounts), { mountPoint: '/var/lib/kctl', fsType: 'tmpfs' });
  assert.deepEqual(mountOf('/var/lib/kctlx', mounts), { mountPoint: '/', fsType: 'ext4' });
  assert.deepEqual(mountOf('/mnt/my disk/root', mounts), { mountPoint: '/mnt/my disk', fsType: 'xfs' });
});

test('cgroupMode tells v2, hybrid and v1 apart', () => {
  assert.equal(cgroupMode(mounts), 'hybrid');
  assert.equal(cgroupMode('cgroup2 /sys/fs/cgroup cgroup2 rw 0 0'), 'v2');
  assert.equal(cgroupMode('cgroup /sys/fs/cgroup/cpu cgroup rw 0 0'), 'v1');
  assert.equal(cgroupMode('/dev/sda1 / ext4 rw 0 0'), 'none');
});

test('only failed checks block', () => {
  assert.equal(blocking([{ name: 'a', status: 'warn', result: '' }, { name: 'b', status: 'info', result: '' }]), false);
  assert.equal(blocking([{ name: 'a', status: 'ok', result: '' }, { name: 'b', status: 'fail', result: '' }]), true);
});
