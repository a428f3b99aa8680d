import { Flags } from '@oclif/core';
import { KctlCommand } from '../cli/base.js';
import { call } from '../cli/client.js';
import { splitDockerArgv } from '../cli/argv.js';
import { containerFlags, toContainerConfig } from '../cli/container-flags.js';
import { attach, parseDetachKeys } from '../cli/attach.js';
import { isolationLine } from '../cli/isolation.js';
import { createContainer } from '../cli/images.js';
import { invalidArgument } from '../core/errors.js';
import type { StartContainerResponse__Output } from '../api/gen/kctl/v1/StartContainerResponse.js';

export default class Run extends KctlCommand {
  static override summary = 'Create and run a new container from an image, in its own VM';
  static override description = `Pulls the image if it is missing, boots a lightweight VM for the container (QEMU microvm; KVM when it is usable, software emulation otherwise), shares the image's root filesystem into it over virtio-fs, and runs the command inside.

Everything after IMAGE is the container's command and its arguments, untouched. kctl prints one line on stderr that says how the container is isolated (hypervisor, accelerator, guest kernel, vCPUs, memory); -q hides it.`;
  static override usage = 'run [OPTIONS] IMAGE [COMMAND] [ARG...]';
  static override strict = false;
  static override aliases = ['container:run'];
  static override examples = [
    { description: 'Run a command in a new container and remove it afterwards', command: '<%= config.bin %> run --rm busybox uname -r' },
    { description: 'Start nginx in the background; only the id is printed on stdout', command: '<%= config.bin %> run --detach --name web nginx' },
    { description: 'An interactive shell', command: '<%= config.bin %> run --interactive --tty --rm busybox sh' },
    { description: 'Environment, working directory and a bigger VM', command: '<%= config.bin %> run --rm --env GREETING=hi --workdir /tmp --memory 512m --cpus 2 busybox env' },
  ];
  static override flags = {
    ...containerFlags,
    detach: Flags.boolean({ char: 'd', description: 'Run container in background and print container ID' }),
    'detach-keys': Flags.string({ description: 'Override the key sequence for detaching a container', default: 'ctrl-p,ctrl-q' }),
  };

  async run(): Promise<void> {
    const { options, positionals } = splitDockerArgv(this.argv, Run.flags);
    const { flags } = await this.parse(Run, options);
    const [image, ...cmd] = positionals;
    if (!image) throw invalidArgument('"kctl run" requires at least 1 argument.', { hint: "usage: kctl run [OPTIONS] IMAGE [COMMAND] [ARG...]; see 'kctl run --help'" });
    const config = toContainerConfig(flags, image, cmd);
    const detachKeys = parseDetachKeys(flags['detach-keys']);
    const c = await this.daemon();
    const created = await createContainer(c, config, { pull: flags.pull, quiet: flags.quiet, platform: flags.platform });
    for (const w of created.warnings) process.stderr.write(`WARNING: ${w}\n`);
    const id = created.id;
    try {
      if (flags.detach) {
        const res = await call<object, StartContainerResponse__Output>(c.containers, 'Start', { id });
        if (!flags.quiet && res.isolation) process.stderr.write(isolationLine(res.isolation) + '\n');
        process.stdout.write(id + '\n');
        return;
      }
      const result = await attach(c, {
        id, start: true, stdin: flags.interactive, tty: flags.tty, stdinOnce: flags.interactive && !flags.tty, detachKeys,
        onStarted: (iso) => { if (!flags.quiet) process.stderr.write(isolationLine(iso) + (flags.tty ? '\r\n' : '\n')); },
      });
      if (result.kind === 'exited' && result.code !== 0) this.exit(result.code);
    } catch (err) {
      // Docker removes a --rm container that could not start.
      if (flags.rm) await call(c.containers, 'Remove', { id, force: true }).catch(() => undefined);
      throw err;
    }
  }
}
