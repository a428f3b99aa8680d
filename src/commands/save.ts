import fs from 'node:fs';
import { Args, Flags } from '@oclif/core';
import type { ClientReadableStream } from '@grpc/grpc-js';
import { KctlCommand } from '../cli/base.js';
import { fromGrpcError } from '../api/grpc/status.js';
import { invalidArgument } from '../core/errors.js';

export default class Save extends KctlCommand {
  static override summary = 'Save one or more images to a tar archive (streamed to STDOUT by default)';
  static override usage = 'save [OPTIONS] IMAGE [IMAGE...]';
  static override strict = false;
  static override aliases = ['image:save'];
  static override args = { image: Args.string({ required: true, description: 'Image name or id' }) };
  static override examples = [
    { description: 'A docker-archive, as `docker save` writes it', command: '<%= config.bin %> save --output busybox.tar busybox' },
    { description: 'An OCI archive', command: '<%= config.bin %> save --format oci-archive --output busybox.oci.tar busybox' },
  ];
  static override flags = {
    output: Flags.string({ char: 'o', description: 'Write to a file, instead of STDOUT' }),
    format: Flags.string({ description: 'Archive format', options: ['docker-archive', 'oci-archive'], default: 'docker-archive' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Save);
    if (!flags.output && process.stdout.isTTY) {
      throw invalidArgument('cowardly refusing to save to a terminal. Use the -o flag or redirect');
    }
    const c = await this.daemon();
    const tmp = flags.output ? `${flags.output}.kctl-partial` : undefined;
    const out = tmp ? fs.createWriteStream(tmp, { mode: 0o644 }) : process.stdout;
    try {
      await new Promise<void>((resolve, reject) => {
        const s = c.images.Save({ references: argv as string[], format: flags.format }) as ClientReadableStream<{ data: Buffer }>;
        s.on('data', (m: { data: Buffer }) => { if (!out.write(m.data)) { s.pause(); out.once('drain', () => s.resume()); } });
        s.on('end', () => resolve());
        s.on('error', (err) => reject(fromGrpcError(err)));
      });
      if (tmp) {
        await new Promise<void>((r, j) => (out as fs.WriteStream).end((e?: Error | null) => (e ? j(e) : r())));
        fs.renameSync(tmp, flags.output!);
      }
    } catch (err) {
      if (tmp) fs.rmSync(tmp, { force: true });
      throw err;
    }
  }
}
