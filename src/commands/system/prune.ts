import { Flags } from '@oclif/core';
import { KctlCommand } from '../../cli/base.js';
import { call } from '../../cli/client.js';
import { confirm } from '../../cli/prompt.js';
import { humanSize } from '../../cli/units.js';
import type { JsonDocument__Output } from '../../api/gen/kctl/v1/JsonDocument.js';
import { deletedImagesText, type ImagePruneReport } from '../image/prune.js';

export default class SystemPrune extends KctlCommand {
  static override summary = 'Remove stopped containers, unused networks, dangling images (with --all: unused images) and unreferenced layers';
  static override usage = 'system prune [OPTIONS]';
  static override examples = [
    { description: 'Clean up, after a confirmation', command: '<%= config.bin %> system prune' },
    { description: 'Also remove every image no container uses, without the question', command: '<%= config.bin %> system prune --all --force' },
  ];
  static override flags = {
    all: Flags.boolean({ char: 'a', description: 'Remove all unused images not just dangling ones' }),
    force: Flags.boolean({ char: 'f', description: 'Do not prompt for confirmation' }),
    volumes: Flags.boolean({ description: 'Prune anonymous volumes' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(SystemPrune);
    const warning = ['WARNING! This will remove:', '  - all stopped containers', '  - all networks not used by at least one container',
      flags.all ? '  - all images without at least one container associated to them' : '  - all dangling images',
      ...(flags.volumes ? ['  - all anonymous volumes not used by at least one container'] : []),
      '  - all unpacked layers and blobs no remaining image uses'].join('\n');
    if (!(await confirm(warning, { force: flags.force, command: 'system prune' }))) return;
    const c = await this.daemon();
    const cs = JSON.parse((await call<object, JsonDocument__Output>(c.containers, 'Prune', {})).json) as { ContainersDeleted: string[]; SpaceReclaimed: number };
    const ns = JSON.parse((await call<object, JsonDocument__Output>(c.networks, 'Prune', { filters: [] })).json) as { NetworksDeleted?: string[] };
    const vs = flags.volumes
      ? JSON.parse((await call<object, JsonDocument__Output>(c.volumes, 'Prune', { all: false })).json) as { VolumesDeleted?: string[]; SpaceReclaimed?: number }
      : { VolumesDeleted: [], SpaceReclaimed: 0 };
    const is = JSON.parse((await call<object, JsonDocument__Output>(c.images, 'Prune', { all: flags.all })).json) as ImagePruneReport;
    if (cs.ContainersDeleted.length) process.stdout.write(`Deleted Containers:\n${cs.ContainersDeleted.map((id) => id + '\n').join('')}\n`);
    if (ns.NetworksDeleted?.length) process.stdout.write(`Deleted Networks:\n${ns.NetworksDeleted.map((n) => n + '\n').join('')}\n`);
    if (vs.VolumesDeleted?.length) process.stdout.write(`Deleted Volumes:\n${vs.VolumesDeleted.map((v) => v + '\n').join('')}\n`);
    process.stdout.write(deletedImagesText(is));
    process.stdout.write(`Total reclaimed space: ${humanSize(cs.SpaceReclaimed + (vs.SpaceReclaimed ?? 0) + is.SpaceReclaimed)}\n`);
  }
}
