import { Flags } from '@oclif/core';
import { KctlCommand } from '../cli/base.js';
import { splitDockerArgv } from '../cli/argv.js';
import { attach, parseDetachKeys } from '../cli/attach.js';
import { expandEnv } from '../cli/container-flags.js';
import { invalidArgument } from '../core/errors.js';

export default class Exec extends KctlCommand {
  static override summary = "Execute a command in a running container (in its namespaces, inside its VM)";
  static override usage = 'exec [OPTIONS] CONTAINER COMMAND [ARG...]';
  static override strict = false;
  static override aliases = ['container:exec'];
  static override examples = [
    { description: 'A shell in a running container', command: '<%= config.bin %> exec --interactive --tty web sh' },
    { description: 'One command, with its exit code', command: "<%= config.bin %> exec web sh -c 'test -f /etc/nginx/nginx.conf'" },
    { description: 'As another user, in another directory', command: '<%= config.bin %> exec --user app --workdir /tmp web id' },
  ];
  static override flags = {
    interactive: Flags.boolean({ char: 'i', description: 'Keep STDIN open even if not attached' }),
    tty: Flags.boolean({ char: 't', description: 'Allocate a pseudo-TTY' }),
    detach: Flags.boolean({ char: 'd', description: 'Detached mode: run command in the background' }),
    env: Flags.string({ char: 'e', description: 'Set environment variables', multiple: true, multipleNonGreedy: true }),
    'env-file': Flags.string({ description: 'Read in a file of environment variables', multiple: true, multipleNonGreedy: true }),
    workdir: Flags.string({ char: 'w', description: 'Working directory inside the container' }),
    user: Flags.string({ char: 'u', description: 'Username or UID (format: "<name|uid>[:<group|gid>]")' }),
    privileged: Flags.boolean({ description: 'Give extended privileges to the command (not supported: refused)' }),
    'detach-keys': Flags.string({ description: 'Override the key sequence for detaching a container', default: 'ctrl-p,ctrl-q' }),
  };

  async run(): Promise<void> {
    const { options, positionals } = splitDockerArgv(this.argv, Exec.flags);
    const { flags } = await this.parse(Exec, options);
    const [container, ...cmd] = positionals;
    if (!container || cmd.length === 0) throw invalidArgument('"kctl exec" requires at least 2 arguments.', { hint: 'usage: kctl exec [OPTIONS] CONTAINER COMMAND [ARG...]' });
    const { readEnvFile } = await import('../cli/container-flags.js');
    const env = [...(flags['env-file'] ?? []).flatMap(readEnvFile), ...expandEnv(flags.env ?? [])];
    const c = await this.daemon();
    const res = await attach(c, {
      id: container, start: false, stdin: flags.interactive && !flags.detach, tty: flags.tty, stdinOnce: true,
      detachKeys: parseDetachKeys(flags['detach-keys']),
      exec: {
        container, cmd, env, workingDir: flags.workdir ?? '', user: flags.user ?? '', tty: flags.tty,
        stdin: flags.interactive, detach: flags.detach, privileged: flags.privileged, rows: 0, cols: 0,
      },
    });
    if (res.kind === 'exited' && res.code !== 0) this.exit(res.code);
  }
}
