import { Args, Flags } from '@oclif/core';
import { KctlCommand } from '../cli/base.js';
import { call } from '../cli/client.js';
import { forEachContainer } from '../cli/each.js';

export default class Stop extends KctlCommand {
  static override summary = 'Stop one or more running containers (stop signal, then SIGKILL after the timeout)';
  static override usage = 'stop [OPTIONS] CONTAINER [CONTAINER...]';
  static override strict = false;
  static override aliases = ['container:stop'];
  static override args = { container: Args.string({ required: true, description: 'Container name or id' }) };
  static override examples = [{ description: 'Give the container 2 seconds to exit before it is killed', command: '<%= config.bin %> stop --time 2 web' }];
  static override flags = {
    time: Flags.integer({ char: 't', description: 'Seconds to wait before killing the container' }),
    signal: Flags.string({ char: 's', description: 'Signal to send to the container' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Stop);
    const c = await this.daemon();
    const code = await forEachContainer(argv as string[], async (id) => {
      if (flags.signal) await call(c.containers, 'Kill', { id, signal: flags.signal });
      await call(c.containers, 'Stop', { id, timeout: flags.time ?? -1 });
    });
    if (code) this.exit(code);
  }
}
