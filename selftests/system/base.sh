#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# base.sh: prints the path of the cached Debian 12 root the real-system
# test starts from, building it first if the cache has none.
#
# The root is what an admin's freshly installed server would be, made by
# debootstrap (minbase) plus what booting it and building the module
# with DKMS need: systemd as PID 1, udev, kmod, iproute2, Debian's
# current linux-image-amd64 and linux-headers-amd64, dkms and a
# compiler, initramfs-tools, and the libraries the availctl package
# links to (the guest has no network: apt-get install ./*.deb in the
# chroot must find every dependency already there).
#
# Cached as a tarball under /var/cache/availcast/system/ (AVAILCAST_CACHE
# as for selftests/setup.sh), named by a hash of this script's text and
# of the kernel metapackage's version apt would install: a new package
# list or a Debian kernel update builds a new root, anything else reuses
# it. Built under a temporary name and renamed once complete, so that an
# interrupted build never passes for a cached root; one build at a time
# (run-tests.sh starts one early, run.sh may ask while it runs: it
# waits for it). Takes about 5 minutes the first time, nothing the next.
# As root (debootstrap, chroot): through sudo otherwise.

set -euo pipefail
[ "$(id -u)" -eq 0 ] || exec sudo -E "$0" "$@"

cache=${AVAILCAST_CACHE:-/var/cache/availcast}/system
mirror=http://deb.debian.org/debian
security=http://deb.debian.org/debian-security

# In debootstrap's own run: a root that boots with systemd and udev.
include=systemd,systemd-sysv,udev,dbus,kmod,iproute2,procps
# In the chroot, by apt (debootstrap resolves dependencies of alternatives
# poorly): the kernel and its headers, DKMS and a compiler, what builds
# an initrd, openssl for DKMS's signing key, and availctl's libraries.
packages=(linux-image-amd64 linux-headers-amd64 initramfs-tools
	dkms gcc make libc6-dev openssl
	libnl-3-200 libnl-genl-3-200 libsodium23)

log() { printf 'system/base: %s\n' "$*" >&2; }

# The kernel apt would install now: part of the key, so that the cached
# root follows Debian's security updates instead of keeping an old kernel.
kernel_version=$(apt-cache policy linux-image-amd64 2>/dev/null |
	awk '/Candidate:/ { print $2 }')
key=$( { cat "$0"; echo "$kernel_version"; } | sha256sum | cut -c1-16)
tarball=$cache/base-$key.tar

mkdir -p "$cache"
exec 9> "$cache/base.lock"
flock 9
if [ -f "$tarball" ]; then
	echo "$tarball"
	exit 0
fi

. "$(dirname "$0")/../lib/scratch-root.sh"

# Left by a build that was killed (its process is gone): removed. Never
# across a mount point, whatever happened.
for old in "$cache"/base-*.tmp.*; do
	[ -d "$old" ] || continue
	kill -0 "${old##*.}" 2>/dev/null && continue
	remove_scratch "$old"
done

work=$cache/base-$key.tmp.$$
root=$work/root
cleanup() { remove_scratch "$work"; }
trap cleanup EXIT
mkdir -p "$root"

log "debootstrap bookworm (minbase) into $work"
debootstrap --variant=minbase --include="$include" bookworm "$root" "$mirror" \
	> "$work/debootstrap.log" 2>&1 || {
	tail -n 30 "$work/debootstrap.log" >&2
	exit 1
}

# The security suite carries the kernel's updates.
cat > "$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security bookworm-security main
EOF
# Nothing started in the chroot: its services would run on this host.
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
for fs in proc sys dev dev/pts; do
	case $fs in
	proc) mount -t proc proc "$root/proc" ;;
	sys) mount -t sysfs sys "$root/sys" ;;
	*) mount --bind "/$fs" "$root/$fs" ;;
	esac
done

log "apt-get install ${packages[*]}"
chroot "$root" env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 sh -c "
	apt-get update -qq &&
	apt-get install -y -qq --no-install-recommends ${packages[*]} &&
	apt-get clean" > "$work/apt.log" 2>&1 || {
	tail -n 30 "$work/apt.log" >&2
	exit 1
}

unmount_under "$root"
rm -f "$root/usr/sbin/policy-rc.d"

# The machine: its root on the VM's disk, a name, loopback only.
echo '/dev/vda / ext4 defaults 0 1' > "$root/etc/fstab"
echo availcast-system > "$root/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 availcast-system\n' > "$root/etc/hosts"
# Each copy boots as a new machine.
: > "$root/etc/machine-id"

tar -C "$root" --numeric-owner --xattrs -cf "$work/base.tar" .
mv "$work/base.tar" "$tarball"
# Roots of older keys: nothing uses them any more.
find "$cache" -maxdepth 1 -name 'base-*.tar' ! -name "base-$key.tar" -delete
log "cached $tarball"
echo "$tarball"
