import { Flags } from '@oclif/core';
import { KctlCommand } from '../../cli/base.js';
import { call } from '../../cli/client.js';
import { renderFormat, renderTable } from '../../cli/output.js';
import type { JsonDocument__Output } from '../../api/gen/kctl/v1/JsonDocument.js';

export default class VolumeLs extends KctlCommand {
  static override summary = 'List volumes';
  static override usage = 'volume ls [OPTIONS]';
  static override aliases = ['volume:list'];
  static override flags = {
    quiet: Flags.boolean({ char: 'q', description: 'Only display volume names' }),
    format: Flags.string({ description: "Format output using a custom template ('json', or a Go template)" }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(VolumeLs);
    const c = await this.daemon();
    const doc = JSON.parse((await call<object, JsonDocument__Output>(c.volumes, 'List', {})).json) as { Volumes: { Name: string; Driver: string; Mountpoint: string; Labels: Record<string, string> }[] };
    const rows = doc.Volumes.map((v) => ({ Driver: v.Driver, Name: v.Name, Mountpoint: v.Mountpoint, Labels: Object.entries(v.Labels).map(([k, x]) => `${k}=${x}`).join(','), Scope: 'local' }));
    if (flags.quiet) {
      process.stdout.write(rows.map((r) => `${r.Name}\n`).join(''));
      return;
    }
    if (flags.format && flags.format !== 'table') {
      process.stdout.write(renderFormat(flags.format, rows, { Driver: 'DRIVER', Name: 'VOLUME NAME' }));
      return;
    }
    process.stdout.write(renderTable(['DRIVER', 'VOLUME NAME'], rows.map((r) => [r.Driver, r.Name])));
  }
}
