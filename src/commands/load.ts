import fs from 'node:fs';
import { Flags } from '@oclif/core';
import type { ClientWritableStream } from '@grpc/grpc-js';
import { KctlCommand } from '../cli/base.js';
import { fromGrpcError } from '../api/grpc/status.js';
import { invalidArgument } from '../core/errors.js';
import type { LoadResponse__Output } from '../api/gen/kctl/v1/LoadResponse.js';

export default class Load extends KctlCommand {
  static override summary = 'Load an image from a tar archive (docker-archive or OCI archive) or STDIN';
  static override usage = 'load [OPTIONS]';
  static override aliases = ['image:load'];
  static override examples = [
    { description: 'Load an archive made by `docker save`', command: '<%= config.bin %> load --input busybox.tar' },
    { description: 'From a pipe', command: 'gunzip -c busybox.tar.gz | <%= config.bin %> load' },
  ];
  static override flags = {
    input: Flags.string({ char: 'i', description: 'Read from tar archive file, instead of STDIN' }),
    quiet: Flags.boolean({ char: 'q', description: 'Suppress the load output' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Load);
    if (!flags.input && process.stdin.isTTY) {
      throw invalidArgument('requested load from stdin, but stdin is empty', { hint: 'use --input FILE or pipe an archive in' });
    }
    let input: NodeJS.ReadableStream;
    if (flags.input) {
      try {
        fs.accessSync(flags.input, fs.constants.R_OK);
      } catch {
        throw invalidArgument(`open ${flags.input}: no such file or directory`);
      }
      input = fs.createReadStream(flags.input, { highWaterMark: 1024 * 1024 });
    } else input = process.stdin;
    const c = await this.daemon();
    const res = await new Promise<LoadResponse__Output>((resolve, reject) => {
      const s = c.images.Load((err, r) => (err ? reject(fromGrpcError(err)) : resolve(r!))) as ClientWritableStream<{ data: Buffer }>;
      input.on('data', (chunk) => { if (!s.write({ data: chunk as Buffer })) { input.pause(); s.once('drain', () => input.resume()); } });
      input.on('end', () => s.end());
      input.on('error', (err) => { s.cancel(); reject(invalidArgument(`reading the archive: ${(err as Error).message}`)); });
    });
    if (!flags.quiet) process.stdout.write(res.loaded.map((l) => l + '\n').join(''));
  }
}
