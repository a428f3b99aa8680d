import { Args, Flags } from '@oclif/core';
import { KctlCommand } from '../../cli/base.js';
import { call } from '../../cli/client.js';
import { renderFormat } from '../../cli/output.js';
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
    const docs: unknown[] = [];
    let failed = 0;
    for (const name of argv as string[]) {
      try {
        docs.push(JSON.parse((await call<object, JsonDocument__Output>(c.networks, 'Inspect', { name })).json));
      } catch (err) {
        failed++;
        process.stderr.write(`Error response from daemon: ${(err as Error).message}\n`);
      }
    }
    if (flags.format) process.stdout.write(renderFormat(flags.format, docs as Record<string, unknown>[], {}));
    else process.stdout.write(JSON.stringify(docs, null, 4) + '\n');
    if (failed) this.exit(1);
  }
}
