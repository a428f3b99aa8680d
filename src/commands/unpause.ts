import { Args } from '@oclif/core';
import { KctlCommand } from '../cli/base.js';
import { call } from '../cli/client.js';
import { forEachContainer } from '../cli/each.js';

export default class Unpause extends KctlCommand {
  static override summary = 'Unpause all processes within one or more containers';
  static override usage = 'unpause CONTAINER [CONTAINER...]';
  static override strict = false;
  static override aliases = ['container:unpause'];
  static override args = { container: Args.string({ required: true, description: 'Container name or id' }) };
  static override examples = [{ description: 'Thaw a paused container', command: '<%= config.bin %> unpause web' }];

  async run(): Promise<void> {
    const { argv } = await this.parse(Unpause);
    const c = await this.daemon();
    const code = await forEachContainer(argv as string[], (id) => call(c.containers, 'Unpause', { id }));
    if (code) this.exit(code);
  }
}
