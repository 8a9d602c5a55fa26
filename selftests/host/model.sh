#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Checks the Promela model of the arbitration protocol
# (selftests/model/arbitration.pml) with spin: an exhaustive search of
# every interleaving of faults and messages must find no state with two
# managers acting as active, no epoch ever held by two managers, and no
# witness write from an older epoch. The faults beyond crashes and lost
# messages (a cut link is every message over it lost: the model's head
# comment) are searched one set at a time, each with the rest: failed
# writes, reloads of the promise, records going back.
#
# AVAILCAST_MODEL=full searches deeper (below).
#
# Then each bug the model once had, or spin once found, put back (-D, see
# the model's head comment) must make the search fail: that shows the
# search reaches such states, and that each rule matters.

. "$(dirname "$0")/../lib/tap.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
work=$top/build/model
rm -rf "$work"
mkdir -p "$work"

# verify NAME [SPIN_DEFINES]: builds the verifier (with $search, how it
# searches: depth first unless told); prints its report.
search=
verify() {
	local dir=$work/$1
	mkdir -p "$dir"
	cp "$top/selftests/model/arbitration.pml" "$dir/"
	(
		cd "$dir" || exit 1
		spin "${@:2}" -a arbitration.pml > spin.log 2>&1 || { cat spin.log; exit 1; }
		gcc -O2 -w -DSAFETY -DCOLLAPSE $search -DMEMLIM=6000 -o pan pan.c > cc.log 2>&1 ||
			{ cat cc.log; exit 1; }
		./pan -m3000000
	)
}

# bounds DEFINES...: "E epochs, G generations", as the defines set them.
bounds() {
	local epochs=3 generations=3 define
	for define; do
		case $define in
		-DMAXE=*) epochs=${define#-DMAXE=} ;;
		-DMAXG=*) generations=${define#-DMAXG=} ;;
		esac
	done
	echo "$epochs epochs, $generations generations"
}

# sound NAME DEFINES...: the search completes and finds nothing.
sound() {
	local name report
	name="$1 ($(bounds "${@:2}"))"
	shift
	report=$(verify "${name//[ ,()]/_}" "$@")
	if grep -q "errors: 0" <<< "$report" &&
		! grep -q "search depth too small\|out of memory\|MEMLIM" <<< "$report"; then
		tap_ok "spin, $name: no reachable state breaks the invariant (exhaustive)"
	else
		tap_fail "spin, $name: no reachable state breaks the invariant (exhaustive)" "$report"
	fi
	grep -E "states, stored|depth reached" <<< "$report" | sed 's/^/# /'
}

# caught WHAT DEFINES...: the model with a bug put back fails.
caught() {
	local what=$1 report
	shift
	report=$(verify "${1#-D}" "$@")
	if grep -q "assertion violated" <<< "$report"; then
		tap_ok "spin: the model with $what is caught"
	else
		tap_fail "spin: the model with $what is caught" "$report"
	fi
}

# How far the clean searches go: three epochs and three witness
# generations for every set of faults (a first witness, a move, a
# takeover, and a takeover in the middle of a move), in about 3 minutes
# on one core (3, 16, 16 and 27 million states). AVAILCAST_MODEL=full
# adds four epochs and four generations with crashes and loss, and with
# failed writes (14 and 86 million states, 7 minutes). Searches beyond
# do not fit: records going back at four, or every fault together at
# three, passed 135 million states in 6 GB and 200 million in 16 GB
# without finding anything or completing.
if [ "${AVAILCAST_MODEL:-ci}" = full ]; then
	sound "crashes and loss" -DMAXE=4 -DMAXG=4
	sound "failed writes" -DPERSIST_FAILS -DMAXE=4 -DMAXG=4
fi
sound "crashes and loss"
sound "failed writes" -DPERSIST_FAILS
sound "promise lengths reloaded" -DRELOADS
sound "records going back" -DROLLBACKS

# Breadth first: the shortest way to a violation, each found in seconds.
search=-DBFS
caught "the forgetful-restart bug" -DFORGETFUL_RESTART
caught "a yes the standby could not write down" -DFAILED_PERSIST_SAYS_YES -DPERSIST_FAILS
caught "the active holding as long as it would promise" -DOWN_PROMISE_LENGTH -DRELOADS
caught "a store serving a record that went back" -DSTORE_SERVES_ROLLBACK -DROLLBACKS
caught "both managers taking epoch + 1" -DSHARED_EPOCHS -DROLLBACKS
caught "a rebooted store's recorded holder skipping the lease" \
	-DHOLDER_SKIPS_QUARANTINE -DROLLBACKS
caught "a standby promising at an epoch it did not write down" \
	-DSTANDBY_FORGETS_CLAIM -DPERSIST_FAILS
caught "a claim that does not wait for the peer's promise" -DCLAIM_WITHOUT_PROMISE
caught "an active holding on the old witness alone while it offers a move" \
	-DMOVE_HOLDS_ON_ONE
caught "a takeover while a move offered may have been agreed" -DTAKEOVER_IN_DOUBT
caught "a restart that forgets the move it offered" -DRESTART_FORGETS_MOVE
caught "a no the peer takes back at a later copy of the proposal" -DSOFT_NO
caught "a move let go of for a newer witness not written down" \
	-DSETTLED_UNWRITTEN -DPERSIST_FAILS

tap_done
