#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# setup.sh [--debug-kernels] [--no-kernel-root]
#
# Installs what building and testing availcast needs on Debian 12, with
# apt-get only, and fetches the parts of Debian's linux-source-6.12 that the
# project uses (kselftest headers, checkpatch, kernel-doc, the YNL client
# and the netlink schemas) into build/linux-src/, the oldest kernel
# supported, Debian 11's 5.10, into the cache (vm/fetch-kernel.sh), and
# makes the Debian 13 root that holds the newest, trixie-backports' 7.x,
# with the compiler its headers need (vm/kernel-root.sh: about 3 minutes
# the first time). With --debug-kernels, it also builds the debug kernels
# (selftests/debug-kernel/build.sh: about 6 minutes each the first time);
# with --no-kernel-root, it leaves the root out (run-tests.sh makes it
# itself, at idle priority beside the host tests). Idempotent: a second
# run installs, extracts and builds nothing.

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build
# What a fresh clone need not fetch or build again (the kernel source
# package, the debug kernels), keyed by what it came from.
cache=${AVAILCAST_CACHE:-/var/cache/availcast}

debug_kernels=n
kernel_root=y
for arg in "$@"; do
	case "$arg" in
	--debug-kernels) debug_kernels=y ;;
	--no-kernel-root) kernel_root=n ;;
	*) echo "usage: setup.sh [--debug-kernels] [--no-kernel-root]" >&2; exit 2 ;;
	esac
done

# The two Debian kernels we support, as their metapackages: each depends on
# the current ABI (linux-headers-6.1.0-NN-amd64, ...), which changes with
# security updates and is therefore looked up, never written down here.
kernel_metas="linux-headers-amd64 linux-image-amd64
	linux-headers-6.12-amd64 linux-image-6.12-amd64"

packages="build-essential pkg-config gcc make kmod cpio gzip xz-utils
	busybox-static qemu-system-x86 iproute2 util-linux procps dmsetup e2fsprogs btrfs-progs strace
	libnl-3-dev libnl-genl-3-dev libnl-utils
	libsodium-dev libssl-dev libsystemd-dev spin nftables bridge-utils clang libclang-rt-14-dev
	sparse perl python3 python3-yaml python3-jsonschema groff-base
	flex bison bc libelf-dev libssl-dev
	dkms dh-dkms debhelper dpkg-dev lintian python3-sphinx prometheus
	debootstrap
	$kernel_metas"
# What one caller alone needs (make bench: keepalived, its failover peer).
packages="$packages ${SETUP_EXTRA_PACKAGES:-}"

log() { printf 'setup: %s\n' "$*" >&2; }

# apt-get needs root; as another user, go through sudo.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	else
		sudo -E "$@"
	fi
}

apt_updated=
apt_update_once() {
	[ -n "$apt_updated" ] && return 0
	as_root apt-get update -qq
	apt_updated=y
}

missing_packages() {
	local p
	for p in $packages; do
		dpkg-query -W -f='${db:Status-Status}\n' "$p" 2>/dev/null |
			grep -qx installed || printf '%s ' "$p"
	done
}

install_packages() {
	local missing
	missing=$(missing_packages)
	[ -n "$missing" ] || return 0

	log "installing: $missing"
	export DEBIAN_FRONTEND=noninteractive
	# INITRD=No: the VMs boot our own initramfs, and building Debian's
	# for each kernel image would take most of a minute.
	export INITRD=No
	apt_update_once
	# shellcheck disable=SC2086
	as_root apt-get install -y -qq --no-install-recommends $missing >/dev/null
	missing=$(missing_packages)
	if [ -n "$missing" ]; then
		log "still missing after apt-get install: $missing"
		exit 1
	fi
}

source_candidate() {
	apt-cache policy linux-source-6.12 2>/dev/null |
		awk '/Candidate:/ && $2 != "(none)" { print $2 }'
}

# Fetches the 6.12 kernel source package into the machine's cache
# (outside the tree: a fresh clone finds it there) and extracts what the
# tools use of it into build/linux-src/. The package stays, for the debug
# kernels. The stamp names the package version, so a new Debian upload is
# fetched and extracted again.
fetch_kernel_source() {
	local version stamp deb paths
	version=$(source_candidate)
	if [ -z "$version" ]; then
		apt_update_once
		version=$(source_candidate)
	fi
	if [ -z "$version" ]; then
		log "linux-source-6.12 is not in the apt sources"
		exit 1
	fi
	deb=$cache/linux-source/linux-source-6.12_${version/:/%3a}_all.deb
	stamp=$build/linux-src/.version
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$version" ] && [ -f "$deb" ]; then
		return 0
	fi

	if [ ! -f "$deb" ]; then
		log "fetching linux-source-6.12 $version"
		rm -rf "$cache/linux-source"
		mkdir -p "$cache/linux-source"
		# Into a folder of its own, then renamed: a download cut short
		# never passes for the package.
		rm -rf "$cache/linux-source.new"
		mkdir -p "$cache/linux-source.new"
		(cd "$cache/linux-source.new" && apt-get download -qq -o APT::Sandbox::User=root \
			"linux-source-6.12=$version")
		mv "$cache/linux-source.new"/*.deb "$cache/linux-source/"
		rmdir "$cache/linux-source.new"
	fi
	rm -rf "$build/linux-src"
	mkdir -p "$build/linux-src"
	paths="tools/testing/selftests/kselftest.h
		tools/testing/selftests/kselftest_harness.h
		tools/net/ynl
		Documentation/netlink
		scripts/checkpatch.pl
		scripts/spelling.txt
		scripts/const_structs.checkpatch
		scripts/kernel-doc"
	# shellcheck disable=SC2086
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xO --wildcards './usr/src/linux-source-6.12.tar.xz' |
		tar -xJ -C "$build/linux-src" --strip-components=1 \
			$(printf 'linux-source-6.12/%s ' $paths)
	echo "$version" > "$stamp"
}

# YNL finds a spec's schema two folders above the spec, and its code
# generator wants a kernel tree (a MAINTAINERS file) around it: a tree of
# links in build/ynl gives both our spec and the fetched schemas that.
link_ynl_tree() {
	local root=$build/ynl
	mkdir -p "$root/Documentation/netlink/specs"
	touch "$root/MAINTAINERS"
	ln -sf "$build"/linux-src/Documentation/netlink/*.yaml "$root/Documentation/netlink/"
	ln -sf "$top/Documentation/netlink/specs/availcast.yaml" \
		"$root/Documentation/netlink/specs/"
}

# The cache belongs to the user who runs the tests (root makes it).
make_cache() {
	[ -d "$cache" ] && [ -w "$cache" ] && return 0
	as_root mkdir -p "$cache"
	as_root chown "$(id -u):$(id -g)" "$cache"
}

# A checkout from before the cache kept the package and the debug kernels
# in build/: those go, or kernels.sh would find the old kernels there.
forget_tree_caches() {
	local dir
	rm -rf "$build/cache" "$build/debug-kernel/src"
	for dir in "$build"/debug-kernel/*; do
		[ -d "$dir" ] && [ ! -L "$dir" ] && rm -rf "$dir"
	done
	true
}

install_packages
make_cache
forget_tree_caches
fetch_kernel_source
link_ynl_tree
"$top/selftests/vm/fetch-kernel.sh" bullseye > /dev/null
if [ "$kernel_root" = y ]; then
	"$top/selftests/vm/kernel-root.sh" trixie-backports > /dev/null
fi
if [ "$debug_kernels" = y ]; then
	"$top/selftests/debug-kernel/build.sh" kasan kcsan
fi
