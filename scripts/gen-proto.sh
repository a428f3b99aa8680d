#!/usr/bin/env bash
# Generates from the gRPC contract (proto/kctl/v1/kctl.proto), into src/api/gen/:
#   - the TypeScript types of its messages and services;
#   - kctl.descriptor.ts, the contract as a protobufjs JSON descriptor, which the CLI and the daemon load
#     at run time instead of parsing the .proto (see src/api/grpc/load.ts).
# The generated files are never edited by hand; run this after changing the .proto (a unit test fails
# while the descriptor is stale).
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf src/api/gen
node_modules/.bin/proto-loader-gen-types --longs=Number --enums=String --defaults --oneofs \
  --grpcLib=@grpc/grpc-js --importFileExtension=.js --outDir=src/api/gen proto/kctl/v1/kctl.proto
node scripts/proto-descriptor.mjs > src/api/gen/kctl.descriptor.ts
