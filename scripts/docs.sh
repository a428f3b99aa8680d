#!/usr/bin/env bash
# Regenerates the generated documentation from the built CLI (run scripts/build.sh first):
# the command reference in README.md (between <!-- commands --> and <!-- commandsstop -->, by
# `oclif readme`) and the Docker parity table in docs/parity.md.
set -euo pipefail
cd "$(dirname "$0")/.."
node_modules/.bin/oclif readme --readme-path README.md --no-aliases 2> >(grep -v 'update available' >&2) >/dev/null
node scripts/parity.mjs
echo "docs: ok" >&2
