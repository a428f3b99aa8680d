import { Args, Flags } from '@oclif/core';
import { KctlCommand } from '../cli/base.js';
import { call } from '../cli/client.js';
import { forEachContainer } from '../cli/each.js';
import { parseRestartPolicy } from '../core/containers/restart.js';
import { invalidArgument } from '../core/errors.js';

export default class Update extends KctlCommand {
  static override summary = 'Update configuration of one or more containers';
  static override usage = 'update [OPTIONS] CONTAINER [CONTAINER...]';
  static override strict = false;
  static override aliases = ['container:update'];
  static override args = { container: Args.string({ required: true, description: 'Container name or id' }) };
  static override examples = [{ description: 'Keep a container running across failures and daemon restarts', command: '<%= config.bin %> update --restart unless-stopped web' }];
  static override flags = {
    restart: Flags.string({ description: 'Restart policy to apply when a container exits (no, on-failure[:max-retries], always, unless-stopped)' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Update);
    if (flags.restart === undefined) throw invalidArgument('you must provide one or more flags when using this command', { hint: 'e.g. kctl update --restart always CONTAINER' });
    const p = parseRestartPolicy(flags.restart);
    const c = await this.daemon();
    const code = await forEachContainer(argv as string[], (id) => call(c.containers, 'Update', { id, restartPolicy: { name: p.Name, maximumRetryCount: p.MaximumRetryCount } }));
    if (code) this.exit(code);
  }
}
