import { Args, Flags } from '@oclif/core';
import { KctlCommand } from '../cli/base.js';
import { call } from '../cli/client.js';
import { forEachContainer } from '../cli/each.js';

export default class Rm extends KctlCommand {
  static override summary = 'Remove one or more containers, their VMs and their writable layers';
  static override usage = 'rm [OPTIONS] CONTAINER [CONTAINER...]';
  static override strict = false;
  static override aliases = ['container:rm', 'container:remove'];
  static override args = { container: Args.string({ required: true, description: 'Container name or id' }) };
  static override examples = [{ description: 'Remove a running container', command: '<%= config.bin %> rm --force web' }];
  static override flags = { force: Flags.boolean({ char: 'f', description: 'Force the removal of a running container (uses SIGKILL)' }) };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Rm);
    const c = await this.daemon();
    const code = await forEachContainer(argv as string[], (id) => call(c.containers, 'Remove', { id, force: flags.force }));
    if (code) this.exit(code);
  }
}
