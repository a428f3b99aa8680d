#!/usr/bin/env bash
# Builds kctl from a checkout: TypeScript -> dist/, the native host helpers -> native/out/,
# oclif.manifest.json (regenerated on every build, so it is never stale), and the command line's
# bundle dist/kctl.cjs (scripts/bundle.mjs), which bin/run.js loads through a V8 code cache.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf dist
node_modules/.bin/tsc -p .
make -s -C native
node_modules/.bin/oclif manifest >/dev/null
node scripts/sort-manifest.mjs
node scripts/bundle.mjs
echo "build: ok" >&2
