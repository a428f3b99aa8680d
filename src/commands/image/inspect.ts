import { Args, Flags } from '@oclif/core';
import { KctlCommand } from '../../cli/base.js';
import { call } from '../../cli/client.js';
import { renderFormat } from '../../cli/output.js';
import type { JsonDocument__Output } from '../../api/gen/kctl/v1/JsonDocument.js';

export default class ImageInspect extends KctlCommand {
  static override summary = 'Display detailed information on one or more images';
  static override usage = 'image inspect [OPTIONS] IMAGE [IMAGE...]';
  static override strict = false;
  static override args = { image: Args.string({ required: true, description: 'Image name or id' }) };
  static override examples = [{ description: "An image's entrypoint and command", command: "<%= config.bin %> image inspect --format '{{json .Config.Entrypoint}} {{json .Config.Cmd}}' nginx" }];
  static override flags = { format: Flags.string({ char: 'f', description: 'Format output using a custom template' }) };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ImageInspect);
    const c = await this.daemon();
    const docs: object[] = [];
    let failed = 0;
    for (const ref of argv as string[]) {
      try {
        docs.push(JSON.parse((await call<object, JsonDocument__Output>(c.images, 'Inspect', { reference: ref })).json));
      } catch (err) {
        failed++;
        process.stderr.write(`Error: ${(err as Error).message}\n`);
      }
    }
    process.stdout.write(flags.format ? renderFormat(flags.format, docs) : JSON.stringify(docs, null, 4) + '\n');
    if (failed) this.exit(1);
  }
}
