import { Args } from '@oclif/core';
import { KctlCommand } from '../cli/base.js';
import { call } from '../cli/client.js';

export default class Tag extends KctlCommand {
  static override summary = 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE';
  static override usage = 'tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]';
  static override aliases = ['image:tag'];
  static override args = {
    source: Args.string({ required: true, description: 'SOURCE_IMAGE[:TAG]' }),
    target: Args.string({ required: true, description: 'TARGET_IMAGE[:TAG]' }),
  };
  static override examples = [{ description: 'Tag an image for a local registry', command: '<%= config.bin %> tag busybox localhost:5000/tools/busybox:1' }];

  async run(): Promise<void> {
    const { args } = await this.parse(Tag);
    const c = await this.daemon();
    await call(c.images, 'Tag', { source: args.source, target: args.target });
  }
}
