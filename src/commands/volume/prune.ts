import { Flags } from '@oclif/core';
import { KctlCommand } from '../../cli/base.js';
import { call } from '../../cli/client.js';
import { confirm } from '../../cli/prompt.js';
import { humanSize } from '../../cli/units.js';
import type { JsonDocument__Output } from '../../api/gen/kctl/v1/JsonDocument.js';

export default class VolumePrune extends KctlCommand {
  static override summary = 'Remove unused volumes (anonymous ones unless --all)';
  static override usage = 'volume prune [OPTIONS]';
  static override flags = {
    all: Flags.boolean({ char: 'a', description: 'Remove all unused volumes, not just anonymous ones' }),
    force: Flags.boolean({ char: 'f', description: 'Do not prompt for confirmation' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(VolumePrune);
    const warning = flags.all ? 'WARNING! This will remove all local volumes not used by at least one container.' : 'WARNING! This will remove anonymous local volumes not used by at least one container.';
    if (!(await confirm(warning, { force: flags.force, command: 'volume prune' }))) return;
    const c = await this.daemon();
    const r = JSON.parse((await call<object, JsonDocument__Output>(c.volumes, 'Prune', { all: flags.all })).json) as { VolumesDeleted: string[]; SpaceReclaimed: number };
    if (r.VolumesDeleted.length) process.stdout.write('Deleted Volumes:\n' + r.VolumesDeleted.map((v) => `${v}\n`).join('') + '\n');
    process.stdout.write(`Total reclaimed space: ${humanSize(r.SpaceReclaimed)}\n`);
  }
}
