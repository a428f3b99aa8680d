import { Args, Flags } from '@oclif/core';
import { KctlCommand } from '../cli/base.js';
import { attach, parseDetachKeys } from '../cli/attach.js';
import { attachShape } from '../cli/container-info.js';
import { failedPrecondition } from '../core/errors.js';

export default class Attach extends KctlCommand {
  static override summary = "Attach local standard input, output, and error streams to a running container";
  static override description = 'With a TTY, the local terminal is in raw mode until you detach (ctrl-p ctrl-q by default) or the container exits; ctrl-c goes to the container.';
  static override aliases = ['container:attach'];
  static override args = { container: Args.string({ required: true, description: 'Container name or id' }) };
  static override examples = [
    { description: 'Attach to a shell started with run -dit', command: '<%= config.bin %> attach box' },
    { description: 'Detach with ctrl-x instead of ctrl-p ctrl-q', command: '<%= config.bin %> attach --detach-keys ctrl-x box' },
  ];
  static override flags = {
    'no-stdin': Flags.boolean({ description: 'Do not attach STDIN' }),
    'detach-keys': Flags.string({ description: 'Override the key sequence for detaching a container', default: 'ctrl-p,ctrl-q' }),
    'sig-proxy': Flags.boolean({ description: 'Proxy all received signals to the process', default: true, allowNo: true }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Attach);
    const c = await this.daemon();
    const shape = await attachShape(c, args.container);
    if (!shape.running) throw failedPrecondition('You cannot attach to a stopped container, start it first');
    const res = await attach(c, {
      id: shape.id, start: false, stdin: shape.openStdin && !flags['no-stdin'], tty: shape.tty, stdinOnce: false,
      detachKeys: parseDetachKeys(flags['detach-keys']), sigProxy: flags['sig-proxy'],
    });
    if (res.kind === 'exited' && res.code !== 0) this.exit(res.code);
  }
}
