/** The one-line isolation report `kctl run` prints on stderr. */
import type { Isolation__Output } from '../api/gen/kctl/v1/Isolation.js';

export function isolationLine(i: Isolation__Output): string {
  const accel = i.accelerator === 'kvm' ? 'KVM' : `TCG software emulation (${i.acceleratorReason})`;
  return `kctl: isolated in a VM: ${i.hypervisor} ${i.hypervisorVersion} ${i.machine}, ${accel}; ` +
    `guest kernel ${i.guestKernel}; ${i.vcpus} vCPU${i.vcpus === 1 ? '' : 's'}, ${i.memoryMib} MiB; ` +
    `rootfs ${i.rootfsShare}; agent over ${i.agentChannel}; VM pid ${i.vmPid}${i.vmUid ? ` (uid ${i.vmUid}, unprivileged)` : ' (root)'}, ready in ${i.bootMs} ms${i.fromPool ? ' (pre-booted, from the pool)' : ''}` +
    (i.poolMiss ? `; not from the pool: ${i.poolMiss}` : '');
}
