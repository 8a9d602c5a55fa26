#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build.sh NAME...: builds the debug kernel NAME (kasan, kcsan) from
# Debian's linux-source-6.12, for the VM tests to run the module under the
# kernel's own checkers. The kernel is tinyconfig plus base.config (what
# the tests need) plus NAME.config (the checkers), everything built in.
#
# Output, in the machine's cache ($AVAILCAST_CACHE/debug-kernel/NAME-KEY/,
# outside the tree, so that a fresh clone finds it), linked from
# build/debug-kernel/NAME: bzImage, release (what `uname -r` says in it)
# and obj/, the build tree that modules are built against. KEY hashes
# what the kernel is built from: the source version, the two fragments
# and this script; a kernel is built only when no folder has its key, and
# the folders of NAME's older keys are removed.
#
# Needs the source package in $AVAILCAST_CACHE/linux-source/
# (selftests/setup.sh fetches it).

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=$top/build
cache=${AVAILCAST_CACHE:-/var/cache/availcast}

log() { printf 'debug-kernel: %s\n' "$*" >&2; }

deb=$(ls "$cache"/linux-source/linux-source-6.12_*.deb 2>/dev/null | tail -n 1)
if [ -z "$deb" ]; then
	log "no linux-source-6.12 package in $cache/linux-source: run selftests/setup.sh"
	exit 1
fi
version=$(dpkg-deb -f "$deb" Version)
# The full source tree, which the kernels' obj/ trees refer to: one per
# package version.
src=$cache/debug-kernel/src-$version

# Two runs on one machine share the cache: one builds, the other waits.
mkdir -p "$cache/debug-kernel" "$build/debug-kernel"
exec 9> "$cache/debug-kernel/.lock"
flock 9

# The full source tree, extracted once per package version (~10 s); the
# trees of other versions go.
extract_source() {
	[ -f "$src/.version" ] && [ "$(cat "$src/.version")" = "$version" ] && return 0
	log "extracting linux-source-6.12 $version"
	rm -rf "$cache"/debug-kernel/src-*
	mkdir -p "$src"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xO ./usr/src/linux-source-6.12.tar.xz |
		tar -xJ -C "$src" --strip-components=1
	echo "$version" > "$src/.version"
}

# Every line of the fragments must have survived olddefconfig: an option
# whose dependencies are missing is dropped silently, and a checker that
# is not there finds nothing.
check_config() {
	local config=$1 line missing=
	shift
	while read -r line; do
		grep -qxF "$line" "$config" || missing+="  $line"$'\n'
	done < <(grep -hE '^(CONFIG_|# CONFIG_.* is not set)' "$@")
	if [ -n "$missing" ]; then
		log "options the kernel config did not keep:"
		printf '%s' "$missing" >&2
		return 1
	fi
}

build_kernel() {
	local name=$1 out key kmake
	local fragments=("$here/base.config" "$here/$name.config")

	if [ ! -f "${fragments[1]}" ]; then
		log "no such debug kernel: $name"
		return 1
	fi
	key=$(cat <(echo "$version") "${fragments[@]}" "$0" | sha256sum | cut -c1-16)
	out=$cache/debug-kernel/$name-$key
	ln -sfn "$out" "$build/debug-kernel/$name"
	# bzImage is copied last: a folder without it is an unfinished build.
	[ -f "$out/bzImage" ] && return 0

	kmake=(make -s -C "$src" O="$out/obj" ARCH=x86_64 LOCALVERSION="-availcast-$name")

	# KCSAN watches the code it instruments. Only ours is: the kernel's
	# own benign races (the first is in the boot CPU's APIC timer
	# calibration) would end every run under panic_on_warn. Modules built
	# against this tree are instrumented as usual.
	if [ "$name" = kcsan ]; then
		kmake+=(KCSAN_SANITIZE=n)
	fi

	extract_source
	log "building the $name kernel (a few minutes)"
	rm -rf "$cache/debug-kernel/$name"-*
	mkdir -p "$out/obj"
	"${kmake[@]}" tinyconfig > /dev/null
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out/obj" "$out/obj/.config" \
		"${fragments[@]}" > "$out/config.log"
	"${kmake[@]}" olddefconfig
	check_config "$out/obj/.config" "${fragments[@]}"
	# modules too: it writes the Module.symvers that modpost needs for
	# out-of-tree modules, though every module here is built in.
	if ! "${kmake[@]}" -j "$(nproc)" bzImage modules > "$out/build.log" 2>&1; then
		tail -n 40 "$out/build.log" >&2
		return 1
	fi
	"${kmake[@]}" kernelrelease > "$out/release"
	cp "$out/obj/arch/x86/boot/bzImage" "$out/bzImage.new"
	mv "$out/bzImage.new" "$out/bzImage"
	log "built $(cat "$out/release")"
}

for name in "$@"; do
	build_kernel "$name"
done
