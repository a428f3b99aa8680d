import { Args, Flags } from '@oclif/core';
import { KctlCommand } from '../../cli/base.js';
import { call } from '../../cli/client.js';
import { parseLabels } from '../../cli/container-flags.js';
import type { JsonDocument__Output } from '../../api/gen/kctl/v1/JsonDocument.js';

export default class NetworkCreate extends KctlCommand {
  static override summary = 'Create a network';
  static override description = 'Containers on one network reach each other by name and alias over a virtual switch between their VMs.';
  static override usage = 'network create [OPTIONS] NETWORK';
  static override args = { name: Args.string({ required: true, description: 'Network name' }) };
  static override flags = {
    driver: Flags.string({ char: 'd', description: 'Driver to manage the Network (bridge only)', default: 'bridge' }),
    subnet: Flags.string({ description: 'Subnet in CIDR format that represents a network segment (e.g., 172.30.0.0/16)' }),
    gateway: Flags.string({ description: 'IPv4 Gateway for the subnet' }),
    internal: Flags.boolean({ description: 'Restrict external access to the network' }),
    attachable: Flags.boolean({ description: 'Enable manual container attachment' }),
    label: Flags.string({ description: 'Set metadata on a network (key=value)', multiple: true, multipleNonGreedy: true }),
  };
  static override examples = [
    { description: 'Two containers that reach each other by name', command: '<%= config.bin %> network create app && <%= config.bin %> run -d --network app --name web nginx && <%= config.bin %> run --rm --network app busybox wget -qO- http://web/' },
    { description: 'A chosen subnet', command: '<%= config.bin %> network create --subnet 172.30.0.0/16 --gateway 172.30.0.254 app' },
  ];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(NetworkCreate);
    const c = await this.daemon();
    const res = await call<object, JsonDocument__Output>(c.networks, 'Create', {
      name: args.name, driver: flags.driver, subnet: flags.subnet ?? '', gateway: flags.gateway ?? '',
      internal: flags.internal, attachable: flags.attachable, labels: parseLabels(flags.label),
    });
    process.stdout.write(`${(JSON.parse(res.json) as { Id: string }).Id}\n`);
  }
}
