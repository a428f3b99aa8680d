import { Args } from '@oclif/core';
import { KctlCommand } from '../cli/base.js';
import { call } from '../cli/client.js';
import { forEachContainer } from '../cli/each.js';

export default class Pause extends KctlCommand {
  static override summary = 'Pause all processes within one or more containers (freezes their VMs)';
  static override usage = 'pause CONTAINER [CONTAINER...]';
  static override strict = false;
  static override aliases = ['container:pause'];
  static override args = { container: Args.string({ required: true, description: 'Container name or id' }) };
  static override examples = [{ description: 'Freeze a container', command: '<%= config.bin %> pause web' }];

  async run(): Promise<void> {
    const { argv } = await this.parse(Pause);
    const c = await this.daemon();
    const code = await forEachContainer(argv as string[], (id) => call(c.containers, 'Pause', { id }));
    if (code) this.exit(code);
  }
}
