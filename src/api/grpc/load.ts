/**
 * Loads the gRPC contract (proto/kctl/v1/kctl.proto); shared by the daemon and the CLI.
 *
 * The .proto is not parsed at run time: scripts/gen-proto.sh turns it into a protobufjs JSON
 * descriptor (src/api/gen/kctl.descriptor.ts), and this builds from it the service definitions that
 * @grpc/proto-loader would build, with the same codecs (protobufjs messages, toObject with the options
 * below), so the wire format and the decoded objects are the same. It leaves out proto-loader's
 * reflection descriptors, which nothing in kctl uses, and proto-loader itself (~35 ms at every start).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as grpcT from '@grpc/grpc-js';
import type * as protobufT from 'protobufjs';
import type { ProtoGrpcType } from '../gen/kctl.js';

/** dist/src/api/grpc/load.js -> the package root, four levels up. */
export const PROTO_FILE = path.join(fileURLToPath(new URL('../../../../', import.meta.url)), 'proto', 'kctl', 'v1', 'kctl.proto');

/** proto-loader's options, which the generated types (scripts/gen-proto.sh) also assume. */
export const CODEC_OPTIONS = { longs: Number, enums: String, defaults: true, oneofs: true } as const;

/** The services of the contract; its messages are only types here (ProtoGrpcType also lists them as values). */
export type Contract = { kctl: { v1: Pick<ProtoGrpcType['kctl']['v1'], 'System' | 'Images' | 'Containers' | 'Volumes' | 'Networks'> } };

let cached: { grpc: typeof grpcT; proto: Contract } | undefined;

/** Lazily imports grpc-js and protobufjs (heavy) and loads the contract once per process. */
export async function loadContract(): Promise<{ grpc: typeof grpcT; proto: Contract }> {
  if (cached) return cached;
  const grpc = await import('@grpc/grpc-js');
  const { default: protobuf } = await import('protobufjs/light.js');
  const { default: descriptor } = await import('../gen/kctl.descriptor.js');
  const proto = grpc.loadPackageDefinition(packageDefinition(protobuf, descriptor)) as unknown as Contract;
  cached = { grpc, proto };
  return cached;
}

/** What proto-loader's loadSync returns for the services: name -> method -> definition. */
export function packageDefinition(protobuf: Pick<typeof protobufT, 'Root' | 'Service' | 'Namespace'>, descriptor: object): Record<string, Record<string, grpcT.MethodDefinition<object, object>>> {
  const root = protobuf.Root.fromJSON(descriptor as protobufT.INamespace);
  root.resolveAll();
  const def: Record<string, Record<string, grpcT.MethodDefinition<object, object>>> = {};
  const visit = (ns: protobufT.NamespaceBase, prefix: string) => {
    for (const obj of ns.nestedArray) {
      const name = prefix ? `${prefix}.${obj.name}` : obj.name;
      if (obj instanceof protobuf.Service) {
        def[name] = {};
        for (const m of obj.methodsArray) def[name][m.name] = methodDefinition(m, name);
      } else if (obj instanceof protobuf.Namespace) {
        visit(obj, name);
      }
    }
  };
  visit(root, '');
  return def;
}

function methodDefinition(m: protobufT.Method, service: string): grpcT.MethodDefinition<object, object> {
  const req = m.resolvedRequestType!;
  const res = m.resolvedResponseType!;
  return {
    path: `/${service}/${m.name}`,
    requestStream: !!m.requestStream,
    responseStream: !!m.responseStream,
    requestSerialize: serializer(req),
    requestDeserialize: deserializer(req),
    responseSerialize: serializer(res),
    responseDeserialize: deserializer(res),
    // proto-loader's camelCase of the method name: grpc-js adds it as an alias of the method.
    originalName: m.name.charAt(0).toLowerCase() + m.name.slice(1),
  };
}

function serializer(type: protobufT.Type): (value: object) => Buffer {
  return (value) => {
    if (Array.isArray(value)) throw new Error(`Failed to serialize message: expected object with ${type.name} structure, got array instead`);
    // protobufjs writes into a Buffer under Node, as proto-loader relies on too.
    return type.encode(type.fromObject(value)).finish() as Buffer;
  };
}

function deserializer(type: protobufT.Type): (buf: Buffer) => object {
  return (buf) => type.toObject(type.decode(buf), CODEC_OPTIONS);
}
