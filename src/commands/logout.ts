import { Args } from '@oclif/core';
import { KctlCommand } from '../cli/base.js';

export default class Logout extends KctlCommand {
  static override summary = 'Log out from a registry (removes its saved credentials)';
  static override usage = 'logout [SERVER]';
  static override args = { server: Args.string({ description: 'Registry host[:port] (default: Docker Hub)' }) };
  static override examples = [{ description: 'Forget the credentials of a local registry', command: '<%= config.bin %> logout localhost:5000' }];

  async run(): Promise<void> {
    const { args } = await this.parse(Logout);
    const { logout } = await import('../core/images/registry/credentials.js');
    const res = await logout(args.server ?? 'docker.io');
    if (res.removed) process.stdout.write(`Removing login credentials for ${res.serverAddress}\n`);
    else process.stderr.write(`Not logged in to ${res.serverAddress}\n`);
  }
}
