import { Args } from '@oclif/core';
import { KctlCommand } from '../cli/base.js';
import { call } from '../cli/client.js';
import { invalidArgument, notFound } from '../core/errors.js';
import type { PortList__Output } from '../api/gen/kctl/v1/PortList.js';

export default class Port extends KctlCommand {
  static override summary = 'List port mappings or a specific mapping for the container';
  static override usage = 'port CONTAINER [PRIVATE_PORT[/PROTO]]';
  static override args = {
    container: Args.string({ required: true, description: 'Container name or id' }),
    port: Args.string({ required: false, description: 'Container port, optionally with /tcp or /udp' }),
  };
  static override examples = [
    { description: 'All published ports of a container', command: '<%= config.bin %> port web' },
    { description: 'Where container port 80 is published', command: '<%= config.bin %> port web 80/tcp' },
  ];

  async run(): Promise<void> {
    const { args } = await this.parse(Port);
    const c = await this.daemon();
    const res = await call<object, PortList__Output>(c.containers, 'Port', { id: args.container });
    let ports = res.ports;
    if (args.port) {
      const m = /^(\d{1,5})(?:\/(tcp|udp))?$/i.exec(args.port);
      if (!m) throw invalidArgument(`invalid port "${args.port}": use PORT or PORT/PROTO`);
      const proto = (m[2] ?? 'tcp').toLowerCase();
      ports = ports.filter((p) => p.containerPort === Number(m[1]) && p.protocol === proto);
      if (!ports.length) throw notFound(`No public port '${m[1]}/${proto}' published for ${args.container}`);
      for (const p of ports) process.stdout.write(`${p.hostIp}:${p.hostPort}\n`);
      return;
    }
    for (const p of ports) process.stdout.write(`${p.containerPort}/${p.protocol} -> ${p.hostIp}:${p.hostPort}\n`);
  }
}
