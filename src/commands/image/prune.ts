import { Flags } from '@oclif/core';
import { KctlCommand } from '../../cli/base.js';
import { call } from '../../cli/client.js';
import { confirm } from '../../cli/prompt.js';
import { humanSize } from '../../cli/units.js';
import type { JsonDocument__Output } from '../../api/gen/kctl/v1/JsonDocument.js';

export interface ImagePruneReport {
  ImagesDeleted: Array<{ Untagged?: string; Deleted?: string }>;
  SpaceReclaimed: number;
}

/** Docker's "Deleted Images:" block (empty when nothing was deleted); system prune prints it too. */
export function deletedImagesText(res: ImagePruneReport): string {
  if (!res.ImagesDeleted.length) return '';
  return 'Deleted Images:\n' + res.ImagesDeleted.map((d) => (d.Untagged ? `untagged: ${d.Untagged}\n` : `deleted: ${d.Deleted}\n`)).join('') + '\n';
}

export function printImagePrune(res: ImagePruneReport): void {
  process.stdout.write(deletedImagesText(res));
  process.stdout.write(`Total reclaimed space: ${humanSize(res.SpaceReclaimed)}\n`);
}

export default class ImagePrune extends KctlCommand {
  static override summary = 'Remove unused images, and the layers and blobs no image references';
  static override usage = 'image prune [OPTIONS]';
  static override examples = [
    { description: 'Remove dangling images (no tag), after a confirmation', command: '<%= config.bin %> image prune' },
    { description: 'Remove every image no container uses, without the question', command: '<%= config.bin %> image prune --all --force' },
  ];
  static override flags = {
    all: Flags.boolean({ char: 'a', description: 'Remove all unused images, not just dangling ones' }),
    force: Flags.boolean({ char: 'f', description: 'Do not prompt for confirmation' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ImagePrune);
    const warning = flags.all
      ? 'WARNING! This will remove all images without at least one container associated to them.'
      : 'WARNING! This will remove all dangling images.';
    if (!(await confirm(warning, { force: flags.force, command: 'image prune' }))) return;
    const c = await this.daemon();
    printImagePrune(JSON.parse((await call<object, JsonDocument__Output>(c.images, 'Prune', { all: flags.all })).json));
  }
}
