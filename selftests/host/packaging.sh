#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# availcast as a distribution ships it, built with the standard tools:
#   - the Debian packages (dpkg-buildpackage, debhelper, dh-dkms) from a
#     copy of the tree's files, unpacked into a throwaway root, where
#     availctl --version runs;
#   - DKMS building availcast.ko from the packaged sources, for each
#     installed Debian kernel, named to it (never the running kernel): the
#     modules land in build/dkms/ABI/, and selftests/dkms_load.sh loads
#     them in that kernel's VM;
#   - the sources make dkms-install gives DKMS are the packaged ones, and
#     the version is the same everywhere;
#   - the systemd units pass systemd-analyze verify, in the throwaway root.
# Every file stays under build/: nothing is installed on this host.

. "$(dirname "$0")/../lib/tap.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
work=$top/build/packaging
version=$(cat "$top/VERSION")
src=$work/availcast-$version
root=$work/root

rm -rf "$work" "$top/build/dkms"
mkdir -p "$src" "$root"

# The tree's own files, as a release tarball would have them.
if git -C "$top" rev-parse --git-dir > /dev/null 2>&1; then
	git -C "$top" ls-files -z | (cd "$top" && xargs -0 tar -cf -) | tar -xf - -C "$src"
else
	tar -C "$top" --exclude=./build --exclude=./.git -cf - . | tar -xf - -C "$src"
fi

tap_check "the version is $version in VERSION, dkms.conf, debian/changelog and availctl(8)" \
	bash -c "grep -qx 'PACKAGE_VERSION=\"$version\"' '$top/dkms.conf' &&
		 head -n 1 '$top/debian/changelog' | grep -qF '($version)' &&
		 grep -qF '\"availcast $version\"' '$top/userspace/availctl.8'"

if (cd "$src" && dpkg-buildpackage -us -uc -b) > "$work/dpkg-buildpackage.log" 2>&1; then
	tap_ok "dpkg-buildpackage builds availcast-dkms and availctl"
else
	tap_fail "dpkg-buildpackage builds availcast-dkms and availctl" \
		"$(tail -n 30 "$work/dpkg-buildpackage.log")"
	tap_done
fi
for deb in "$work/availcast-dkms_${version}_all.deb" "$work/availctl_${version}_amd64.deb"; do
	tap_check "$(basename "$deb") unpacks into a throwaway root" dpkg-deb -x "$deb" "$root"
done
tap_check "the packaged availctl runs: availctl --version prints $version" \
	bash -c "'$root/usr/sbin/availctl' --version | grep -qx 'availctl $version'"
tap_check "availcast-dkms depends on dkms (dh-dkms)" \
	bash -c "dpkg-deb -f '$work/availcast-dkms_${version}_all.deb' Depends | grep -qw dkms"
# Only availcast-dkms is the module's: availctl must install on a manager
# without the module's sources, beside availcast-dkms, and its removal
# must leave the module alone.
tap_check "availctl carries no DKMS sources and does not depend on dkms" \
	bash -c "! dpkg-deb -c '$work/availctl_${version}_amd64.deb' | grep -q ' ./usr/src/' &&
		 ! dpkg-deb -f '$work/availctl_${version}_amd64.deb' Depends | grep -qw dkms"
tap_check "the two packages share no file, so apt can install both" \
	bash -c "! sort <(dpkg-deb -c '$work/availcast-dkms_${version}_all.deb' | awk '\$1 !~ /^d/ { print \$6 }' | sort -u) \
		<(dpkg-deb -c '$work/availctl_${version}_amd64.deb' | awk '\$1 !~ /^d/ { print \$6 }' | sort -u) |
		uniq -d | grep ."
tap_check "availctl ships its man page and the units for both daemons and the metrics" \
	test -f "$root/usr/share/man/man8/availctl.8.gz" \
	-a -f "$root/usr/lib/systemd/system/availctl-relay.service" \
	-a -f "$root/usr/lib/systemd/system/availctl-arbiter.service" \
	-a -f "$root/usr/lib/systemd/system/availctl-metrics.service" \
	-a -f "$root/usr/lib/systemd/system/availctl-metrics.timer"

make -s -C "$top" dkms-source DESTDIR="$work/make-dkms-source" > /dev/null
tap_check "make dkms-install gives DKMS the packaged sources" \
	diff -r "$work/make-dkms-source/usr/src/availcast-$version" "$root/usr/src/availcast-$version"

# DKMS from the packaged sources, into trees of our own.
mkdir -p "$work/dkms"
abis=$("$top/selftests/vm/kernels.sh")
[ -n "$abis" ] || tap_fail "a Debian kernel with headers is installed"
for abi in $abis; do
	name="dkms builds availcast.ko from the packaged sources for $abi"
	if dkms build -m availcast -v "$version" -k "$abi" --sourcetree "$root/usr/src" \
		--dkmstree "$work/dkms" > "$work/dkms-$abi.log" 2>&1; then
		built=$(find "$work/dkms/availcast/$version/$abi" -name 'availcast.ko*' | head -n 1)
		mkdir -p "$top/build/dkms/$abi"
		case "$built" in
		*.xz) xz -dc "$built" > "$top/build/dkms/$abi/availcast.ko" ;;
		*.zst) zstd -qdc "$built" > "$top/build/dkms/$abi/availcast.ko" ;;
		*.gz) gzip -dc "$built" > "$top/build/dkms/$abi/availcast.ko" ;;
		*) cp "$built" "$top/build/dkms/$abi/availcast.ko" ;;
		esac
		if [ -s "$top/build/dkms/$abi/availcast.ko" ] &&
		   [ "$(modinfo -F vermagic "$top/build/dkms/$abi/availcast.ko" | cut -d' ' -f1)" = "$abi" ]; then
			tap_ok "$name"
		else
			tap_fail "$name" "no module for $abi in:" "$(find "$work/dkms" -name '*.ko*')"
		fi
	else
		tap_fail "$name" "$(tail -n 30 "$work/dkms-$abi.log")"
	fi
done

# systemd-analyze verify, on this host's systemd: the units as packaged
# but for ExecStart, pointed at the packaged availctl, which it checks is
# there, and the man page they name found in the throwaway root. It
# exits 0 on some findings, so any output is a failure too.
mkdir -p "$work/units"
for unit in "$root"/usr/lib/systemd/system/availctl-*; do
	sed "s|/usr/sbin/availctl|$root/usr/sbin/availctl|g" "$unit" > "$work/units/${unit##*/}"
done
if findings=$(MANPATH=$root/usr/share/man systemd-analyze verify "$work"/units/* 2>&1) &&
   [ -z "$findings" ]; then
	tap_ok "systemd-analyze verify passes on the packaged units"
else
	tap_fail "systemd-analyze verify passes on the packaged units" "$findings"
fi

tap_done
