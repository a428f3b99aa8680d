import { Flags } from '@oclif/core';
import { KctlCommand } from '../../cli/base.js';
import { call } from '../../cli/client.js';
import { renderFormat, renderTable } from '../../cli/output.js';
import { NETWORK_HEADERS, networkRow, sortByName } from '../../cli/networks.js';
import type { NetworkView } from '../../core/network/service.js';
import type { JsonDocument__Output } from '../../api/gen/kctl/v1/JsonDocument.js';

export default class NetworkLs extends KctlCommand {
  static override summary = 'List networks';
  static override usage = 'network ls [OPTIONS]';
  static override aliases = ['network:list'];
  static override flags = {
    quiet: Flags.boolean({ char: 'q', description: 'Only display network IDs' }),
    filter: Flags.string({ char: 'f', description: 'Provide filter values (name, id, label, driver, type=custom|builtin, dangling; key=value)', multiple: true, multipleNonGreedy: true }),
    format: Flags.string({ description: "Format output using a custom template ('json', or a Go template)" }),
    'no-trunc': Flags.boolean({ description: 'Do not truncate the output' }),
  };
  static override examples = [
    { description: 'Only the networks made with `network create`', command: '<%= config.bin %> network ls --filter type=custom' },
    { description: 'Names and drivers with a Go template', command: "<%= config.bin %> network ls --format '{{.Name}} {{.Driver}}'" },
  ];

  async run(): Promise<void> {
    const { flags } = await this.parse(NetworkLs);
    const c = await this.daemon();
    const list = JSON.parse((await call<object, JsonDocument__Output>(c.networks, 'List', { filters: flags.filter ?? [] })).json) as NetworkView[];
    const rows = sortByName(list).map((n) => networkRow(n, flags['no-trunc']));
    if (flags.quiet) {
      process.stdout.write(rows.map((r) => `${r.ID}\n`).join(''));
      return;
    }
    if (flags.format && flags.format !== 'table') {
      process.stdout.write(renderFormat(flags.format, rows, NETWORK_HEADERS));
      return;
    }
    process.stdout.write(renderTable(['NETWORK ID', 'NAME', 'DRIVER', 'SCOPE'], rows.map((r) => [r.ID, r.Name, r.Driver, r.Scope])));
  }
}
