import { Args } from '@oclif/core';
import { KctlCommand } from '../cli/base.js';
import { completionScript } from '../cli/complete.js';

export default class Completion extends KctlCommand {
  static override summary = 'Print the shell completion script for bash, zsh or fish';
  static override description = `Completes commands, flags, flag values, and the names the daemon knows: running containers for logs, stop, exec, kill and restart; stopped ones for start and rm; images for run, create and rmi. Names are only offered while kctld runs: completion never starts it.`;
  static override usage = 'completion bash|zsh|fish';
  static override args = { shell: Args.string({ required: true, options: ['bash', 'zsh', 'fish'], description: 'The shell' }) };
  static override examples = [
    { description: 'bash, for this session', command: 'source <(<%= config.bin %> completion bash)' },
    { description: 'bash, for every session', command: '<%= config.bin %> completion bash > /etc/bash_completion.d/<%= config.bin %>' },
    { description: 'zsh', command: '<%= config.bin %> completion zsh > "${fpath[1]}/_<%= config.bin %>"' },
    { description: 'fish', command: '<%= config.bin %> completion fish > ~/.config/fish/completions/<%= config.bin %>.fish' },
  ];

  async run(): Promise<void> {
    const { args } = await this.parse(Completion);
    process.stdout.write(completionScript(args.shell as 'bash' | 'zsh' | 'fish', this.config.bin));
  }
}
