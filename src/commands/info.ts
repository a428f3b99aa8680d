import { Flags } from '@oclif/core';
import { KctlCommand } from '../cli/base.js';
import { call } from '../cli/client.js';
import { renderFormat } from '../cli/output.js';
import type { JsonDocument__Output } from '../api/gen/kctl/v1/JsonDocument.js';

export default class Info extends KctlCommand {
  static override summary = 'Display system-wide information, including how containers are isolated';
  static override usage = 'info [OPTIONS]';
  static override aliases = ['system:info'];
  static override examples = [
    { description: 'Which accelerator kctl chose and why', command: "<%= config.bin %> info --format '{{.Isolation.Accelerator}}: {{.Isolation.AcceleratorReason}}'" },
  ];
  static override flags = { format: Flags.string({ char: 'f', description: "Format output using a custom template ('json', or a Go template)" }) };

  async run(): Promise<void> {
    const { flags } = await this.parse(Info);
    const c = await this.daemon();
    const info = JSON.parse((await call<object, JsonDocument__Output>(c.system, 'Info', {})).json);
    if (flags.format) {
      process.stdout.write(renderFormat(flags.format, [info]));
      return;
    }
    const iso = info.Isolation;
    const lines = [
      'Server:',
      ` Containers: ${info.Containers}`,
      `  Running: ${info.ContainersRunning}`,
      `  Paused: ${info.ContainersPaused}`,
      `  Stopped: ${info.ContainersStopped}`,
      ` Images: ${info.Images}`,
      ` Server Version: ${info.ServerVersion}`,
      ` Storage Driver: ${info.Driver}`,
      ...(info.DriverStatus ?? []).map(([k, v]: [string, string]) => `  ${k}: ${v}`),
      ` Logging Driver: ${info.LoggingDriver}`,
      ...(info.CgroupVersion ? [` Cgroup Version: ${info.CgroupVersion} (VM limits are set by QEMU, not host cgroups)`] : []),
      ` Default Runtime: ${info.DefaultRuntime} (one VM per container)`,
      ' Isolation:',
      `  Hypervisor: ${iso.Hypervisor} ${iso.HypervisorVersion} (${iso.HypervisorPath})`,
      `  Machine: ${iso.Machine}`,
      `  Accelerator: ${iso.Accelerator}`,
      `  Accelerator Reason: ${iso.AcceleratorReason}`,
      `  Guest Kernel: ${iso.Kernel} (${iso.KernelKind})`,
      `  Initramfs: ${iso.Initrd}`,
      `  virtiofsd: ${iso.Virtiofsd}`,
      `  Agent Channel: ${iso.AgentChannel}`,
      `  Default VM Size: ${iso.DefaultVCPUs} vCPU, ${iso.DefaultMemoryMiB} MiB`,
      ...(iso.Pool?.Size ? [`  Pre-booted VMs: ${iso.Pool.Ready} ready of ${iso.Pool.Size}${iso.Pool.Booting ? `, ${iso.Pool.Booting} booting` : ''} (${iso.Pool.VCPUs} vCPU, ${iso.Pool.MemoryMiB} MiB, network ${iso.Pool.Network})`] : ['  Pre-booted VMs: none (daemon.json pool-size)']),
      `  Same-page Merging (KSM): ${!iso.Ksm?.available ? 'not available on this host' : iso.Ksm.running ? `on, ${(((iso.Ksm.pagesSharing ?? 0) + (iso.Ksm.zeroPages ?? 0)) * 4 / 1024).toFixed(1)} MiB merged` : 'off on this host (daemon.json "ksm": true turns it on)'}`,
      ` Kernel Version: ${info.KernelVersion}`,
      ` Operating System: ${info.OperatingSystem}`,
      ` Architecture: ${info.Architecture}`,
      ` CPUs: ${info.NCPU}`,
      ` Total Memory: ${(info.MemTotal / 1024 ** 3).toFixed(2)}GiB`,
      ` Name: ${info.Name}`,
      ` Docker Root Dir: ${info.DockerRootDir}`,
      ` gRPC Socket: ${info.KctlSockets.Grpc}`,
      ` Docker API Socket: ${info.KctlSockets.Docker} (DOCKER_HOST=${info.KctlSockets.DockerHost})`,
      ` Registry Mirrors: ${(info.RegistryConfig.Mirrors ?? []).join(', ') || '(none)'}`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
    // Docker prints what is wrong with the host after the facts, on stderr.
    const warnings: string[] = [...(iso.Problems ?? [])];
    if (iso.Pool?.Problem) warnings.push(`the pool of pre-booted VMs cannot fill: ${iso.Pool.Problem}`);
    if (iso.Accelerator !== 'kvm') warnings.push(iso.AcceleratorReason);
    if (warnings.length) process.stderr.write(warnings.map((w) => `WARNING: ${w}\n`).join('') + "Run 'kctl doctor' for fixes.\n");
  }
}
