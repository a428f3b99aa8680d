/**
 * kctl's one error vocabulary. The core throws KctlError with a kind; each boundary maps the kind
 * once: to a gRPC status (api/grpc), to a Docker API HTTP status (api/docker), to a CLI exit code
 * (cli/exit). Nobody matches on message strings.
 */
export type ErrorKind =
  | 'invalid_argument' // the caller's input is wrong (bad flag value, malformed reference, bad JSON)
  | 'not_found' // no such container / image / volume / network / blob
  | 'conflict' // name in use, container running when it must not be, ...
  | 'failed_precondition' // state does not allow it (not running, image in use, digest mismatch)
  | 'unavailable' // a dependency is down: daemon, registry, QEMU missing, VM gone
  | 'resource_exhausted' // disk full, limits hit (entry count, sizes)
  | 'permission_denied'
  | 'deadline_exceeded' // a bounded wait ran out
  | 'unimplemented'
  | 'cannot_invoke' // the container's command exists but cannot be run (exit 126)
  | 'command_not_found' // the container's command does not exist (exit 127)
  | 'canceled'
  | 'internal'; // a broken invariant: a bug in kctl

export interface KctlErrorOptions {
  /** What the user can do next, shown after the message ("run `kctl info`"). */
  hint?: string;
  /** The tail of an external program's stderr (QEMU, virtiofsd, the unpack helper). */
  detail?: string;
  cause?: unknown;
}

export class KctlError extends Error {
  readonly kind: ErrorKind;
  readonly hint?: string;
  readonly detail?: string;

  constructor(kind: ErrorKind, message: string, opts: KctlErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'KctlError';
    this.kind = kind;
    this.hint = opts.hint;
    this.detail = opts.detail;
  }
}

export const invalidArgument = (msg: string, o?: KctlErrorOptions) => new KctlError('invalid_argument', msg, o);
export const notFound = (msg: string, o?: KctlErrorOptions) => new KctlError('not_found', msg, o);
export const conflict = (msg: string, o?: KctlErrorOptions) => new KctlError('conflict', msg, o);
export const failedPrecondition = (msg: string, o?: KctlErrorOptions) => new KctlError('failed_precondition', msg, o);
export const unavailable = (msg: string, o?: KctlErrorOptions) => new KctlError('unavailable', msg, o);
export const resourceExhausted = (msg: string, o?: KctlErrorOptions) => new KctlError('resource_exhausted', msg, o);
export const deadlineExceeded = (msg: string, o?: KctlErrorOptions) => new KctlError('deadline_exceeded', msg, o);
export const unimplemented = (msg: string, o?: KctlErrorOptions) => new KctlError('unimplemented', msg, o);
export const internal = (msg: string, o?: KctlErrorOptions) => new KctlError('internal', msg, o);

export function isKctlError(err: unknown, kind?: ErrorKind): err is KctlError {
  return err instanceof KctlError && (kind === undefined || err.kind === kind);
}

/** Wraps anything thrown into a KctlError, mapping the errno codes the core meets. */
export function toKctlError(err: unknown): KctlError {
  if (err instanceof KctlError) return err;
  const e = err as NodeJS.ErrnoException;
  const msg = e?.message ?? String(err);
  switch (e?.code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return resourceExhausted(`no space left on device: ${msg}`, { cause: err, hint: 'free space under the kctl state root (kctl system df / kctl image prune)' });
    case 'ENOENT':
      return notFound(msg, { cause: err });
    case 'EACCES':
    case 'EPERM':
      return new KctlError('permission_denied', msg, { cause: err });
    case 'ETIMEDOUT':
      return deadlineExceeded(msg, { cause: err });
    case 'ECONNREFUSED':
    case 'ECONNRESET':
    case 'EPIPE':
      return unavailable(msg, { cause: err });
    default:
      return internal(msg, { cause: err });
  }
}

/** The last `maxLines` lines of an external program's output, for KctlError.detail. */
export function tail(text: string, maxLines = 12): string {
  const lines = text.replace(/\s+$/, '').split('\n');
  return lines.slice(-maxLines).join('\n');
}
