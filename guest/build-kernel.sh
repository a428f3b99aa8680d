#!/usr/bin/env bash
# Builds kctl's minimal guest kernel from Debian's linux-source-6.1:
#   make tinyconfig + guest/kernel/kctl.config, plus guest/kernel/*.patch, `make vmlinux`.
# The result is cached by the hash of its inputs (source package version, fragment, patches,
# this script, sparse-elf.mjs) under $KCTL_CACHE (default /var/cache/kctl), so a rebuild happens
# only when an input changes. Output: guest/out/vmlinux (a copy of the cached, stripped ELF whose
# segments guest/sparse-elf.mjs split around empty pages; QEMU boots it through PVH).
# About 8 minutes on 2 cores the first time.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/out"
cache="${KCTL_CACHE:-/var/cache/kctl}"
src_tar=/usr/src/linux-source-6.1.tar.xz
[ -f "$src_tar" ] || { echo "build-kernel: $src_tar missing (apt-get install linux-source-6.1)" >&2; exit 1; }
src_ver="$(dpkg-query -W -f='${Version}' linux-source-6.1)"
hash="$( { echo "$src_ver"; cat "$here/kernel/kctl.config" "$here"/kernel/*.patch "$0" "$here/sparse-elf.mjs"; } | sha256sum | cut -c1-16)"
cached="$cache/kernel-$hash/vmlinux"
mkdir -p "$out"
if [ -s "$cached" ]; then
  echo "build-kernel: cached kernel $hash" >&2
else
  work="$cache/kernel-build"
  mkdir -p "$work"
  if [ ! -f "$work/.src-$src_ver" ]; then
    rm -rf "$work"; mkdir -p "$work"
    echo "build-kernel: unpacking linux-source $src_ver" >&2
    tar xf "$src_tar" -C "$work"
    touch "$work/.src-$src_ver"
  fi
  ksrc="$work/linux-source-6.1"
  # Patches are applied to a pristine tree: revert any earlier application first.
  for p in "$here"/kernel/*.patch; do
    if patch -d "$ksrc" -p1 -R --dry-run -s -f < "$p" >/dev/null 2>&1; then patch -d "$ksrc" -p1 -R -s -f < "$p"; fi
    patch -d "$ksrc" -p1 -s -f < "$p"
  done
  make -C "$ksrc" -s tinyconfig >/dev/null
  (cd "$ksrc" && scripts/kconfig/merge_config.sh -m .config "$here/kernel/kctl.config" >/dev/null)
  make -C "$ksrc" -s olddefconfig >/dev/null
  # Every symbol the fragment asks for must survive olddefconfig.
  missing=0
  while IFS= read -r line; do
    case "$line" in CONFIG_*=*) grep -qx "$line" "$ksrc/.config" || { echo "build-kernel: $line did not survive" >&2; missing=1; } ;; esac
  done < "$here/kernel/kctl.config"
  [ $missing = 0 ] || exit 1
  echo "build-kernel: building vmlinux (about 8 min on 2 cores)" >&2
  make -C "$ksrc" -s -j"$(nproc)" vmlinux
  mkdir -p "$cache/kernel-$hash"
  strip -o "$cached.tmp" "$ksrc/vmlinux"
  # QEMU then loads only the pages that hold something (no 2 MiB int3 padding, no zero tables).
  node "$here/sparse-elf.mjs" "$cached.tmp"
  cp "$ksrc/.config" "$cache/kernel-$hash/config"
  mv "$cached.tmp" "$cached"
fi
cp "$cached" "$out/vmlinux.tmp" && mv "$out/vmlinux.tmp" "$out/vmlinux"
echo "$hash" > "$out/vmlinux.hash"
echo "build-kernel: $out/vmlinux ($hash)" >&2
