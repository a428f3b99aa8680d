import { Args } from '@oclif/core';
import { KctlCommand } from '../cli/base.js';
import { call } from '../cli/client.js';
import type { WaitContainerResponse__Output } from '../api/gen/kctl/v1/WaitContainerResponse.js';

export default class Wait extends KctlCommand {
  static override summary = 'Block until one or more containers stop, then print their exit codes';
  static override usage = 'wait CONTAINER [CONTAINER...]';
  static override strict = false;
  static override aliases = ['container:wait'];
  static override args = { container: Args.string({ required: true, description: 'Container name or id' }) };
  static override examples = [{ description: 'Wait for a container', command: '<%= config.bin %> wait job' }];

  async run(): Promise<void> {
    const { argv } = await this.parse(Wait);
    const c = await this.daemon();
    let failed = 0;
    for (const id of argv as string[]) {
      try {
        const res = await call<object, WaitContainerResponse__Output>(c.containers, 'Wait', { id, condition: 'not-running' });
        process.stdout.write(`${res.exitCode}\n`);
      } catch (err) {
        failed++;
        process.stderr.write(`Error response from daemon: ${(err as Error).message}\n`);
      }
    }
    if (failed) this.exit(1);
  }
}
