import { Flags } from '@oclif/core';
import { KctlCommand } from '../cli/base.js';
import { call } from '../cli/client.js';
import { renderFormat } from '../cli/output.js';
import type { VersionResponse__Output } from '../api/gen/kctl/v1/VersionResponse.js';

export default class Version extends KctlCommand {
  static override summary = 'Show the kctl version information';
  static override usage = 'version [OPTIONS]';
  static override examples = [{ description: 'Client and server versions', command: '<%= config.bin %> version' }];
  static override flags = { format: Flags.string({ char: 'f', description: 'Format output using a custom template' }) };

  async run(): Promise<void> {
    const { flags } = await this.parse(Version);
    const client = { Version: this.config.version, NodeVersion: process.version, Os: process.platform, Arch: process.arch };
    const c = await this.daemon();
    const s = await call<object, VersionResponse__Output>(c.system, 'Version', {});
    const server = { Version: s.version, ApiVersion: s.apiVersion, NodeVersion: s.nodeVersion, Os: s.os, Arch: s.arch, KernelVersion: s.kernelVersion, Hypervisor: `${s.hypervisor} ${s.hypervisorVersion}` };
    if (flags.format) {
      process.stdout.write(renderFormat(flags.format, [{ Client: client, Server: server }]));
      return;
    }
    process.stdout.write([
      'Client:', ` Version:      ${client.Version}`, ` Node.js:      ${client.NodeVersion}`, ` OS/Arch:      ${client.Os}/${client.Arch}`, '',
      'Server: kctld', ` Version:      ${server.Version}`, ` API version:  ${server.ApiVersion} (Docker Engine API)`, ` Node.js:      ${server.NodeVersion}`,
      ` OS/Arch:      ${server.Os}/${server.Arch}`, ` Kernel:       ${server.KernelVersion}`, ` Hypervisor:   ${server.Hypervisor}`,
    ].join('\n') + '\n');
  }
}
