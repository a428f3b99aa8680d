import { KctlCommand } from '../cli/base.js';
import { splitDockerArgv } from '../cli/argv.js';
import { containerFlags, toContainerConfig } from '../cli/container-flags.js';
import { createContainer } from '../cli/images.js';
import { invalidArgument } from '../core/errors.js';

export default class Create extends KctlCommand {
  static override summary = 'Create a new container (its VM boots at start)';
  static override usage = 'create [OPTIONS] IMAGE [COMMAND] [ARG...]';
  static override strict = false;
  static override aliases = ['container:create'];
  static override examples = [
    { description: 'Create a container, then start it attached', command: '<%= config.bin %> create --name hello busybox echo hi && <%= config.bin %> start --attach hello' },
  ];
  static override flags = containerFlags;

  async run(): Promise<void> {
    const { options, positionals } = splitDockerArgv(this.argv, Create.flags);
    const { flags } = await this.parse(Create, options);
    const [image, ...cmd] = positionals;
    if (!image) throw invalidArgument('"kctl create" requires at least 1 argument.', { hint: "usage: kctl create [OPTIONS] IMAGE [COMMAND] [ARG...]" });
    const config = toContainerConfig(flags, image, cmd);
    const c = await this.daemon();
    const res = await createContainer(c, config, { pull: flags.pull, quiet: flags.quiet, platform: flags.platform });
    for (const w of res.warnings) process.stderr.write(`WARNING: ${w}\n`);
    process.stdout.write(res.id + '\n');
  }
}
