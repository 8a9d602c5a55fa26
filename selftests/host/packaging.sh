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
# lib/systemd/system: where bookworm's debhelper looks for units to
# handle (usr/lib/ is merged into it on the installed system).
units="availctl-relay.service availctl-arbiter.service availctl-metrics.service availctl-metrics.timer"
tap_check "availctl ships its man page and the units for both daemons and the metrics" \
	bash -c "test -f '$root/usr/share/man/man8/availctl.8.gz' &&
		 for u in $units; do test -f '$root/lib/systemd/system/'\$u || exit 1; done"
# What debhelper writes for them: stopped on remove, restarted after an
# upgrade if they ran, forgotten on purge; none enabled by the install
# (a daemon needs a configuration and a key first).
mkdir -p "$work/control"
dpkg-deb -e "$work/availctl_${version}_amd64.deb" "$work/control"
for unit in availctl-relay.service availctl-arbiter.service; do
	tap_check "the maintainer scripts stop $unit on remove and purge its state" \
		bash -c "grep -q 'deb-systemd-invoke stop .*$unit' '$work/control/prerm' &&
			 grep -q 'deb-systemd-helper purge .*$unit' '$work/control/postrm'"
	tap_check "the maintainer scripts restart $unit after an upgrade, if it ran" \
		bash -c "grep -q 'deb-systemd-invoke \$_dh_action .*$unit' '$work/control/postinst' &&
			 grep -q '_dh_action=restart' '$work/control/postinst'"
done
tap_check "purge removes the daemons' state (/var/lib/availctl, /run/availctl)" \
	bash -c "grep -q 'rm -rf /var/lib/availctl /run/availctl' '$work/control/postrm'"
tap_check "availctl makes /etc/availctl, where the README's keygen writes" \
	test -d "$root/etc/availctl"
# A commented example, which the daemons accept once its key exists and
# this node's address (m1's) is one of the machine's.
example=$root/usr/share/doc/availctl/examples/availctl.conf
tap_check "availctl ships a commented example configuration" \
	bash -c "test -f '$example' && grep -q '^# ' '$example'"
"$root/usr/sbin/availctl" keygen "$work/example.key" > /dev/null 2>&1
sed "s|/etc/availctl/cluster.key|$work/example.key|; s|^manager = m1 192.0.2.1$|manager = m1 127.0.0.1|" \
	"$example" > "$work/example.conf" 2> /dev/null
tap_check "availctl check accepts the example, its key made and m1 at 127.0.0.1" \
	"$root/usr/sbin/availctl" check --config "$work/example.conf"
tap_check "every document the man page names is in the packages" \
	bash -c "paths=\$(zcat '$root/usr/share/man/man8/availctl.8.gz' | grep -o '/usr/share/doc/[^ ]*' | sort -u)
		 [ -n \"\$paths\" ] || { echo 'the man page names no installed document'; exit 1; }
		 for f in \$paths; do test -f '$root'\$f || { echo \"missing: \$f\"; exit 1; }; done"
# It prints every error and warning it finds (and, as root, a notice).
findings=$(cd "$work" && lintian "availcast_${version}_amd64.changes" 2>&1 |
	grep -v '^running with root privileges')
if [ -z "$findings" ]; then
	tap_ok "lintian: no error and no warning on the packages"
else
	tap_fail "lintian: no error and no warning on the packages" "$findings"
fi

make -s -C "$top" dkms-source DESTDIR="$work/make-dkms-source" > /dev/null
tap_check "make dkms-install gives DKMS the packaged sources" \
	diff -r "$work/make-dkms-source/usr/src/availcast-$version" "$root/usr/src/availcast-$version"

# DKMS from the packaged sources, into trees of our own, for every kernel
# of the lane: those installed here, and those fetched from other Debian
# releases (kernels.sh), whose headers are not where DKMS looks; for a
# kernel whose headers need their own release's compiler (7.x), DKMS runs
# in that release's root (vm/kernel-root.sh), as on such a host.
mkdir -p "$work/dkms"
abis=$("$top/selftests/vm/kernels.sh")
[ -n "$abis" ] || tap_fail "a Debian kernel with headers is installed"
for abi in $abis; do
	name="dkms builds availcast.ko from the packaged sources for $abi"
	kdir=$("$top/selftests/vm/kernels.sh" --build-dir "$abi")
	build_root=$("$top/selftests/vm/kernels.sh" --build-root "$abi")
	in_root=()
	if [ "$build_root" != / ]; then
		in_root=("$top/selftests/vm/in-root.sh" "$build_root")
		kdir=${kdir#"$build_root"}
	fi
	if "${in_root[@]}" dkms build -m availcast -v "$version" -k "$abi" \
		--sourcetree "$root/usr/src" --kernelsourcedir "$kdir" \
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
for unit in "$root"/lib/systemd/system/availctl-*; do
	sed "s|/usr/sbin/availctl|$root/usr/sbin/availctl|g" "$unit" > "$work/units/${unit##*/}"
done
if findings=$(MANPATH=$root/usr/share/man systemd-analyze verify "$work"/units/* 2>&1) &&
   [ -z "$findings" ]; then
	tap_ok "systemd-analyze verify passes on the packaged units"
else
	tap_fail "systemd-analyze verify passes on the packaged units" "$findings"
fi

# make install, without packages: the same units, for availctl under
# PREFIX, and verify passes on them there (PREFIX pointed into the
# throwaway root for verify, which checks ExecStart's program is there).
installed=$work/make-install
make -s -C "$top" install-userspace DESTDIR="$installed" PREFIX=/usr/local > /dev/null 2>&1
for unit in availctl-relay.service availctl-arbiter.service availctl-metrics.service \
	    availctl-metrics.timer; do
	tap_check "make install puts $unit in /usr/local/lib/systemd/system" \
		test -f "$installed/usr/local/lib/systemd/system/$unit"
done
tap_check "its units run /usr/local/sbin/availctl, where it put availctl" \
	bash -c "grep -q '^ExecStart=/usr/local/sbin/availctl relay ' \
			'$installed/usr/local/lib/systemd/system/availctl-relay.service' &&
		 ! grep -rq /usr/sbin/ '$installed/usr/local/lib/systemd/system' &&
		 test -x '$installed/usr/local/sbin/availctl'"
tap_check "make install makes /etc/availctl and installs the example configuration" \
	test -d "$installed/etc/availctl" -a \
	     -f "$installed/usr/local/share/doc/availctl/examples/availctl.conf"
# What its man page and examples name, there: the documents under PREFIX.
named=$(grep -ho '/usr/local/share/doc/availctl/[A-Za-z0-9./_-]*[A-Za-z0-9]' \
	"$installed/usr/local/share/man/man8/availctl.8" \
	"$installed"/usr/local/share/doc/availctl/examples/* | sort -u)
tap_check "make install puts each document its man page and examples name where they name it ($(echo $named | wc -w))" \
	bash -c "[ -n '$named' ] && for f in $(echo $named); do test -f '$installed'\$f || { echo \"no \$f\"; exit 1; }; done"
tap_check_fails "and they name no document under /usr/share/doc, which make install does not fill" \
	grep -rl /usr/share/doc/availctl "$installed/usr/local/share/man" \
	"$installed/usr/local/share/doc/availctl/examples"
mkdir -p "$work/installed-units"
for unit in "$installed"/usr/local/lib/systemd/system/availctl-*; do
	sed "s|/usr/local/sbin/availctl|$installed/usr/local/sbin/availctl|g" "$unit" \
		> "$work/installed-units/${unit##*/}"
done
if findings=$(MANPATH=$installed/usr/local/share/man \
	      systemd-analyze verify "$work"/installed-units/* 2>&1) && [ -z "$findings" ]; then
	tap_ok "systemd-analyze verify passes on the units make install put"
else
	tap_fail "systemd-analyze verify passes on the units make install put" "$findings"
fi

tap_done
