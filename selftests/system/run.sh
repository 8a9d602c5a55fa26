#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [--timeout SECONDS] [--smp N] OUTDIR
#
# The real-system test (issue 16): availcast installed and run as a
# Debian admin would, checked on a real Debian 12 system booted with
# systemd as PID 1. Prints TAP; logs and the consoles go to OUTDIR.
#   1. dpkg-buildpackage -us -uc -b on a copy of the working tree's files
#      (build/system/);
#   2. a fresh copy of the cached Debian 12 root (base.sh: debootstrap,
#      systemd, udev, Debian's current kernel and headers, dkms);
#   3. in a chroot of it, the README's own install line (apt-get install
#      ../availcast-dkms_*.deb ../availctl_*.deb), nothing started there:
#      DKMS builds the module for the root's kernel;
#   4. the root as a raw ext4 disk, booted in qemu (TCG, no network) with
#      its own kernel and initrd, twice: guest/check.sh, run by a oneshot
#      unit, prints TAP on the second serial port; the first boot ends
#      with the guest's reboot, the second with its power-off.
# As root (debootstrap, chroot, mkfs.ext4 -d keeping owners): through
# sudo otherwise.
# About 4 minutes on two cores with the root cached (under a minute to
# build and install, then two boots of 1.5 to 2 minutes); 5 more to
# debootstrap the root the first time.

set -uo pipefail
[ "$(id -u)" -eq 0 ] || exec sudo -E "$0" "$@"

timeout=900
smp=1
while [ $# -gt 0 ]; do
	case $1 in
	--timeout) timeout=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || { echo "usage: run.sh [--timeout S] [--smp N] OUTDIR" >&2; exit 2; }

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/selftests/lib/tap.sh"

mkdir -p "$1"
out=$(cd "$1" && pwd)
work=$top/build/system
root=$work/root
version=$(cat "$top/VERSION")

. "$top/selftests/lib/scratch-root.sh"
cleanup() {
	unmount_under "$root"
	[ -n "${KEEP:-}" ] || rm -rf --one-file-system "$root"
}
trap cleanup EXIT

# step NAME LOG COMMAND...: a host step as one TAP line; on failure its
# log's end as the detail, and the test ends (nothing after it can run).
step() {
	local name=$1 log=$2
	shift 2
	if "$@" > "$log" 2>&1; then
		tap_ok "$name"
	else
		tap_fail "$name" "$(tail -n 30 "$log")"
		tap_done
	fi
}

# The tree's files as they are now, committed or not (git's view of the
# working tree: tracked files still present, and new ones not ignored;
# outside git, a release's tree but for build/), built as packaging.sh
# builds them.
tree_files() {
	if git -C "$top" rev-parse --git-dir > /dev/null 2>&1; then
		(cd "$top" && git ls-files -z --cached --others --exclude-standard |
			while IFS= read -r -d '' file; do
				[ -e "$file" ] && printf '%s\0' "$file"
			done | tar --null -T - -cf -)
	else
		tar -C "$top" --exclude=./build --exclude=./.git -cf - .
	fi
}
build_packages() {
	local src=$work/src/availcast-$version
	mkdir -p "$src"
	tree_files | tar -xf - -C "$src" &&
	(cd "$src" && dpkg-buildpackage -us -uc -b) &&
	mv "$work"/src/*.deb "$work/"
}

# The README's install line (the first "apt-get install ../" one), as it
# stands, but for sudo: the test installs exactly what a reader would.
readme_install() {
	grep -m 1 -E '^(sudo )?apt-get install \.\./' "$top/README.md" | sed 's/^sudo //'
}

# In a chroot of the fresh root, with proc, sys and dev mounted and a
# policy that lets no service start (they would run on this host).
install_packages() {
	local line
	line=$(readme_install)
	[ -n "$line" ] || { echo "no 'apt-get install ../...deb' line in README.md"; return 1; }
	mkdir -p "$root" &&
	tar -C "$root" --numeric-owner --xattrs -xf "$base" || return 1
	cp "$work"/*.deb "$root/root/"
	mkdir -p "$root/root/availcast"
	printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
	chmod 0755 "$root/usr/sbin/policy-rc.d"
	# The line as written has no -y: answered by apt's configuration.
	echo 'APT::Get::Assume-Yes "true";' > "$root/etc/apt/apt.conf.d/99availcast-test"
	mount -t proc proc "$root/proc" &&
	mount -t sysfs sys "$root/sys" &&
	mount --bind /dev "$root/dev" &&
	mount --bind /dev/pts "$root/dev/pts" || return 1
	echo "in the chroot, from /root/availcast: $line"
	chroot "$root" env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 \
		sh -c "cd /root/availcast && $line"
	local status=$?
	unmount_under "$root"
	rm -f "$root/usr/sbin/policy-rc.d" "$root/etc/apt/apt.conf.d/99availcast-test" \
		"$root"/root/*.deb
	rmdir "$root/root/availcast"
	return "$status"
}

# The checks, their unit enabled; the root as a raw ext4 disk image,
# with room to spare; its kernel and initrd beside it for qemu.
make_disk() {
	local lib=$root/usr/local/lib/availcast-system size kernels initrds
	mkdir -p "$lib"
	install -m 0755 "$here/guest/check.sh" "$lib/check.sh"
	install -m 0644 "$top/selftests/lib/tap.sh" "$top/selftests/lib/wait.sh" "$lib/"
	install -m 0644 "$here/guest/availcast-system-test.service" "$root/etc/systemd/system/"
	ln -sf /etc/systemd/system/availcast-system-test.service \
		"$root/etc/systemd/system/multi-user.target.wants/"
	# The root has one kernel (linux-image-amd64's): the last in any case.
	kernels=("$root"/boot/vmlinuz-*)
	initrds=("$root"/boot/initrd.img-*)
	cp "${kernels[-1]}" "$work/vmlinuz" &&
	cp "${initrds[-1]}" "$work/initrd.img" || return 1
	size=$(($(du -sm "$root" | cut -f1) + 768))
	rm -f "$work/disk.img"
	mkfs.ext4 -q -F -L root -d "$root" "$work/disk.img" "${size}M"
}

# boot N: boots the disk; the guest's TAP is appended to $out/tap.raw.
boot() {
	timeout -k 10 "$timeout" qemu-system-x86_64 \
		-nodefaults -no-user-config -accel tcg -cpu max \
		-smp "$smp" -m 1024 -display none -monitor none -nic none -no-reboot \
		-kernel "$work/vmlinuz" -initrd "$work/initrd.img" \
		-append "root=/dev/vda rw console=ttyS0 net.ifnames=0 panic=-1 panic_on_warn=1 oops=panic tsc=reliable" \
		-drive "file=$work/disk.img,format=raw,if=virtio" \
		-serial "file:$out/console-$1.log" -serial "file:$out/tap-$1.raw" \
		> "$out/qemu-$1.log" 2>&1
}

# guest_tap N: the guest's TAP of boot N, numbered on from the host's.
guest_tap() {
	local line name
	while IFS= read -r line; do
		case $line in
		"ok "*)
			name=${line#ok }
			tap_ok "${name#* - }"
			;;
		"not ok "*)
			name=${line#not ok }
			tap_count=$((tap_count + 1))
			tap_failures=$((tap_failures + 1))
			echo "not ok $tap_count - ${name#* - }"
			;;
		"#"*) echo "$line" ;;
		esac
	done < <(tr -d '\r' < "$out/tap-$1.raw")
}

unmount_under "$work"
rm -rf --one-file-system "$work" "$out"/console-* "$out"/tap-* "$out"/qemu-*
mkdir -p "$work" "$out"
SECONDS=0
step "dpkg-buildpackage builds availcast-dkms and availctl from the working tree" \
	"$out/packages.log" build_packages
base=$("$here/base.sh" 2> "$out/base.log")
if [ -n "$base" ]; then
	tap_ok "the cached Debian 12 root is ready ($(basename "$base"))"
else
	tap_fail "the cached Debian 12 root is ready" "$(tail -n 30 "$out/base.log")"
	tap_done
fi
step "the README's apt-get install of both packages succeeds in a Debian 12 root" \
	"$out/install.log" install_packages
step "the installed root becomes a bootable disk image" "$out/disk.log" make_disk
note_time() { echo "# $1 after $SECONDS s"; }
note_time "image built"

# Boot 1 ends with the guest's reboot (-no-reboot: qemu exits), boot 2
# with its power-off; each must have printed its last line.
for n in 1 2; do
	boot "$n"
	status=$?
	guest_tap "$n"
	note_time "boot $n ended (qemu status $status)"
	case $n in
	1) marker="# rebooting" ;;
	2) marker="# system-test: done" ;;
	esac
	if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
		tap_fail "boot $n ends within ${timeout}s" "$(tail -n 30 "$out/console-$n.log")"
		tap_done
	elif ! tr -d '\r' < "$out/tap-$n.raw" | grep -q "^$marker"; then
		tap_fail "boot $n runs its checks to the end ('$marker')" \
			"$(tail -n 30 "$out/console-$n.log")"
		tap_done
	fi
done
tap_ok "the guest ran every check through a reboot and powered off"
tap_done
