import { Args, Flags } from '@oclif/core';
import { KctlCommand } from '../../cli/base.js';
import { call } from '../../cli/client.js';
import { isKctlError } from '../../core/errors.js';

export default class NetworkRm extends KctlCommand {
  static override summary = 'Remove one or more networks';
  static override usage = 'network rm NETWORK [NETWORK...]';
  static override aliases = ['network:remove'];
  static override strict = false;
  static override args = { name: Args.string({ required: true, description: 'Network name or id' }) };
  static override flags = { force: Flags.boolean({ char: 'f', description: 'Do not error if the network does not exist' }) };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(NetworkRm);
    const c = await this.daemon();
    let failed = 0;
    for (const name of argv as string[]) {
      try {
        await call(c.networks, 'Remove', { name });
        process.stdout.write(`${name}\n`);
      } catch (err) {
        if (flags.force && isKctlError(err, 'not_found')) continue;
        failed++;
        process.stderr.write(`Error response from daemon: ${(err as Error).message}\n`);
      }
    }
    if (failed) this.exit(1);
  }
}
