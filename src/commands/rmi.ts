import { Args, Flags } from '@oclif/core';
import { KctlCommand } from '../cli/base.js';
import { call } from '../cli/client.js';
import type { RemoveImageResponse__Output } from '../api/gen/kctl/v1/RemoveImageResponse.js';

export default class Rmi extends KctlCommand {
  static override summary = 'Remove one or more images';
  static override usage = 'rmi [OPTIONS] IMAGE [IMAGE...]';
  static override strict = false;
  static override aliases = ['image:rm', 'image:remove'];
  static override args = { image: Args.string({ required: true, description: 'Image name or id' }) };
  static override examples = [{ description: 'Remove an image', command: '<%= config.bin %> rmi busybox' }];
  static override flags = { force: Flags.boolean({ char: 'f', description: 'Force removal of the image' }) };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Rmi);
    const c = await this.daemon();
    let failed = 0;
    for (const ref of argv as string[]) {
      try {
        const res = await call<object, RemoveImageResponse__Output>(c.images, 'Remove', { reference: ref, force: flags.force });
        for (const u of res.untagged) process.stdout.write(`Untagged: ${u}\n`);
        for (const d of res.deleted) process.stdout.write(`Deleted: ${d}\n`);
      } catch (err) {
        failed++;
        process.stderr.write(`Error response from daemon: ${(err as Error).message}\n`);
      }
    }
    if (failed) this.exit(1);
  }
}
