#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's own style checker, in its strictest mode, over every kernel
# source and header of ours: one result per file.

. "$(dirname "$0")/../lib/tap.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
checkpatch=$top/build/linux-src/scripts/checkpatch.pl

cd "$top" || exit 1
for file in kmod/*.[ch] include/linux/*.h include/uapi/linux/*.h selftests/kmod/*.c selftests/bench/kmod/*.c; do
	[ -e "$file" ] || continue
	if out=$("$checkpatch" --no-tree --strict --terse --show-types -f "$file" 2>&1); then
		tap_ok "checkpatch --strict: $file"
	else
		tap_fail "checkpatch --strict: $file" "$out"
	fi
done
tap_done
