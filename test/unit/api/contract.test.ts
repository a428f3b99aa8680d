/**
 * The contract the CLI and the daemon load (the generated JSON descriptor) is the .proto: the
 * descriptor is not stale, and its service definitions encode and decode exactly as
 * @grpc/proto-loader's from the .proto do.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import * as loader from '@grpc/proto-loader';
import type * as grpcT from '@grpc/grpc-js';
import descriptor from '../../../src/api/gen/kctl.descriptor.js';
import { CODEC_OPTIONS, PROTO_FILE, packageDefinition } from '../../../src/api/grpc/load.js';
// @ts-expect-error: a plain .mjs build script without types
import { descriptorOf } from '../../../../scripts/proto-descriptor.mjs';

test('src/api/gen/kctl.descriptor.ts is what scripts/gen-proto.sh makes of the .proto (else run it)', () => {
  assert.deepEqual(descriptor, JSON.parse(JSON.stringify(descriptorOf(PROTO_FILE))));
});

/** A message with every field set (one member per oneof), nested messages to a bounded depth. */
function sample(type: protobuf.Type, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const oneofTaken = new Set<string>();
  for (const f of type.fieldsArray) {
    f.resolve();
    if (f.partOf) {
      if (oneofTaken.has(f.partOf.name)) continue;
      oneofTaken.add(f.partOf.name);
    }
    const one = (): unknown => {
      if (f.resolvedType instanceof protobuf.Type) return depth < 4 ? sample(f.resolvedType, depth + 1) : {};
      if (f.resolvedType instanceof protobuf.Enum) return Object.keys(f.resolvedType.values).at(-1);
      switch (f.type) {
        case 'string': return `${f.name}-\u00e9`;
        case 'bool': return true;
        case 'bytes': return Buffer.from([0, 1, 255]);
        case 'double': case 'float': return 1.5;
        case 'int32': case 'sint32': case 'sfixed32': case 'int64': case 'sint64': case 'sfixed64': return -7;
        default: return 7;
      }
    };
    if (f instanceof protobuf.MapField) out[f.name] = { k: one() };
    else out[f.name] = f.repeated ? [one(), one()] : one();
  }
  return out;
}

test('every method encodes and decodes as with proto-loader from the .proto', () => {
  const ours = packageDefinition(protobuf, descriptor);
  const theirs = loader.loadSync(PROTO_FILE, { keepCase: false, ...CODEC_OPTIONS }) as unknown as Record<string, Record<string, grpcT.MethodDefinition<object, object>>>;
  const root = protobuf.Root.fromJSON(descriptor as protobuf.INamespace);
  const services = Object.keys(theirs).filter((k) => 'format' in theirs[k] === false);
  assert.deepEqual(Object.keys(ours).sort(), services.sort());
  let methods = 0;
  for (const svc of services) {
    assert.deepEqual(Object.keys(ours[svc]).sort(), Object.keys(theirs[svc]).sort(), svc);
    for (const [name, a] of Object.entries(ours[svc])) {
      const b = theirs[svc][name];
      assert.deepEqual([a.path, a.requestStream, a.responseStream, a.originalName], [b.path, b.requestStream, b.responseStream, b.originalName], `${svc}.${name}`);
      const method = root.lookupService(svc).methods[name];
      for (const [t, enc, dec, encB, decB] of [
        [method.requestType, a.requestSerialize, a.requestDeserialize, b.requestSerialize, b.requestDeserialize],
        [method.responseType, a.responseSerialize!, a.responseDeserialize!, b.responseSerialize!, b.responseDeserialize!],
      ] as const) {
        for (const value of [{}, sample(root.lookupType(`${svc.replace(/\.[^.]+$/, '')}.${t}`))]) {
          const wire = enc(value);
          assert.deepEqual(wire, encB(value), `${svc}.${name} ${t} encoding`);
          assert.deepEqual(dec(wire), decB(wire), `${svc}.${name} ${t} decoding`);
        }
      }
      methods++;
    }
  }
  assert.ok(methods > 40, `${methods} methods`);
});
