#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build.sh NAME...: builds the debug kernel NAME (kasan, kcsan) from
# Debian's linux-source-6.12, for the VM tests to run the module under the
# kernel's own checkers. The kernel is tinyconfig plus base.config (what
# the tests need) plus NAME.config (the checkers), everything built in.
#
# Output, in build/debug-kernel/NAME/: bzImage, release (what `uname -r`
# says in it) and obj/, the build tree that modules are built against.
# A kernel is rebuilt only when its key changes: the source version, the
# two fragments and this script.
#
# Needs the source package in build/cache/ (selftests/setup.sh fetches it).

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=$top/build
src=$build/debug-kernel/src

log() { printf 'debug-kernel: %s\n' "$*" >&2; }

deb=$(ls "$build"/cache/linux-source-6.12_*.deb 2>/dev/null | tail -n 1)
if [ -z "$deb" ]; then
	log "no linux-source-6.12 package in $build/cache: run selftests/setup.sh"
	exit 1
fi
version=$(dpkg-deb -f "$deb" Version)

# The full source tree, extracted once per package version (~10 s).
extract_source() {
	[ -f "$src/.version" ] && [ "$(cat "$src/.version")" = "$version" ] && return 0
	log "extracting linux-source-6.12 $version"
	rm -rf "$src"
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
	local name=$1 out=$build/debug-kernel/$1 key
	local fragments=("$here/base.config" "$here/$name.config")
	local kmake=(make -s -C "$src" O="$out/obj" ARCH=x86_64
		     LOCALVERSION="-availcast-$name")

	# KCSAN watches the code it instruments. Only ours is: the kernel's
	# own benign races (the first is in the boot CPU's APIC timer
	# calibration) would end every run under panic_on_warn. Modules built
	# against this tree are instrumented as usual.
	if [ "$name" = kcsan ]; then
		kmake+=(KCSAN_SANITIZE=n)
	fi

	if [ ! -f "${fragments[1]}" ]; then
		log "no such debug kernel: $name"
		return 1
	fi
	key=$(cat <(echo "$version") "${fragments[@]}" "$0" | sha256sum | cut -d' ' -f1)
	if [ -f "$out/key" ] && [ "$(cat "$out/key")" = "$key" ] && [ -f "$out/bzImage" ]; then
		return 0
	fi

	extract_source
	log "building the $name kernel (a few minutes)"
	rm -rf "$out"
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
	cp "$out/obj/arch/x86/boot/bzImage" "$out/bzImage"
	"${kmake[@]}" kernelrelease > "$out/release"
	echo "$key" > "$out/key"
	log "built $(cat "$out/release")"
}

for name in "$@"; do
	build_kernel "$name"
done
