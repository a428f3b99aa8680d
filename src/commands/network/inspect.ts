import { Args, Flags } from '@oclif/core';
import { KctlCommand } from '../../cli/base.js';
import { call } from '../../cli/client.js';
import { printInspect } from '../../cli/output.js';
import type { JsonDocument__Output } from '../../api/gen/kctl/v1/JsonDocument.js';

export default class NetworkInspect extends KctlCommand {
  static override summary = 'Display detailed information on one or more networks';
  static override usage = 'network inspect [OPTIONS] NETWORK [NETWORK...]';
  static override strict = false;
  static override args = { name: Args.string({ required: true, description: 'Network name or id' }) };
  static override flags = { format: Flags.string({ char: 'f', description: 'Format output using a Go template' }) };
  static override examples = [{ description: 'The subnet of a network', command: "<%= config.bin %> network inspect -f '{{range .IPAM.Config}}{{.Subnet}}{{end}}' app" }];

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(NetworkInspect);
    const c = await this.daemon();
    const failed = await printInspect(argv as string[], async (name) => (await call<object, JsonDocument__Output>(c.networks, 'Inspect', { name })).json, flags.format);
    if (failed) this.exit(1);
  }
}
