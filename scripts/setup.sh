#!/usr/bin/env bash
# One command from a fresh Debian machine to a running kctl:
#   Debian packages (as root), npm dependencies, the build, the guest kernel and initramfs,
#   the local registry mirror with library/busybox and library/nginx, and then the main job.
# Usage: npm run setup            (everything, then runs the main job)
#        bash scripts/setup.sh --no-demo   (everything but the main job; CI uses this)
set -euo pipefail
cd "$(dirname "$0")/.."
demo=1
[ "${1:-}" = "--no-demo" ] && demo=0

step() { printf '\n==> %s\n' "$*" >&2; }

if [ "$(id -u)" = 0 ]; then
  step "Debian packages"
  mapfile -t pkgs < <(grep -v '^\s*#' scripts/debian-packages.txt | sed '/^\s*$/d')
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
else
  echo "setup: not root; skipping Debian packages (kctl needs root for VMs and overlay mounts)" >&2
fi

step "npm dependencies"
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi

step "build"
bash scripts/build.sh

step "guest kernel (cached by the hash of its inputs; ~4-8 min the first time)"
bash guest/build-kernel.sh
step "guest initramfs (kctl-agent)"
bash guest/build-initramfs.sh

step "test images and the local registry mirror (busybox, nginx)"
bash scripts/local-mirror.sh

if [ $demo = 1 ]; then
  step "main job: kctl run --rm busybox uname -r (pulled through the local mirror, run in its own VM)"
  node bin/run.js run --rm busybox uname -r
fi
