/** The CLI's side of the error vocabulary: exit codes as Docker's, and how errors are printed. */
import type { ErrorKind } from '../core/errors.js';
import { KctlError, toKctlError } from '../core/errors.js';

/** 125: kctl failed; 126: the command cannot be invoked; 127: the command was not found. */
export function exitCodeFor(kind: ErrorKind): number {
  if (kind === 'command_not_found') return 127;
  if (kind === 'cannot_invoke') return 126;
  return 125;
}

export function formatError(err: unknown): string {
  const e = err instanceof KctlError ? err : toKctlError(err);
  let out = `kctl: ${e.message}`;
  if (e.kind === 'internal') out += '\n  (this is a bug in kctl: please report it with the output of `kctl info`)';
  if (e.detail) out += '\n' + e.detail.split('\n').map((l) => `  | ${l}`).join('\n');
  if (e.hint) out += `\n  hint: ${e.hint}`;
  return out;
}
