import { Args } from '@oclif/core';
import { KctlCommand } from '../cli/base.js';
import { call } from '../cli/client.js';
import { renderTable } from '../cli/output.js';

export default class Top extends KctlCommand {
  static override summary = 'Display the running processes of a container';
  static override description = 'The processes are listed from the container\'s VM, so this works for every image. PIDs are the VM\'s. ps options: -ef (default) or aux.';
  static override usage = 'top CONTAINER [ps OPTIONS]';
  static override strict = false;
  static override aliases = ['container:top'];
  static override args = { container: Args.string({ required: true, description: 'Container name or id' }) };
  static override examples = [
    { description: 'The processes of a container', command: '<%= config.bin %> top web' },
    { description: 'With memory columns', command: '<%= config.bin %> top web aux' },
  ];

  async run(): Promise<void> {
    const { argv } = await this.parse(Top);
    const [id, ...psArgs] = argv as string[];
    const c = await this.daemon();
    const res = await call<object, { json: string }>(c.containers, 'Top', { id, psArgs });
    const doc = JSON.parse(res.json) as { Titles: string[]; Processes: string[][] };
    process.stdout.write(renderTable(doc.Titles, doc.Processes));
  }
}
