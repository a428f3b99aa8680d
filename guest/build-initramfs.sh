#!/bin/sh
# Builds the guest agent and packs the initramfs every kctl VM boots from:
#   /init          kctl-agent (static)
#   /dev/console   char 5,1 (the kernel opens it for init's stdio)
#   /proc /sys /run /tmp   empty mount points
#   /lib/kctl-modules/     only when guest/modules/ (or $KCTL_GUEST_MODULES) exists
# Output: guest/out/initramfs.cpio, an UNCOMPRESSED newc archive (the fastest to unpack under TCG).
# Reproducible: fixed mtimes, owner 0:0, sorted names. Idempotent. Prints the output path.
# Needs: make, musl-gcc (apt: musl-tools; falls back to gcc -static), cpio, root for mknod.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/out"
mkdir -p "$out"
make -s -C "$here/agent" OUT="$out" >&2

stage=$(mktemp -d "${TMPDIR:-/tmp}/kctl-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT INT TERM
mkdir -p "$stage/dev" "$stage/proc" "$stage/sys" "$stage/run" "$stage/tmp"
cp "$out/kctl-agent" "$stage/init"
chmod 0755 "$stage/init"
mknod -m 0600 "$stage/dev/console" c 5 1
chmod 0755 "$stage/dev" "$stage/proc" "$stage/sys" "$stage/run"
chmod 1777 "$stage/tmp"
# Optional: kernel modules the agent loads at boot, for kernels without virtio-console / virtio-fs
# built in. The directory holds the .ko files and `order` (one file name a line, load order).
modules="${KCTL_GUEST_MODULES:-$here/modules}"
if [ -d "$modules" ]; then
  [ -f "$modules/order" ] || { echo "build-initramfs: $modules has no 'order' file" >&2; exit 1; }
  mkdir -p "$stage/lib/kctl-modules"
  cp "$modules/"* "$stage/lib/kctl-modules/"
fi
find "$stage" -exec touch -h -d @0 {} +

tmp="$out/initramfs.cpio.tmp.$$"
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 --reproducible) > "$tmp"
mv -f "$tmp" "$out/initramfs.cpio"
echo "$out/initramfs.cpio"
