import { Args, Flags } from '@oclif/core';
import { KctlCommand } from '../cli/base.js';
import { askSecret, askText } from '../cli/prompt.js';
import { failedPrecondition, invalidArgument } from '../core/errors.js';
import { defaultRoot, RootLayout } from '../core/paths.js';

async function readStdin(limit = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > limit) throw invalidArgument('the password on stdin is larger than 64 KiB');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export default class Login extends KctlCommand {
  static override summary = 'Log in to a registry (credentials are checked, then saved in ~/.docker/config.json)';
  static override description = `Defaults to Docker Hub. The credentials are checked against the registry first and saved only when it accepts them, in the same file (and credential helpers) the docker CLI uses, so both tools share logins. Registries listed under insecure-registries in the daemon's daemon.json, and loopback ones, are reached over plain HTTP.`;
  static override usage = 'login [OPTIONS] [SERVER]';
  static override args = { server: Args.string({ description: 'Registry host[:port] (default: Docker Hub)' }) };
  static override examples = [
    { description: 'Log in interactively', command: '<%= config.bin %> login localhost:5000' },
    { description: 'Non-interactively, the password from a file or a secret store', command: 'cat ~/pw.txt | <%= config.bin %> login --username alice --password-stdin registry.example.com' },
  ];
  static override flags = {
    username: Flags.string({ char: 'u', description: 'Username' }),
    password: Flags.string({ char: 'p', description: 'Password (insecure: it lands in the shell history; prefer --password-stdin)' }),
    'password-stdin': Flags.boolean({ description: 'Take the password from stdin' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Login);
    const server = args.server ?? 'docker.io';
    let { username, password } = flags;
    if (flags['password-stdin']) {
      if (password) throw invalidArgument('--password and --password-stdin are mutually exclusive');
      if (!username) throw invalidArgument('must provide --username with --password-stdin');
      password = await readStdin();
    } else if (password) {
      process.stderr.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
    }
    if (!username || !password) {
      if (!process.stdin.isTTY) {
        throw failedPrecondition('cannot perform an interactive login from a non TTY device', { hint: 'use --username with --password-stdin' });
      }
      username ||= (await askText('Username:')).trim();
      password ||= await askSecret('Password:');
    }
    const { login } = await import('../core/images/registry/credentials.js');
    const { loadDaemonConfig } = await import('../core/config.js');
    const config = await loadDaemonConfig(new RootLayout(defaultRoot()).daemonJson);
    const res = await login(server, username, password!, { config });
    process.stdout.write(`${res.status}\n`);
  }
}
