import { Flags } from '@oclif/core';
import { KctlCommand } from '../../cli/base.js';
import { call } from '../../cli/client.js';
import { confirm } from '../../cli/prompt.js';
import { humanSize } from '../../cli/units.js';
import type { JsonDocument__Output } from '../../api/gen/kctl/v1/JsonDocument.js';

export default class ContainerPrune extends KctlCommand {
  static override summary = 'Remove all stopped containers (their VMs, writable layers and logs)';
  static override usage = 'container prune [OPTIONS]';
  static override examples = [
    { description: 'Remove every stopped container, after a confirmation', command: '<%= config.bin %> container prune' },
    { description: 'Without the question (scripts, CI)', command: '<%= config.bin %> container prune --force' },
  ];
  static override flags = { force: Flags.boolean({ char: 'f', description: 'Do not prompt for confirmation' }) };

  async run(): Promise<void> {
    const { flags } = await this.parse(ContainerPrune);
    if (!(await confirm('WARNING! This will remove all stopped containers.', { force: flags.force, command: 'container prune' }))) return;
    const c = await this.daemon();
    const res = JSON.parse((await call<object, JsonDocument__Output>(c.containers, 'Prune', {})).json) as { ContainersDeleted: string[]; SpaceReclaimed: number };
    if (res.ContainersDeleted.length) process.stdout.write(`Deleted Containers:\n${res.ContainersDeleted.map((id) => id + '\n').join('')}\n`);
    process.stdout.write(`Total reclaimed space: ${humanSize(res.SpaceReclaimed)}\n`);
  }
}
