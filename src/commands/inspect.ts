import { Args, Flags } from '@oclif/core';
import { KctlCommand } from '../cli/base.js';
import { call, type Clients } from '../cli/client.js';
import { renderFormat } from '../cli/output.js';
import { isKctlError, notFound } from '../core/errors.js';
import type { JsonDocument__Output } from '../api/gen/kctl/v1/JsonDocument.js';

export default class Inspect extends KctlCommand {
  static override summary = 'Return low-level information on containers or images, as a JSON array';
  static override description = "A container's document carries an `Isolation` object read from its live VM: Kind, Hypervisor, Machine, Accelerator, AcceleratorReason, GuestKernel, VCPUs, MemoryMiB, RootfsShare, AgentChannel, VMPid, VMUid (the uid QEMU runs as).";
  static override usage = 'inspect [OPTIONS] NAME|ID [NAME|ID...]';
  static override strict = false;
  static override aliases = ['container:inspect'];
  static override args = { name: Args.string({ required: true, description: 'Container or image name or id' }) };
  static override examples = [
    { description: 'The guest kernel a container runs on', command: "<%= config.bin %> inspect --format '{{.Isolation.GuestKernel}}' web" },
    { description: 'State of a container', command: "<%= config.bin %> inspect --format '{{.State.Status}} {{.State.ExitCode}}' web" },
  ];
  static override flags = {
    format: Flags.string({ char: 'f', description: 'Format output using a custom template' }),
    type: Flags.string({ description: 'Return JSON for specified type', options: ['container', 'image'] }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Inspect);
    const c = await this.daemon();
    const docs: object[] = [];
    let failed = 0;
    for (const ref of argv as string[]) {
      try {
        docs.push(await this.lookup(c, ref, flags.type));
      } catch (err) {
        failed++;
        process.stderr.write(`Error: ${(err as Error).message}\n`);
      }
    }
    if (flags.format) process.stdout.write(renderFormat(flags.format, docs));
    else process.stdout.write(JSON.stringify(docs, null, 4) + '\n');
    if (failed) this.exit(1);
  }

  private async lookup(c: Clients, ref: string, type?: string): Promise<object> {
    if (type !== 'image') {
      try {
        return JSON.parse((await call<object, JsonDocument__Output>(c.containers, 'Inspect', { id: ref })).json);
      } catch (err) {
        if (!isKctlError(err, 'not_found') || type === 'container') throw err;
      }
    }
    try {
      return JSON.parse((await call<object, JsonDocument__Output>(c.images, 'Inspect', { reference: ref })).json);
    } catch (err) {
      if (isKctlError(err, 'not_found') || isKctlError(err, 'invalid_argument')) throw notFound(`No such object: ${ref}`);
      throw err;
    }
  }
}
