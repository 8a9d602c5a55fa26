#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unloading availcast while subscribers listen and charges run on every
# CPU: the unload succeeds, the last broadcast says shutdown, and every
# request in flight ends cleanly (selftests/vm/health.sh then checks the
# kernel log and taint). Leaves the module unloaded: run it last.

. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/ynl.sh"

busy=$(dirname "$0")/../build/selftests/busy
out=${AVAILCAST_OUT:-/tmp}/unload_busy
mkdir -p "$out"

# wait_for SECONDS COMMAND...: polls COMMAND until it succeeds or time is up.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.1
	done
}
lines_at_least() { [ "$(wc -l < "$1" 2> /dev/null || echo 0)" -ge "$2" ]; }

ynl --do config-set --json '{"interval-min-ms": 20, "interval-max-ms": 50}' > /dev/null
ynl --do pool-new --json '{"name": "t-churn", "capacity": 1000000}' > /dev/null

"$busy" listen 120 > "$out/listen1" & listener1=$!
"$busy" listen 120 > "$out/listen2" & listener2=$!
"$busy" churn t-churn > "$out/churn" 2> "$out/churn.err" & churner=$!

tap_check "the subscribers hear broadcasts before the unload" \
	wait_for 30 eval 'lines_at_least "$out/listen1" 3 && lines_at_least "$out/listen2" 3'
tap_check "rmmod succeeds while they listen and charges run" rmmod availcast

wait $listener1; status1=$?
wait $listener2; status2=$?
tap_check "the last broadcast each subscriber hears says shutdown" \
	test "$status1" -eq 0 -a "$status2" -eq 0 -a \
	"$(tail -n 1 "$out/listen1" | cut -d' ' -f2)" = shutdown
wait $churner; status=$?
tap_check "charges in flight end cleanly when the family goes" \
	test "$status" -eq 0 -a "$(cat "$out/churn")" -gt 0
tap_check_fails "no family is left" genl ctrl get name availcast
tap_done
