#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel-root.sh SUITE: a Debian root of SUITE's release with the newest
# amd64 kernel of SUITE installed in it, made once into the cache and
# reused; prints the kernel's ABI. SUITE is a backports suite, e.g.
# trixie-backports (the kernels of 7.x).
#
# Why a root and not fetch-kernel.sh's extracted packages: 7.x's headers
# cannot be used from this system. Bookworm's gcc-12 rejects their
# -fmin-function-alignment=16 and ignores counted_by, and their kbuild
# helpers (modpost, objtool, genksyms) need glibc 2.38. In a
# debootstrapped root of their own release, with its gcc, they work as
# Debian ships them: the module is built there (build_module.sh, through
# vm/in-root.sh), and the VM boots the image and modules apt installed
# there (kernels.sh --image, --modules-root).
#
# The root holds minbase, make, the compiler, sparse, and SUITE's
# linux-image-ABI and linux-headers-ABI (which bring linux-kbuild and the
# compiler the kernel was built with), installed by apt in the root; then
# root-sparse.sh makes sparse work there with those headers (also in a
# root cached before it did).
# Cached under $cache/roots/SUITE_VERSION/ (VERSION: SUITE's
# linux-image-amd64), so a new upload makes a new root and the old one
# goes. Made under a temporary name and renamed once complete, so that an
# interrupted run never passes for a root; one run at a time.
#
# When SUITE's archive cannot be reached (no network), the newest root
# already cached for SUITE is used, with a warning, instead of failing.
# About 2 minutes the first time, seconds the next. As root (debootstrap,
# chroot): through sudo otherwise.

set -euo pipefail
[ "$(id -u)" -eq 0 ] || exec sudo -E "$0" "$@"

suite=${1:?usage: kernel-root.sh SUITE (e.g. trixie-backports)}
release=${suite%%-*}
here=$(cd "$(dirname "$0")" && pwd)
cache=${AVAILCAST_CACHE:-/var/cache/availcast}
roots=$cache/roots
apt_root=$cache/apt/$suite
mirror=http://deb.debian.org/debian
security=http://deb.debian.org/debian-security

# In the root besides the kernel: what building the module and checking
# it with sparse take (the headers depend on their compiler already), and
# DKMS, which selftests/host/packaging.sh builds the packaged sources
# with (openssl for its signing key). A root cached before one was added
# here gets it at the next run.
packages=(make libc6-dev sparse kmod dkms openssl)

log() { printf 'kernel-root: %s\n' "$*" >&2; }

# The newest complete root of SUITE in the cache, if any.
cached_root() {
	find "$roots" -maxdepth 2 -path "$roots/${suite}_*/release" 2>/dev/null |
		sort -V | tail -n 1 | xargs -r dirname
}

# An apt of our own that sees SUITE alone, to ask which kernel is newest
# there.
# shellcheck source=selftests/lib/own-apt.sh
. "$here/../lib/own-apt.sh"
. "$here/../lib/scratch-root.sh"
own_apt "$apt_root" "deb $mirror $suite main"
mkdir -p "$roots"

version=
if apt-get update -qq 2> "$apt_root/update.log"; then
	version=$(apt-cache policy linux-image-amd64 |
		awk '/Candidate:/ && $2 != "(none)" { print $2 }')
fi
if [ -z "$version" ]; then
	dir=$(cached_root)
	if [ -n "$dir" ]; then
		log "no kernel found in $suite now ($(tail -n 1 "$apt_root/update.log")): using $dir"
		cat "$dir/release"
		exit 0
	fi
	log "no linux-image-amd64 in $suite, and no root cached"
	cat "$apt_root/update.log" >&2
	exit 1
fi
abi=$(apt-cache depends linux-image-amd64 |
	sed -n 's/^ *Depends: linux-image-\([^ <]*\)$/\1/p' | head -n 1)
abi=${abi%-unsigned}
[ -n "$abi" ] || { log "linux-image-amd64 $version in $suite names no ABI"; exit 1; }

dir=$roots/${suite}_$version
exec 9> "$roots/.lock"
flock 9
# fit_sparse ROOT: root-sparse.sh. A failure is the module's sparse check's
# to report (it finds sparse "not available"), not a reason to have no
# root.
fit_sparse() {
	"$here/root-sparse.sh" "$1" "$suite" ||
		log "sparse will not check the module in $1"
}

# root_install ROOT LOG PACKAGE...: apt-get install in ROOT (its mounts made
# by in-root.sh, and gone with it), output to LOG. From SUITE as Debian
# says to install backports (-t SUITE: what the kernel needs newer, such
# as linux-base, comes from there too). INITRD=No: the VM boots our
# initramfs, not Debian's. Nothing started in the root: its services
# would run on this host.
root_install() {
	local root=$1 log=$2 status=0
	shift 2
	printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
	chmod 0755 "$root/usr/sbin/policy-rc.d"
	(cd / && "$here/in-root.sh" "$root" env DEBIAN_FRONTEND=noninteractive INITRD=No sh -c "
		apt-get update -qq &&
		apt-get install -y -qq --no-install-recommends -t $suite $* &&
		apt-get clean") > "$log" 2>&1 || status=$?
	rm -f "$root/usr/sbin/policy-rc.d"
	[ "$status" -eq 0 ] || tail -n 30 "$log" >&2
	return "$status"
}

if [ -f "$dir/release" ]; then
	# shellcheck disable=SC2016 # ${db:...} is dpkg-query's.
	missing=$(chroot "$dir/root" dpkg-query -W -f='${db:Status-Status} ${Package}\n' \
		"${packages[@]}" 2>&1 | awk '$1 != "installed" { printf "%s ", $NF }' || true)
	if [ -n "$missing" ]; then
		log "apt-get install $missing in $dir"
		root_install "$dir/root" "$dir/apt-more.log" "${packages[@]}" ||
			log "the root still lacks some of: $missing"
	fi
	fit_sparse "$dir/root"
	cat "$dir/release"
	exit 0
fi

# Left by a run that was killed (the lock is ours, so none is running):
# removed, never across a mount point.
for old in "$roots"/*.tmp; do
	[ -d "$old" ] || continue
	remove_scratch "$old"
done

work=$dir.tmp
root=$work/root
cleanup() { remove_scratch "$work"; }
trap cleanup EXIT
mkdir -p "$root"

start=$SECONDS
log "debootstrap $release (minbase) into $work for $suite's $abi ($version)"
debootstrap --variant=minbase "$release" "$root" "$mirror" \
	> "$work/debootstrap.log" 2>&1 || {
	tail -n 30 "$work/debootstrap.log" >&2
	exit 1
}
log "debootstrap took $((SECONDS - start)) s"

cat > "$root/etc/apt/sources.list" <<EOF
deb $mirror $release main
deb $mirror $release-updates main
deb $security $release-security main
deb $mirror $suite main
EOF

# The kernel by its ABI's package names.
start=$SECONDS
log "apt-get install linux-image-$abi linux-headers-$abi ${packages[*]}"
root_install "$root" "$work/apt.log" "linux-image-$abi" "linux-headers-$abi" "${packages[@]}"
log "apt-get install took $((SECONDS - start)) s"
if [ ! -e "$root/boot/vmlinuz-$abi" ] || [ ! -f "$root/lib/modules/$abi/modules.dep" ] ||
   [ ! -d "$root/usr/src/linux-headers-$abi" ]; then
	log "the root has no image, modules or headers of $abi"
	exit 1
fi

fit_sparse "$root"

echo "$abi" > "$work/release"
mv "$work" "$dir"
trap - EXIT
# Roots of older uploads: nothing uses them any more.
find "$roots" -mindepth 1 -maxdepth 1 -name "${suite}_*" ! -path "$dir" \
	-exec rm -rf --one-file-system {} +
log "cached $dir"
echo "$abi"
