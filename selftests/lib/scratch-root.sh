# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Roots made with debootstrap or chroot in scratch directories, and how
# they go: sourced by selftests/system/base.sh, system/run.sh and
# vm/kernel-root.sh.

# unmount_under DIR: unmounts whatever is mounted below DIR (a chroot's
# proc, sys and dev, or debootstrap's when it was cut short), deepest
# first.
unmount_under() {
	awk -v dir="$1/" 'index($2, dir) == 1 { print $2 }' /proc/mounts |
		sort -r | while read -r point; do umount -l "$point"; done
}

# remove_scratch DIR: DIR removed, never across a mount point, whatever
# was left mounted in it.
remove_scratch() {
	unmount_under "$1"
	rm -rf --one-file-system "$1"
}
