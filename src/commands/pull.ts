import { Args, Flags } from '@oclif/core';
import { KctlCommand } from '../cli/base.js';
import { pullWithProgress } from '../cli/pull.js';
import { credentialsFor } from '../cli/auth.js';

export default class Pull extends KctlCommand {
  static override summary = 'Download an image from a registry';
  static override usage = 'pull [OPTIONS] NAME[:TAG|@DIGEST]';
  static override aliases = ['image:pull'];
  static override args = { name: Args.string({ required: true, description: 'Image reference: NAME[:TAG|@DIGEST]' }) };
  static override examples = [
    { description: 'From the configured registry mirrors, then Docker Hub', command: '<%= config.bin %> pull busybox' },
    { description: 'By digest from a local registry', command: '<%= config.bin %> pull localhost:5000/app@sha256:0123…' },
  ];
  static override flags = {
    quiet: Flags.boolean({ char: 'q', description: 'Suppress verbose output' }),
    'all-tags': Flags.boolean({ char: 'a', description: 'Download all tagged images in the repository' }),
    platform: Flags.string({ description: 'Set platform if server is multi-platform capable (os/arch[/variant])' }),
    progress: Flags.string({ description: 'Progress output: auto (spinner on a terminal, plain lines otherwise), plain, json', options: ['auto', 'plain', 'json'], default: 'auto' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Pull);
    const c = await this.daemon();
    const auth = await credentialsFor(args.name);
    await pullWithProgress(c, args.name, { quiet: flags.quiet, platform: flags.platform, auth, json: flags.progress === 'json', allTags: flags['all-tags'] });
    // As docker pull: the fully-qualified name on stdout (progress went to stderr).
    const { normalizeReference, parseNormalizedReference, referenceString } = await import('../core/images/reference.js');
    process.stdout.write((flags['all-tags'] ? referenceString(parseNormalizedReference(args.name)) : referenceString(normalizeReference(args.name))) + '\n');
  }
}
