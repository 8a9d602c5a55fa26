#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# layers.sh: calls in the module flow one way. Each file of kmod/ is in a
# layer, and may include the headers of its own concern and of layers
# below only (Documentation/design.rst, "One direction of calls"):
#
#   0 leaves    compat counter view news
#   1           config                 (the tunables; tells news.h of changes)
#   2           level                  (levels, and crossings of the thresholds)
#   3 sources   pool sampler           (report news through news.h)
#   4 registry  resources              (reads the sources: snapshots)
#   5 emitter   emitter                (sends through a transport it is given)
#   6 fronts    netlink sysfs          (call down only)
#   7 main      main                   (the wiring)
#
# A module's headers are included by their names in quotes; a file of
# kmod/ that no layer names fails too, so that a new one is placed.

. "$(dirname "$0")/../lib/tap.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)

declare -A layer=(
	[compat]=0 [counter]=0 [view]=0 [news]=0
	[config]=1
	[level]=2
	[pool]=3 [sampler]=3
	[resources]=4
	[emitter]=5
	[netlink]=6 [sysfs]=6
	[main]=7
)

for path in "$top"/kmod/*.[ch]; do
	file=${path#"$top"/}
	concern=$(basename "${path%.[ch]}")
	if [ -z "${layer[$concern]:-}" ]; then
		tap_fail "$file is placed in a layer" "add it to layer in $0"
		continue
	fi
	wrong=()
	for header in $(sed -n 's/^#include "\([a-z_]*\)\.h"$/\1/p' "$path"); do
		[ "$header" = "$concern" ] && continue
		if [ -z "${layer[$header]:-}" ] || [ "${layer[$header]}" -ge "${layer[$concern]}" ]; then
			wrong+=("includes $header.h (layer ${layer[$header]:-none}, its own ${layer[$concern]})")
		fi
	done
	if [ ${#wrong[@]} -eq 0 ]; then
		tap_ok "$file calls down only"
	else
		tap_fail "$file calls down only" "${wrong[@]}"
	fi
done
tap_done
