/**
 * The base of every kctl command: errors become one line on stderr (with the hint and the tail of
 * an external program's output) and Docker's exit codes.
 */
import { Command, Errors } from '@oclif/core';
import { KctlError, toKctlError } from '../core/errors.js';
import { exitCodeFor, formatError } from './exit.js';
import { connect, type Clients } from './client.js';

export abstract class KctlCommand extends Command {
  private clients?: Clients;

  /** The daemon's clients, started on first use. */
  protected async daemon(): Promise<Clients> {
    this.clients ??= await connect();
    return this.clients;
  }

  protected override async finally(err: Error | undefined): Promise<unknown> {
    this.clients?.close();
    return super.finally(err);
  }

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    // oclif's own exits (this.exit, --help) and flag-parsing errors keep their behaviour.
    if (err?.oclif?.exit !== undefined) throw err;
    // oclif's usage errors (unknown or invalid flags, missing or unexpected arguments) are CLIErrors.
    if (!(err instanceof KctlError) && err instanceof Errors.CLIError) {
      process.stderr.write(`kctl: ${err.message.split('\n')[0]}\nSee 'kctl ${this.id?.replace(/:/g, ' ')} --help'.\n`);
      process.exitCode = 125;
      return this.exit(125);
    }
    const e = toKctlError(err);
    process.stderr.write(formatError(e) + '\n');
    return this.exit(exitCodeFor(e.kind));
  }
}
