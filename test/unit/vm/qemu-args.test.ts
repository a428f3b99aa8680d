import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelCmdline, qemuArgs, type QemuConfig } from '../../../src/core/vm/qemu-args.js';
import { isKctlError } from '../../../src/core/errors.js';

const base: QemuConfig = {
  binary: '/usr/bin/qemu-system-x86_64',
  name: 'kctl-0123456789ab',
  machine: { kind: 'microvm', acpi: false },
  accel: { kind: 'tcg', tbSizeMiB: 64 },
  vcpus: 1,
  memoryMiB: 256,
  boot: { kernel: '/k/vmlinux', initrd: '/k/initramfs.cpio', append: 'console=ttyS0' },
  filesystems: [{ tag: 'rootfs', socket: '/r/vms/0123456789ab/fs0.sock' }],
  agent: { kind: 'virtio-serial', socket: '/r/vms/0123456789ab/agent.sock', portName: 'kctl.agent' },
  qmpSocket: '/r/vms/0123456789ab/qmp.sock',
  consoleLog: '/r/vms/0123456789ab/console.log',
};

test('TCG microvm with one virtio-fs share: golden argv', () => {
  assert.deepEqual(qemuArgs(base), [
    '-name', 'kctl-0123456789ab,process=kctl-0123456789ab',
    '-nodefaults', '-no-user-config', '-nographic', '-no-reboot',
    '-sandbox', 'on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny',
    '-msg', 'timestamp=on',
    '-M', 'microvm,acpi=off,memory-backend=mem',
    '-global', 'virtio-mmio.force-legacy=false',
    '-accel', 'tcg,tb-size=64',
    '-smp', '1',
    '-m', '256M',
    '-object', 'memory-backend-memfd,id=mem,size=256M,share=on',
    '-kernel', '/k/vmlinux', '-initrd', '/k/initramfs.cpio', '-append', 'console=ttyS0',
    '-device', 'virtio-balloon-device,free-page-reporting=on',
    '-chardev', 'file,id=console,path=/r/vms/0123456789ab/console.log',
    '-serial', 'chardev:console',
    '-chardev', 'socket,id=qmp,path=/r/vms/0123456789ab/qmp.sock,server=on,wait=off',
    '-mon', 'chardev=qmp,mode=control',
    '-chardev', 'socket,id=fs0,path=/r/vms/0123456789ab/fs0.sock',
    '-device', 'vhost-user-fs-device,chardev=fs0,tag=rootfs',
    '-chardev', 'socket,id=agent,path=/r/vms/0123456789ab/agent.sock,server=on,wait=off',
    '-device', 'virtio-serial-device,max_ports=2',
    '-device', 'virtserialport,chardev=agent,name=kctl.agent',
  ]);
});

test('KVM, ACPI, two shares and 2 vCPUs', () => {
  const a = qemuArgs({
    ...base,
    machine: { kind: 'microvm', acpi: true },
    accel: { kind: 'kvm' },
    vcpus: 2,
    memoryMiB: 512,
    filesystems: [
      { tag: 'rootfs', socket: '/s/fs0.sock' },
      { tag: 'vol-data', socket: '/s/fs1.sock' },
    ],
  });
  const at = (flag: string, value: string) => a.some((x, i) => x === flag && a[i + 1] === value);
  assert.ok(at('-M', 'microvm,acpi=on,memory-backend=mem'));
  assert.ok(at('-accel', 'kvm'));
  assert.ok(at('-cpu', 'host'));
  assert.ok(!a.some((x) => x.startsWith('tcg')));
  assert.ok(at('-smp', '2'));
  assert.ok(at('-object', 'memory-backend-memfd,id=mem,size=512M,share=on'));
  assert.ok(at('-device', 'vhost-user-fs-device,chardev=fs0,tag=rootfs'));
  assert.ok(at('-device', 'vhost-user-fs-device,chardev=fs1,tag=vol-data'));
  assert.ok(at('-chardev', 'socket,id=fs1,path=/s/fs1.sock'));
});

test('commas in paths are doubled so QEMU does not split them', () => {
  const a = qemuArgs({ ...base, consoleLog: '/r/a,b/console.log' });
  assert.ok(a.includes('file,id=console,path=/r/a,,b/console.log'));
});

test('bad tags, duplicate tags, and out-of-range sizes are rejected', () => {
  const bad: Array<Partial<QemuConfig>> = [
    { filesystems: [{ tag: 'a,b', socket: '/s' }] },
    { filesystems: [{ tag: '', socket: '/s' }] },
    { filesystems: [{ tag: 'x'.repeat(37), socket: '/s' }] },
    { filesystems: [{ tag: 'r', socket: '/s0' }, { tag: 'r', socket: '/s1' }] },
    { vcpus: 0 },
    { vcpus: 1.5 },
    { memoryMiB: 16 },
    { accel: { kind: 'tcg', tbSizeMiB: 1 } },
    { boot: { kernel: '/k', initrd: '/i', append: 'a\nb' } },
  ];
  for (const b of bad) {
    assert.throws(() => qemuArgs({ ...base, ...b }), (e: unknown) => isKctlError(e, 'invalid_argument'), JSON.stringify(b));
  }
});

test('TCG kernel command line carries the TSC rate and lpj for HZ=100', () => {
  assert.equal(
    kernelCmdline({ accelerator: 'tcg', kernelKind: 'kctl', tscKhz: 2445430 }),
    'console=ttyS0 quiet reboot=t panic=-1 rdinit=/init page_reporting.page_reporting_order=5 tsc_early_khz=2445430 tsc=reliable lpj=24454300 no_timer_check lapic_timer_khz=1000000 noreplace-smp',
  );
});

test('Debian kernel under TCG: HZ=250 lpj, no lapic_timer_khz (only the kctl kernel has that parameter)', () => {
  const c = kernelCmdline({ accelerator: 'tcg', kernelKind: 'debian', tscKhz: 2445430 });
  assert.match(c, / lpj=9781720 /);
  assert.doesNotMatch(c, /noapictimer|lapic_timer_khz/);
  assert.doesNotMatch(c, /page_reporting/, 'a stock 6.1 kernel would overwrite it anyway');
});

test('KVM needs no TSC parameters; extra parameters are appended', () => {
  const c = kernelCmdline({ accelerator: 'kvm', kernelKind: 'kctl', tscKhz: 2445430, extra: ['kctl.debug=1'] });
  assert.equal(c, 'console=ttyS0 quiet reboot=t panic=-1 rdinit=/init page_reporting.page_reporting_order=5 kctl.debug=1');
});

test('unknown TSC rate under TCG: no tsc parameters, still no APIC timer calibration', () => {
  const c = kernelCmdline({ accelerator: 'tcg', kernelKind: 'kctl' });
  assert.doesNotMatch(c, /tsc_early_khz|lpj=/);
  assert.match(c, / lapic_timer_khz=1000000 /);
});

test('kernel parameters with spaces or control characters are rejected', () => {
  for (const x of ['a b', 'x\ny', '']) {
    assert.throws(() => kernelCmdline({ accelerator: 'kvm', kernelKind: 'kctl', extra: [x] }), (e: unknown) => isKctlError(e, 'invalid_argument'));
  }
});
