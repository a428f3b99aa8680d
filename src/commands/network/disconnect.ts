import { Args, Flags } from '@oclif/core';
import { KctlCommand } from '../../cli/base.js';
import { call } from '../../cli/client.js';

export default class NetworkDisconnect extends KctlCommand {
  static override summary = 'Disconnect a container from a network';
  static override description = 'The container must not be running.';
  static override usage = 'network disconnect [OPTIONS] NETWORK CONTAINER';
  static override args = {
    network: Args.string({ required: true, description: 'Network name or id' }),
    container: Args.string({ required: true, description: 'Container name or id' }),
  };
  static override flags = { force: Flags.boolean({ char: 'f', description: 'Force the container to disconnect from a network (also one that was removed)' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(NetworkDisconnect);
    const c = await this.daemon();
    await call(c.networks, 'Disconnect', { network: args.network, container: args.container, force: flags.force });
  }
}
