import { Args, Flags } from '@oclif/core';
import { KctlCommand } from '../cli/base.js';
import { call } from '../cli/client.js';
import { forEachContainer } from '../cli/each.js';

export default class Kill extends KctlCommand {
  static override summary = 'Kill one or more running containers';
  static override usage = 'kill [OPTIONS] CONTAINER [CONTAINER...]';
  static override strict = false;
  static override aliases = ['container:kill'];
  static override args = { container: Args.string({ required: true, description: 'Container name or id' }) };
  static override examples = [{ description: 'Send SIGHUP', command: '<%= config.bin %> kill --signal HUP web' }];
  static override flags = { signal: Flags.string({ char: 's', description: 'Signal to send to the container', default: 'KILL' }) };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Kill);
    const c = await this.daemon();
    const code = await forEachContainer(argv as string[], (id) => call(c.containers, 'Kill', { id, signal: flags.signal }));
    if (code) this.exit(code);
  }
}
