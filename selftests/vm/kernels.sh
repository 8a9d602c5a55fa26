#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Prints the ABI names of the Debian kernels availcast is tested on (6.1,
# then 6.12), one a line, for those whose image and headers are installed.
# The ABI comes from what each metapackage depends on now, so it follows
# Debian's security updates. With an argument, prints only the kernels
# whose ABI starts with it (e.g. "6.12").

for meta in linux-headers-amd64 linux-headers-6.12-amd64; do
	abi=$(dpkg-query -W -f='${Depends}' "$meta" 2>/dev/null |
		sed -n 's/^linux-headers-\([^ ,]*\).*/\1/p')
	[ -n "$abi" ] || continue
	[ -e "/boot/vmlinuz-$abi" ] && [ -d "/lib/modules/$abi/build" ] || continue
	case "$abi" in "${1:-}"*) echo "$abi" ;; esac
done
