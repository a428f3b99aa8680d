import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { toGrpcError, fromGrpcError, grpcCodeOf } from '../../../src/api/grpc/status.js';
import { KctlError, type ErrorKind } from '../../../src/core/errors.js';

const kinds: ErrorKind[] = ['invalid_argument', 'not_found', 'conflict', 'failed_precondition', 'unavailable', 'resource_exhausted',
  'permission_denied', 'deadline_exceeded', 'unimplemented', 'cannot_invoke', 'command_not_found', 'canceled', 'internal'];

test('every error kind survives the trip through a gRPC status, with hint and detail', () => {
  for (const kind of kinds) {
    const st = toGrpcError(grpc, new KctlError(kind, `msg ${kind}`, { hint: 'do this: `x`', detail: 'line1\nline2' }));
    const back = fromGrpcError(Object.assign(new Error(), { code: st.code, details: st.details, metadata: st.metadata }));
    assert.equal(back.kind, kind);
    assert.equal(back.message, `msg ${kind}`);
    assert.equal(back.hint, 'do this: `x`');
    assert.equal(back.detail, 'line1\nline2');
  }
});

test('gRPC codes follow the kinds', () => {
  assert.equal(grpcCodeOf('not_found'), grpc.status.NOT_FOUND);
  assert.equal(grpcCodeOf('invalid_argument'), grpc.status.INVALID_ARGUMENT);
  assert.equal(grpcCodeOf('unavailable'), grpc.status.UNAVAILABLE);
  assert.equal(grpcCodeOf('conflict'), grpc.status.ALREADY_EXISTS);
});

test('a transport error without kctl metadata maps by its code', () => {
  const e = fromGrpcError(Object.assign(new Error('x'), { code: grpc.status.UNAVAILABLE, details: 'connect ECONNREFUSED' }));
  assert.equal(e.kind, 'unavailable');
});
