#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The documentation builds: Documentation/ with Sphinx (Debian's
# python3-sphinx), every warning an error, into build/docs/ (make docs);
# kernel-doc, from Debian's linux-source (build/linux-src/), has nothing to
# say about the module's comments; and every sysfs file the ABI
# description lists is in the admin guide.

. "$(dirname "$0")/../lib/tap.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/docs

rm -rf "$out"
if log=$(sphinx-build -W --keep-going -q -b html "$top/Documentation" "$out" 2>&1); then
	tap_ok "Sphinx builds Documentation/ without a warning"
else
	tap_fail "Sphinx builds Documentation/ without a warning" "$log"
fi

if log=$("$top/build/linux-src/scripts/kernel-doc" -none -Wall \
		"$top"/kmod/*.[ch] "$top"/include/linux/availcast.h 2>&1) && [ -z "$log" ]; then
	tap_ok "kernel-doc runs clean over kmod/ and include/linux/availcast.h"
else
	tap_fail "kernel-doc runs clean over kmod/ and include/linux/availcast.h" "$log"
fi

missing=
for file in $(sed -n 's|^What:[[:space:]]*/sys/kernel/availcast/||p' \
		"$top/Documentation/ABI/testing/sysfs-kernel-availcast"); do
	[ -n "$file" ] || continue
	grep -qF "\`\`${file#stats/}\`\`" "$top/Documentation/admin-guide.rst" || missing+=" $file"
done
tap_check "the admin guide describes every sysfs file of the ABI description" \
	test -z "$missing"
[ -z "$missing" ] || echo "# missing:$missing"
tap_done
