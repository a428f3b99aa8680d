#!/bin/sh
# Fuzzes the agent's parsers for N seconds (default 30) with ASan+UBSan; exits non-zero on any finding.
#   guest/agent/fuzz.sh [SECONDS]
# Set KCTL_FUZZ_SEED to replay a run. Uses the committed seed corpus in guest/agent/fuzz-corpus.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../out"
make -s -C "$here" OUT="$out" fuzz
ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  exec "$out/kctl-agent-fuzz" "${1:-30}" "$here/fuzz-corpus"
