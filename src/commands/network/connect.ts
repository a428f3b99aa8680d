import { Args, Flags } from '@oclif/core';
import { KctlCommand } from '../../cli/base.js';
import { call } from '../../cli/client.js';

export default class NetworkConnect extends KctlCommand {
  static override summary = 'Connect a container to a network';
  static override description = 'The container must not be running: its VM gets the new network card when it starts next.';
  static override usage = 'network connect [OPTIONS] NETWORK CONTAINER';
  static override args = {
    network: Args.string({ required: true, description: 'Network name or id' }),
    container: Args.string({ required: true, description: 'Container name or id' }),
  };
  static override flags = {
    alias: Flags.string({ description: 'Add network-scoped alias for the container', multiple: true, multipleNonGreedy: true }),
    ip: Flags.string({ description: 'IPv4 address (e.g., 172.30.100.104)' }),
  };
  static override examples = [{ description: 'A stopped container joins a second network under an extra name', command: '<%= config.bin %> network connect --alias db backend pg' }];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(NetworkConnect);
    const c = await this.daemon();
    await call(c.networks, 'Connect', { network: args.network, container: args.container, aliases: flags.alias ?? [], ip: flags.ip ?? '' });
  }
}
