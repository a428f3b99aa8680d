/**
 * The one mapping between kctl's error kinds and gRPC status codes. The kind, the hint and the
 * external program's output tail also travel in trailing metadata, so the CLI rebuilds the exact
 * KctlError (cannot_invoke and command_not_found have no gRPC code of their own).
 */
import type * as grpcT from '@grpc/grpc-js';
import { KctlError, toKctlError, type ErrorKind } from '../../core/errors.js';

// Numeric gRPC codes (grpc.status), so this module does not need grpc-js loaded to map errors.
const CODE: Record<ErrorKind, number> = {
  canceled: 1,
  invalid_argument: 3,
  deadline_exceeded: 4,
  not_found: 5,
  conflict: 6, // ALREADY_EXISTS
  permission_denied: 7,
  resource_exhausted: 8,
  failed_precondition: 9,
  cannot_invoke: 9,
  command_not_found: 9,
  unimplemented: 12,
  internal: 13,
  unavailable: 14,
};

const KIND_OF_CODE: Record<number, ErrorKind> = {
  1: 'canceled', 3: 'invalid_argument', 4: 'deadline_exceeded', 5: 'not_found', 6: 'conflict',
  7: 'permission_denied', 8: 'resource_exhausted', 9: 'failed_precondition', 10: 'conflict',
  12: 'unimplemented', 13: 'internal', 14: 'unavailable',
};

export function grpcCodeOf(kind: ErrorKind): number {
  return CODE[kind];
}

export function toGrpcError(grpc: typeof grpcT, err: unknown): Partial<grpcT.StatusObject> {
  const e = toKctlError(err);
  const metadata = new grpc.Metadata();
  metadata.set('kctl-kind', e.kind);
  if (e.hint) metadata.set('kctl-hint', encodeURIComponent(e.hint));
  if (e.detail) metadata.set('kctl-detail', encodeURIComponent(e.detail.slice(-4000)));
  return { code: CODE[e.kind], details: e.message, metadata };
}

/** Rebuilds a KctlError from a gRPC error received by the client. */
export function fromGrpcError(err: unknown): KctlError {
  const e = err as grpcT.ServiceError;
  if (typeof e?.code !== 'number') return toKctlError(err);
  const md = e.metadata;
  const get = (k: string) => {
    const v = md?.get(k)?.[0];
    return v === undefined ? undefined : decodeURIComponent(String(v));
  };
  const kind = (get('kctl-kind') as ErrorKind | undefined) ?? KIND_OF_CODE[e.code] ?? 'internal';
  return new KctlError(kind, e.details || e.message, { hint: get('kctl-hint'), detail: get('kctl-detail') });
}
