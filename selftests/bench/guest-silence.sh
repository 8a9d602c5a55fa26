#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run in the benchmark VM by selftests/bench/run.sh: records the real
# broadcast stream that silence detection works on. A pool is charged to
# a new random level every 2 s for BENCH_SILENCE_SECONDS (default 60), so
# the host's level, and with it the period (100 ms free to 1 s full, the
# defaults), keeps changing, thresholds included; availctl watch records
# every broadcast with its announced deadline and the time it was
# received, into $AVAILCAST_OUT/stream.jsonl. selftests/bench/silence.py
# then applies both rules to it on the host.

set -euo pipefail

seconds=${BENCH_SILENCE_SECONDS:-60}
availctl=$AVAILCAST_TREE/build/userspace/availctl

insmod "$AVAILCAST_TREE/build/kmod/$(uname -r)/availcast.ko"
"$availctl" pool create silence 1000 > /dev/null
"$availctl" watch --json --duration "$seconds" > "$AVAILCAST_OUT/stream.jsonl" &
watcher=$!

used=0
end=$((SECONDS + seconds))
while [ "$SECONDS" -lt "$end" ]; do
	next=$((RANDOM % 1001))
	if [ "$next" -gt "$used" ]; then
		"$availctl" pool charge silence $((next - used)) > /dev/null
	elif [ "$next" -lt "$used" ]; then
		"$availctl" pool release silence $((used - next)) > /dev/null
	fi
	used=$next
	sleep 2
done
wait "$watcher"
rmmod availcast
