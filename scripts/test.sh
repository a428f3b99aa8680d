#!/usr/bin/env bash
# The test suite: unit tests (fast, no VMs) and integration tests (real QEMU VMs under TCG or KVM,
# real virtiofsd, a real registry). Needs root and `npm run setup` (or .ci/run) done first.
# KCTL_TEST_FILTER=<substring> runs only the test files whose path contains it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
mapfile -t files < <(find dist/test/unit dist/test/integration -name '*.test.js' 2>/dev/null | sort | grep -- "${KCTL_TEST_FILTER:-}" || true)
if [ ${#files[@]} = 0 ]; then echo "test: no test files found" >&2; exit 1; fi
exec node --test --test-concurrency=1 --test-timeout=600000 "${files[@]}"
