import { Args, Flags } from '@oclif/core';
import { KctlCommand } from '../../cli/base.js';
import { call } from '../../cli/client.js';

export default class VolumeRm extends KctlCommand {
  static override summary = 'Remove one or more volumes';
  static override usage = 'volume rm [OPTIONS] VOLUME [VOLUME...]';
  static override aliases = ['volume:remove'];
  static override strict = false;
  static override args = { name: Args.string({ required: true, description: 'Volume name' }) };
  static override flags = { force: Flags.boolean({ char: 'f', description: 'Do not fail when the volume does not exist' }) };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(VolumeRm);
    const c = await this.daemon();
    let failed = 0;
    for (const name of argv as string[]) {
      try {
        await call(c.volumes, 'Remove', { name, force: flags.force });
        process.stdout.write(`${name}\n`);
      } catch (err) {
        failed++;
        process.stderr.write(`Error response from daemon: ${(err as Error).message}\n`);
      }
    }
    if (failed) this.exit(1);
  }
}
