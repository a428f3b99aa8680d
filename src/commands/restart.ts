import { Args, Flags } from '@oclif/core';
import { KctlCommand } from '../cli/base.js';
import { call } from '../cli/client.js';
import { forEachContainer } from '../cli/each.js';

export default class Restart extends KctlCommand {
  static override summary = 'Restart one or more containers (a fresh VM each time)';
  static override usage = 'restart [OPTIONS] CONTAINER [CONTAINER...]';
  static override strict = false;
  static override aliases = ['container:restart'];
  static override args = { container: Args.string({ required: true, description: 'Container name or id' }) };
  static override examples = [{ description: 'Restart a container', command: '<%= config.bin %> restart web' }];
  static override flags = { time: Flags.integer({ char: 't', description: 'Seconds to wait before killing the container' }) };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Restart);
    const c = await this.daemon();
    const code = await forEachContainer(argv as string[], (id) => call(c.containers, 'Restart', { id, timeout: flags.time ?? -1 }));
    if (code) this.exit(code);
  }
}
