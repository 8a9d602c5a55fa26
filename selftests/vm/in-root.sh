#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# in-root.sh ROOT COMMAND...: runs COMMAND chrooted in ROOT (a Debian root
# made by kernel-root.sh), from the current directory (from / when that
# is not in the tree, which alone is seen there), with the project
# tree at its own path inside, so that the links build_module.sh makes to
# the sources resolve there as here. ROOT's own compiler, C library and
# kbuild helpers do the work. Exits with COMMAND's status.
#
# The mounts (/proc, /sys, /dev, the tree) are made in a mount namespace of the
# command's own: they vanish with it, even when it is killed, and never
# show on the host or in ROOT for another run. The only trace left in
# ROOT is the empty folder the tree is mounted on. As root (chroot,
# mount): through sudo otherwise.

set -euo pipefail
[ "$(id -u)" -eq 0 ] || exec sudo -E "$0" "$@"

if [ "${1:-}" != --in-namespace ]; then
	[ $# -ge 2 ] || { echo "usage: in-root.sh ROOT COMMAND..." >&2; exit 2; }
	exec unshare --mount --propagation private -- "$0" --in-namespace "$@"
fi
shift
root=$1
shift
top=$(cd "$(dirname "$0")/../.." && pwd)
[ -x "$root/usr/bin/env" ] || { echo "in-root.sh: $root is no Debian root" >&2; exit 2; }
cwd=/
case $PWD/ in "$top"/*) cwd=$PWD ;; esac

mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount --bind /dev "$root/dev"
mkdir -p "$root$top"
mount --bind "$top" "$root$top"

# The host's environment means nothing there (its PATH, its locale).
# /usr/local first: root-sparse.sh puts a newer sparse there.
# shellcheck disable=SC2016 # $1 and $@ are the inner shell's.
exec chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	HOME=/root LC_ALL=C.UTF-8 sh -c 'cd "$1" && shift && exec "$@"' sh "$cwd" "$@"
