import { Args, Flags } from '@oclif/core';
import { KctlCommand } from '../../cli/base.js';
import { call } from '../../cli/client.js';
import { renderFormat } from '../../cli/output.js';
import type { JsonDocument__Output } from '../../api/gen/kctl/v1/JsonDocument.js';

export default class VolumeInspect extends KctlCommand {
  static override summary = 'Display detailed information on one or more volumes';
  static override usage = 'volume inspect [OPTIONS] VOLUME [VOLUME...]';
  static override strict = false;
  static override args = { name: Args.string({ required: true, description: 'Volume name' }) };
  static override flags = { format: Flags.string({ char: 'f', description: 'Format output using a Go template' }) };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(VolumeInspect);
    const c = await this.daemon();
    const docs: unknown[] = [];
    let failed = 0;
    for (const name of argv as string[]) {
      try {
        docs.push(JSON.parse((await call<object, JsonDocument__Output>(c.volumes, 'Inspect', { name })).json));
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
