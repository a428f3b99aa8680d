#!/usr/bin/env bash
# Generates the TypeScript types of the gRPC contract (proto/kctl/v1/kctl.proto) into src/api/gen/.
# The generated files are never edited by hand; run this after changing the .proto.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf src/api/gen
node_modules/.bin/proto-loader-gen-types --longs=Number --enums=String --defaults --oneofs \
  --grpcLib=@grpc/grpc-js --importFileExtension=.js --outDir=src/api/gen proto/kctl/v1/kctl.proto
