/**
 * The one place where kctl's error vocabulary becomes Docker Engine API HTTP statuses. The body is
 * Docker's: {"message": "..."}; the docker CLI prints it after "Error response from daemon: ".
 */
import { toKctlError, type ErrorKind, type KctlError } from '../../core/errors.js';

const STATUS: Partial<Record<ErrorKind, number>> = {
  invalid_argument: 400,
  not_found: 404,
  conflict: 409,
  permission_denied: 403,
  failed_precondition: 409, // Docker answers 409 for "is not running", "is paused"
  unavailable: 503,
  unimplemented: 501,
  // Docker reports a start that cannot run the command as a bad request (the CLI then exits 126/127).
  cannot_invoke: 400,
  command_not_found: 400,
};

export function httpStatusOf(kind: ErrorKind): number {
  return STATUS[kind] ?? 500;
}

/** Docker's message text. The docker CLI picks exit codes 126/127 from these phrases. */
export function dockerMessage(e: KctlError): string {
  let msg = e.message;
  if (e.kind === 'command_not_found' && !/executable file not found|no such file or directory/.test(msg)) {
    msg += ': executable file not found in $PATH';
  } else if (e.kind === 'cannot_invoke' && !/permission denied/.test(msg)) {
    msg += ': permission denied';
  }
  if (e.hint && e.kind !== 'not_found' && e.kind !== 'conflict') msg += ` (${e.hint})`;
  if (e.detail && e.kind === 'internal') msg += `: ${e.detail.split('\n').slice(-3).join(' | ')}`;
  return msg;
}

export function errorResponse(err: unknown): { status: number; body: { message: string } } {
  const e = toKctlError(err);
  return { status: httpStatusOf(e.kind), body: { message: dockerMessage(e) } };
}
