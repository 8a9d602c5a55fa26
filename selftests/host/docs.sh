#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The documentation builds: Documentation/ with Sphinx (Debian's
# python3-sphinx), every warning an error, into build/docs/ (make docs);
# kernel-doc, from Debian's linux-source (build/linux-src/), has nothing to
# say about the module's comments; every sysfs file the ABI description
# lists is in the admin guide; and every exit status availctl has
# (AVAILCTL_EXIT_* in availctl.h, SERVICE_EXIT_CONFIG for its value) is
# in availctl(8)'s EXIT STATUS and in availctl.rst's exit codes.

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

# exit_statuses: the values of AVAILCTL_EXIT_*, one a line.
exit_statuses() {
	local config
	config=$(sed -n 's/^#define SERVICE_EXIT_CONFIG[[:space:]]*\([0-9]*\).*/\1/p' \
		"$top/userspace/cluster/service.h")
	sed -n 's/^[[:space:]]*AVAILCTL_EXIT_[A-Z_]* = \([0-9A-Z_]*\),.*/\1/p' \
		"$top/userspace/availctl/availctl.h" | sed "s/^SERVICE_EXIT_CONFIG\$/$config/"
}
statuses=$(exit_statuses)
# Each a ".B N" of its own in the man page's EXIT STATUS, and "N " after
# "Exit codes:" in availctl.rst's paragraph.
man_statuses=$(sed -n '/^\.SH EXIT STATUS/,/^\.SH /s/^\.B \([0-9]*\)$/\1/p' "$top/userspace/availctl.8")
rst_codes=$(sed -n '/^Exit codes:/,/^$/p' "$top/Documentation/availctl.rst" | tr '\n' ' ')
missing=
for status in $statuses; do
	grep -qx "$status" <<< "$man_statuses" || missing+=" $status (availctl.8)"
	[[ " $rst_codes" =~ [^0-9]$status\  ]] || missing+=" $status (availctl.rst)"
done
[ -n "$statuses" ] || missing=" (no AVAILCTL_EXIT_* read in availctl.h)"
# shellcheck disable=SC2086
tap_check "every exit status ($(echo $statuses)) is documented" test -z "$missing"
[ -z "$missing" ] || echo "# missing:$missing"
tap_done
