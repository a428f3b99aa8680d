#!/usr/bin/env bash
# Builds kctl from a checkout: TypeScript -> dist/, the native host helpers -> native/out/,
# and oclif.manifest.json (regenerated on every build, so it is never stale).
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf dist
node_modules/.bin/tsc -p .
make -s -C native
node_modules/.bin/oclif manifest >/dev/null
node scripts/sort-manifest.mjs
echo "build: ok" >&2
