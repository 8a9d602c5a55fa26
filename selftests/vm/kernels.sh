#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernels availcast is tested on, and where their parts are.
#
#   kernels.sh [PREFIX]          the Debian kernels whose image and headers
#                                are installed, fetched or in a root of
#                                their own, by ABI name (5.10, 7.x, 6.1,
#                                then 6.12); with PREFIX, only those whose
#                                ABI starts with it (e.g. "6.12", "7.")
#   kernels.sh --one VERSION     the Debian kernel of VERSION (6.1, 6.12),
#                                or a message and failure when it is not
#                                installed
#   kernels.sh --debug           the debug kernels built by
#                                selftests/debug-kernel/build.sh, by release
#   kernels.sh --image ABI       the image to boot for kernel ABI
#   kernels.sh --build-dir ABI   the tree its modules are built against
#   kernels.sh --build-root ABI  the root to build them in ("/": here; a
#                                kernel root's folder: chrooted into by
#                                vm/in-root.sh, --build-dir then being
#                                that root's path)
#   kernels.sh --modules-root ABI
#                                the root under which lib/modules/ABI holds
#                                its modules ("/" when installed)
#
# A Debian ABI comes from what each metapackage depends on now, so it
# follows Debian's security updates. Kernels of other Debian releases,
# which this system cannot install, are fetched into the cache by
# fetch-kernel.sh (bullseye's 5.10); those whose headers work only with
# their own release's compiler and C library are installed by apt in a
# Debian root of that release by kernel-root.sh (trixie-backports' 7.x).

top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${AVAILCAST_CACHE:-/var/cache/availcast}

# The folder of the fetched kernel whose ABI is $1, if there is one.
fetched_kernel_dir() {
	[ -f "$cache/kernels/$1/release" ] && echo "$cache/kernels/$1"
}

fetched_kernels() {
	local dir
	for dir in "$cache"/kernels/*/; do
		[ -f "$dir/release" ] || continue
		case "$(cat "$dir/release")" in "$1"*) cat "$dir/release" ;; esac
	done
}

# The Debian root made by kernel-root.sh that holds kernel ABI $1, if any.
# One being made (kernel-root.sh's *.tmp) is not one yet.
kernel_root_dir() {
	local dir
	for dir in "$cache"/roots/*/; do
		case $dir in *.tmp/) continue ;; esac
		[ "$(cat "$dir/release" 2>/dev/null)" = "$1" ] && echo "${dir%/}/root" && return 0
	done
	return 1
}

root_kernels() {
	local dir
	for dir in "$cache"/roots/*/; do
		case $dir in *.tmp/) continue ;; esac
		[ -f "$dir/release" ] || continue
		case "$(cat "$dir/release")" in "$1"*) cat "$dir/release" ;; esac
	done
}

# The folder of the debug kernel whose release is $1, if there is one.
debug_kernel_dir() {
	local dir
	for dir in "$top"/build/debug-kernel/*/; do
		[ -f "$dir/bzImage" ] && [ "$(cat "$dir/release" 2>/dev/null)" = "$1" ] &&
			echo "${dir%/}" && return 0
	done
	return 1
}

debian_kernels() {
	local meta abi
	for meta in linux-headers-amd64 linux-headers-6.12-amd64; do
		abi=$(dpkg-query -W -f='${Depends}' "$meta" 2>/dev/null |
			sed -n 's/^linux-headers-\([^ ,]*\).*/\1/p')
		[ -n "$abi" ] || continue
		[ -e "/boot/vmlinuz-$abi" ] && [ -d "/lib/modules/$abi/build" ] || continue
		case "$abi" in "$1"*) echo "$abi" ;; esac
	done
}

case "${1:-}" in
--one)
	abi=$(debian_kernels "$2." | head -n 1)
	if [ -z "$abi" ]; then
		echo "no Debian $2 kernel installed: run selftests/setup.sh" >&2
		exit 1
	fi
	echo "$abi"
	;;
--debug)
	for dir in "$top"/build/debug-kernel/*/; do
		[ -f "$dir/bzImage" ] && [ -f "$dir/release" ] && cat "$dir/release"
	done
	;;
--image)
	if dir=$(debug_kernel_dir "$2"); then
		echo "$dir/bzImage"
	elif dir=$(fetched_kernel_dir "$2") || dir=$(kernel_root_dir "$2"); then
		echo "$dir/boot/vmlinuz-$2"
	else
		echo "/boot/vmlinuz-$2"
	fi
	;;
--build-dir)
	if dir=$(debug_kernel_dir "$2"); then
		echo "$dir/obj"
	elif dir=$(fetched_kernel_dir "$2") || dir=$(kernel_root_dir "$2"); then
		echo "$dir/usr/src/linux-headers-$2"
	else
		echo "/lib/modules/$2/build"
	fi
	;;
--build-root)
	if dir=$(kernel_root_dir "$2"); then
		echo "$dir"
	else
		echo /
	fi
	;;
--modules-root)
	if dir=$(fetched_kernel_dir "$2") || dir=$(kernel_root_dir "$2"); then
		echo "$dir"
	else
		echo /
	fi
	;;
*)
	fetched_kernels "${1:-}"
	root_kernels "${1:-}"
	debian_kernels "${1:-}"
	;;
esac
