import { Args, Flags } from '@oclif/core';
import { KctlCommand } from '../../cli/base.js';
import { call } from '../../cli/client.js';
import { parseLabels } from '../../cli/container-flags.js';
import type { JsonDocument__Output } from '../../api/gen/kctl/v1/JsonDocument.js';

export default class VolumeCreate extends KctlCommand {
  static override summary = 'Create a volume';
  static override usage = 'volume create [OPTIONS] [VOLUME]';
  static override args = { name: Args.string({ required: false, description: 'Volume name (generated when omitted)' }) };
  static override flags = { label: Flags.string({ char: 'l', description: 'Set metadata for a volume (key=value)', multiple: true, multipleNonGreedy: true }) };
  static override examples = [{ description: 'Create a volume and use it', command: '<%= config.bin %> volume create data && <%= config.bin %> run -v data:/data busybox ls /data' }];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(VolumeCreate);
    const c = await this.daemon();
    const res = await call<object, JsonDocument__Output>(c.volumes, 'Create', { name: args.name ?? '', labels: parseLabels(flags.label) });
    process.stdout.write(`${(JSON.parse(res.json) as { Name: string }).Name}\n`);
  }
}
