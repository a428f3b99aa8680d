import { Flags } from '@oclif/core';
import { KctlCommand } from '../../cli/base.js';
import { call } from '../../cli/client.js';
import { confirm } from '../../cli/prompt.js';
import type { JsonDocument__Output } from '../../api/gen/kctl/v1/JsonDocument.js';

export default class NetworkPrune extends KctlCommand {
  static override summary = 'Remove all unused networks';
  static override usage = 'network prune [OPTIONS]';
  static override flags = {
    force: Flags.boolean({ char: 'f', description: 'Do not prompt for confirmation' }),
    filter: Flags.string({ description: 'Provide filter values (label=key or label=key=value)', multiple: true, multipleNonGreedy: true }),
  };
  static override examples = [{ description: 'Without the question (scripts, CI)', command: '<%= config.bin %> network prune --force' }];

  async run(): Promise<void> {
    const { flags } = await this.parse(NetworkPrune);
    if (!(await confirm('WARNING! This will remove all custom networks not used by at least one container.', { force: flags.force, command: 'network prune' }))) return;
    const c = await this.daemon();
    const r = JSON.parse((await call<object, JsonDocument__Output>(c.networks, 'Prune', { filters: flags.filter ?? [] })).json) as { NetworksDeleted: string[] };
    if (r.NetworksDeleted.length) process.stdout.write('Deleted Networks:\n' + r.NetworksDeleted.map((n) => `${n}\n`).join('') + '\n');
  }
}
