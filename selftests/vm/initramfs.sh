#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# initramfs.sh ABI OUTPUT: builds the initramfs of a test VM for kernel
# ABI: busybox, our init, and the modules 9p over virtio needs,
# decompressed and numbered in the order modprobe would load them. A debug
# kernel has them built in and no /lib/modules/ABI: it gets none.

set -euo pipefail

abi=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{bin,dev,proc,sys,newroot,modules}
cp /bin/busybox "$work/bin/busybox"
cp "$here/init" "$work/init"
chmod 755 "$work/init"

# Installed, or fetched into the cache (kernels.sh).
root=$("$here/kernels.sh" --modules-root "$abi")
modules() {
	[ -d "$root/lib/modules/$abi" ] || return 0
	for mod in virtio_pci 9pnet_virtio 9p; do
		modprobe -d "$root" -S "$abi" --show-depends "$mod"
	done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }'
}

n=10
for path in $(modules); do
	name=$(basename "$path")
	case "$name" in
	*.ko.xz) xz -dc "$path" > "$work/modules/$n-${name%.xz}" ;;
	*.ko.zst) zstd -qdc "$path" > "$work/modules/$n-${name%.zst}" ;;
	*.ko) cp "$path" "$work/modules/$n-$name" ;;
	esac
	n=$((n + 1))
done

mkdir -p "$(dirname "$out")"
(cd "$work" && find . | cpio -o -H newc --quiet | gzip -1) > "$out.tmp"
mv "$out.tmp" "$out"
