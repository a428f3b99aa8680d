import { Args, Flags } from '@oclif/core';
import { KctlCommand } from '../cli/base.js';
import { call } from '../cli/client.js';
import { attach } from '../cli/attach.js';
import { isolationLine } from '../cli/isolation.js';
import { attachShape } from '../cli/container-info.js';
import type { StartContainerResponse__Output } from '../api/gen/kctl/v1/StartContainerResponse.js';

export default class Start extends KctlCommand {
  static override summary = 'Start one or more stopped containers';
  static override usage = 'start [OPTIONS] CONTAINER [CONTAINER...]';
  static override strict = false;
  static override aliases = ['container:start'];
  static override args = { container: Args.string({ required: true, description: 'Container name or id' }) };
  static override examples = [
    { description: 'Start a container in the background', command: '<%= config.bin %> start web' },
    { description: 'Start and attach to its output; exits with its exit code', command: '<%= config.bin %> start --attach hello' },
  ];
  static override flags = {
    attach: Flags.boolean({ char: 'a', description: "Attach STDOUT/STDERR and forward signals" }),
    interactive: Flags.boolean({ char: 'i', description: "Attach container's STDIN" }),
    quiet: Flags.boolean({ char: 'q', description: 'Do not print the isolation report' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Start);
    const c = await this.daemon();
    if (flags.attach || flags.interactive) {
      const shape = await attachShape(c, argv[0] as string);
      const res = await attach(c, {
        id: shape.id, start: true, stdin: flags.interactive && shape.openStdin, tty: shape.tty, stdinOnce: flags.interactive && !shape.tty,
        onStarted: (iso) => { if (!flags.quiet) process.stderr.write(isolationLine(iso) + (shape.tty ? '\r\n' : '\n')); },
      });
      if (res.kind === 'exited' && res.code !== 0) this.exit(res.code);
      return;
    }
    let failed = 0;
    for (const id of argv as string[]) {
      try {
        const res = await call<object, StartContainerResponse__Output>(c.containers, 'Start', { id });
        if (!flags.quiet && res.isolation) process.stderr.write(isolationLine(res.isolation) + '\n');
        process.stdout.write(id + '\n');
      } catch (err) {
        failed++;
        process.stderr.write(`Error response from daemon: ${(err as Error).message}\n`);
      }
    }
    if (failed) this.exit(1);
  }
}
