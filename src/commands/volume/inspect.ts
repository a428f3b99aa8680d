import { Args, Flags } from '@oclif/core';
import { KctlCommand } from '../../cli/base.js';
import { call } from '../../cli/client.js';
import { printInspect } from '../../cli/output.js';
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
    const failed = await printInspect(argv as string[], async (name) => (await call<object, JsonDocument__Output>(c.volumes, 'Inspect', { name })).json, flags.format);
    if (failed) this.exit(1);
  }
}
