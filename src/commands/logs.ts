import { Args, Flags } from '@oclif/core';
import type { ClientReadableStream } from '@grpc/grpc-js';
import { KctlCommand } from '../cli/base.js';
import { fromGrpcError } from '../api/grpc/status.js';
import type { LogEntry__Output } from '../api/gen/kctl/v1/LogEntry.js';

export default class Logs extends KctlCommand {
  static override summary = 'Fetch the logs of a container (stdout to stdout, stderr to stderr)';
  static override usage = 'logs [OPTIONS] CONTAINER';
  static override aliases = ['container:logs'];
  static override args = { container: Args.string({ required: true, description: 'Container name or id' }) };
  static override examples = [
    { description: 'Follow the output, starting with the last 10 lines', command: '<%= config.bin %> logs --follow --tail 10 web' },
    { description: 'Output of the last 5 minutes with timestamps', command: '<%= config.bin %> logs --since 5m --timestamps web' },
  ];
  static override flags = {
    follow: Flags.boolean({ char: 'f', description: 'Follow log output' }),
    tail: Flags.string({ char: 'n', description: 'Number of lines to show from the end of the logs', default: 'all' }),
    timestamps: Flags.boolean({ char: 't', description: 'Show timestamps' }),
    since: Flags.string({ description: 'Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)' }),
    until: Flags.string({ description: 'Show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Logs);
    const c = await this.daemon();
    await new Promise<void>((resolve, reject) => {
      const s = c.containers.Logs({
        id: args.container, follow: flags.follow, stdout: true, stderr: true, tail: flags.tail,
        since: flags.since ?? '', until: flags.until ?? '', timestamps: flags.timestamps,
      }) as ClientReadableStream<LogEntry__Output>;
      s.on('data', (e: LogEntry__Output) => {
        const out = e.stream === 'stderr' ? process.stderr : process.stdout;
        if (flags.timestamps) out.write(`${e.time} `);
        if (!out.write(e.data)) { s.pause(); out.once('drain', () => s.resume()); }
      });
      s.on('end', () => resolve());
      s.on('error', (err) => reject(fromGrpcError(err)));
      process.once('SIGINT', () => { s.cancel(); resolve(); });
    });
  }
}
