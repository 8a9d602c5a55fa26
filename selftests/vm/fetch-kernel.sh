#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-kernel.sh RELEASE: the current amd64 kernel of Debian RELEASE
# (bullseye: 5.10), which this system cannot install, extracted into the
# cache: $cache/kernels/ABI/ holds its image (boot/), its modules
# (lib/modules/ABI/, with depmod's indexes) and its headers and kbuild
# helpers (usr/src/, usr/lib/), as the packages lay them out. Prints the
# ABI. The packages come through an apt configuration of its own under
# $cache/apt/RELEASE/, which leaves the system's sources alone. Keyed by
# the ABI and the packages' version: a second run fetches nothing unless
# Debian uploaded a new kernel.
#
# The headers are made to work where they are: their Makefile includes
# the common headers by their installed path, which is rewritten, and
# they name the compiler their kernel was built with (bullseye's gcc-10,
# which bookworm does not have), which becomes bookworm's gcc-12. The
# module built so is for testing; a bullseye host builds it with its own
# compiler (DKMS).

set -euo pipefail

release=${1:?usage: fetch-kernel.sh RELEASE}
cache=${AVAILCAST_CACHE:-/var/cache/availcast}
apt_root=$cache/apt/$release

log() { printf 'fetch-kernel: %s\n' "$*" >&2; }

# An apt of our own: its sources, lists and downloads under $apt_root.
# shellcheck source=selftests/lib/own-apt.sh
. "$(dirname "$0")/../lib/own-apt.sh"
own_apt "$apt_root" "deb http://deb.debian.org/debian $release main
deb http://deb.debian.org/debian $release-updates main
deb http://deb.debian.org/debian-security $release-security main"
apt-get update -qq

# depends PACKAGE: what PACKAGE depends on, one per line.
depends() {
	apt-cache depends "$1" | sed -n 's/^ *Depends: \([^ <]*\)$/\1/p'
}

abi=$(depends linux-headers-amd64 | sed -n 's/^linux-headers-//p' | head -n 1)
[ -n "$abi" ] || { log "no linux-headers-amd64 in $release"; exit 1; }
headers=linux-headers-$abi
packages="linux-image-$abi-unsigned $headers $(depends "$headers" | grep -E '^linux-(headers|kbuild)-')"
# shellcheck disable=SC2086
key="$(apt-cache policy $packages | awk '/Candidate:/ { print $2 }' | sort -u | paste -sd " ")"
dir=$cache/kernels/$abi
if [ -f "$dir/.key" ] && [ "$(cat "$dir/.key")" = "$key" ]; then
	echo "$abi"
	exit 0
fi

log "fetching $release's kernel $abi ($key)"
rm -rf "$dir.new"
mkdir -p "$dir.new/debs"
# shellcheck disable=SC2086
(cd "$dir.new/debs" && apt-get download -qq $packages)
for deb in "$dir.new"/debs/*.deb; do
	dpkg-deb -x "$deb" "$dir.new"
done
rm -rf "$dir.new/debs"
src=$dir.new/usr/src
sed -i "s|^include /usr/src/|include $dir/usr/src/|" "$src/$headers/Makefile"
sed -i 's/gcc-[0-9][0-9]*$/gcc-12/' "$src/$headers/.kernelvariables"
depmod -b "$dir.new" "$abi"
echo "$abi" > "$dir.new/release"
echo "$key" > "$dir.new/.key"
rm -rf "$dir"
mv "$dir.new" "$dir"
echo "$abi"
