/** Loads the gRPC contract (proto/kctl/v1/kctl.proto) at run time; shared by the daemon and the CLI. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as grpcT from '@grpc/grpc-js';
import type { ProtoGrpcType } from '../gen/kctl.js';

/** dist/src/api/grpc/load.js -> the package root, four levels up. */
export const PROTO_FILE = path.join(fileURLToPath(new URL('../../../../', import.meta.url)), 'proto', 'kctl', 'v1', 'kctl.proto');

let cached: { grpc: typeof grpcT; proto: ProtoGrpcType } | undefined;

/** Lazily imports grpc-js and proto-loader (heavy) and loads the contract once per process. */
export async function loadContract(): Promise<{ grpc: typeof grpcT; proto: ProtoGrpcType }> {
  if (cached) return cached;
  const grpc = await import('@grpc/grpc-js');
  const loader = await import('@grpc/proto-loader');
  const def = loader.loadSync(PROTO_FILE, { keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true });
  const proto = grpc.loadPackageDefinition(def) as unknown as ProtoGrpcType;
  cached = { grpc, proto };
  return cached;
}
