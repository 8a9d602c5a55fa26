#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The checker of the arbitration invariant (selftests/lib/cluster_check.py)
# must catch every violation it is meant to, or a clean run proves
# nothing. Each case here writes the daemons' logs of one small history,
# with one violation planted (or none), and checks the verdict.

. "$(dirname "$0")/../lib/tap.sh"

check=$(cd "$(dirname "$0")/.." && pwd)/lib/cluster_check.py
dir=$(mktemp -d /tmp/cluster_check.XXXXXX)
trap 'rm -rf "$dir"' EXIT

# The logs of a clean history: m1 active at epoch 1 with its hold renewed
# to 1800, steps down at 1700; m2 takes over at epoch 2 at 2500.
clean() {
	rm -f "$dir"/*.log
	cat > "$dir/m1.log" <<-LOG
	1000 m1 started daemon=arbiter clock=boottime
	1100 m1 role role=active previous=standby epoch=1 witness=h1 generation=1 hold_until=1778 reason="x"
	1101 m1 hold epoch=1 until=1778
	1200 m1 hook-started pid=1 role=active epoch=1 hold_until=1778
	1300 m1 hold epoch=1 until=1800
	1700 m1 role role=fault previous=active epoch=1 hold_until=0 reason="x"
	LOG
	cat > "$dir/m2.log" <<-LOG
	1000 m2 started daemon=arbiter clock=boottime
	2500 m2 role role=active previous=fault epoch=2 witness=h1 generation=2 hold_until=3178 reason="x"
	2501 m2 hold epoch=2 until=3178
	LOG
	cat > "$dir/h1.log" <<-LOG
	1000 h1 started daemon=relay clock=boottime
	1099 h1 witness from=m1 status=done active=m1 epoch=1 generation=1 problem=""
	2499 h1 witness from=m2 status=done active=m2 epoch=2 generation=2 problem=""
	LOG
}

# verdict NAME WANT TEXT: the checker exits WANT (0 or 1) and prints TEXT
# (given $since, "--since MS", for the liveness figures).
since=
verdict() {
	local name=$1 want=$2 text=$3 output status
	output=$(python3 "$check" $since "$dir"/*.log)
	status=$?
	if [ "$status" -eq "$want" ] && grep -q -- "$text" <<< "$output"; then
		tap_ok "$name"
	else
		tap_fail "$name" "exit $status, wanted $want and '$text' in:" "$output"
	fi
}

clean
verdict "a clean history passes" 0 "2 active intervals, 0 violations"

clean
sed -i 's/^1700 m1 role.*/2600 m1 role role=fault previous=active epoch=1 hold_until=0 reason="x"/;
	s/until=1800/until=2700/' "$dir/m1.log"
verdict "two actives at once are caught" 1 "m1 (epoch 1) and m2 (epoch 2) both active"

clean
sed -i 's/epoch=2 witness/epoch=1 witness/; s/hold epoch=2/hold epoch=1/' "$dir/m2.log"
verdict "two managers in one epoch are caught" 1 "epoch 1 had two actives"

clean
sed -i 's/epoch=1 witness/epoch=3 witness/' "$dir/m1.log"
verdict "epochs that do not rise with time are caught" 1 "epochs did not rise"

clean
sed -i 's/^2500 m2 role\(.*\)hold_until=3178/3300 m2 role\1hold_until=3178/;
	s/^2501 m2 hold/3301 m2 hold/' "$dir/m2.log"
verdict "entering active with the hold already over is caught" 1 \
	"m2 entered active at epoch 2 at 3300, its hold over since 3178"

clean
echo "3200 m2 hook-started pid=9 role=active epoch=2" >> "$dir/m2.log"
verdict "an active hook started after the hold ran out is caught" 1 \
	"m2 started its active hook at epoch 2 at 3200, its hold over"

# A hook's line is logged once the daemon hears of its check (checked=),
# which may be later: the check is what is judged.
clean
echo "3400 m2 hook-started pid=9 role=active epoch=2 hold_until=3178 checked=3190" >> "$dir/m2.log"
verdict "an active hook that checked after the hold ran out, logged later, is caught" 1 \
	"m2 started its active hook at epoch 2 at 3190, its hold over"

clean
echo "3400 m2 hook-started pid=9 role=active epoch=2 hold_until=3178 checked=2600" >> "$dir/m2.log"
verdict "an active hook that checked within its hold, logged after it, is no violation" 0 \
	"2 active intervals, 0 violations"

clean
echo "2550 m1 hook-started pid=9 role=active epoch=1 hold_until=3000" >> "$dir/m1.log"
verdict "acting while another is active at a newer epoch is caught" 1 \
	"m1 started its active hook at epoch 1 at 2550 while m2 was active at newer epoch 2"

clean
echo "2600 h1 witness from=m1 status=done active=m1 epoch=1 generation=3 problem=\"\"" \
	>> "$dir/h1.log"
verdict "a store accepting an older epoch is caught" 1 "witness h1 accepted epoch 1 after 2"

# A daemon on CLOCK_MONOTONIC whose host slept 2 s: its own stamps are
# 2000 ms behind the true timeline after the shim's line.
clean
sed -i 's/ clock=boottime//' "$dir/m1.log"
sed -i 's/^1700 m1 role.*//; s/until=1800/until=1000/' "$dir/m1.log"
cat >> "$dir/m1.log" <<-LOG
	1300 m1 clock-suspended monotonic_behind_ms=2000
	700 m1 hold epoch=1 until=900
	720 m1 role role=fault previous=active epoch=1 hold_until=0 reason="x"
	LOG
verdict "a suspended daemon's stopped clock is put back on the true timeline" 1 \
	"m1 (epoch 1) and m2 (epoch 2) both active from 2500 to 2720"

# The same, with the hold logged before the suspend: on waking at 2700
# (its clock 1200, behind by 1500), it still counts on its hold of 1800,
# and acts until it hears of m2 (its clock 1400, 2900 in truth).
clean
sed -i 's/ clock=boottime//' "$dir/m1.log"
sed -i 's/^1700 m1 role.*//; s/until=1800/until=1800/' "$dir/m1.log"
cat >> "$dir/m1.log" <<-LOG
	2700 m1 clock-suspended monotonic_behind_ms=1500
	1400 m1 role role=standby previous=active epoch=2 hold_until=0 reason="x"
	LOG
verdict "a daemon that wakes counting an old hold is seen acting again" 1 \
	"m2 (epoch 2) and m1 (epoch 1) both active from 2700 to 2900"

# Liveness: in the clean history, no manager is active from 1700 (m1's
# step down) to 2500 (m2's takeover), and twice a manager entered active.
clean
since="--since 1000"
verdict "the longest time without an active is measured" 0 \
	"longest without an active: 800 ms from 1700"
verdict "and the times a manager entered active are counted" 0 "entered active: 2 times"
since="--since 2000"
verdict "counted from the time asked" 0 "entered active: 1 times"
since="--since 3000 --until 9000"
verdict "and up to the time asked, past the logs' last line" 0 \
	"longest without an active: 5822 ms from 3178"
since=

tap_done
