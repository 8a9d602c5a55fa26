#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Checks the Promela model of the arbitration protocol
# (selftests/model/arbitration.pml) with spin: an exhaustive search of
# every interleaving of faults and messages must find no state with two
# managers acting as active, none with two actives in one epoch, and no
# witness write from an older epoch. Then the same model with a bug spin
# once found (a restarted manager forgetting the promise it gave) must
# fail, which shows the search reaches such states.

. "$(dirname "$0")/../lib/tap.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
work=$top/build/model
rm -rf "$work"
mkdir -p "$work"

# verify NAME [SPIN_DEFINES]: builds the verifier; prints its report.
verify() {
	local dir=$work/$1
	mkdir -p "$dir"
	cp "$top/selftests/model/arbitration.pml" "$dir/"
	(
		cd "$dir" || exit 1
		spin "${@:2}" -a arbitration.pml > spin.log 2>&1 || { cat spin.log; exit 1; }
		gcc -O2 -DSAFETY -DCOLLAPSE -DMEMLIM=4000 -o pan pan.c > cc.log 2>&1 ||
			{ cat cc.log; exit 1; }
		./pan -m3000000
	)
}

report=$(verify sound)
if grep -q "errors: 0" <<< "$report" && ! grep -q "search depth too small\|out of memory" <<< "$report"; then
	tap_ok "spin: no reachable state breaks the invariant (exhaustive)"
else
	tap_fail "spin: no reachable state breaks the invariant (exhaustive)" "$report"
fi
grep -E "states, stored|depth reached" <<< "$report" | sed 's/^/# /'

report=$(verify broken -DFORGETFUL_RESTART)
if grep -q "assertion violated" <<< "$report"; then
	tap_ok "spin: the model with the forgetful-restart bug is caught"
else
	tap_fail "spin: the model with the forgetful-restart bug is caught" "$report"
fi

tap_done
