#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run in the benchmark VM by selftests/bench/run.sh: whether broadcasts
# keep the deadlines they announce when memory runs short. The emitter
# broadcasts every 20 ms (interval_min_ms and interval_max_ms at 20, so
# each message promises the next within 42.5 ms), and availctl watch
# records the stream for BENCH_DEADLINE_SECONDS (default 30) twice: on
# the idle VM, into $AVAILCAST_OUT/quiet.jsonl, then while a memory hog
# (selftests/bench/memory_hog.py) holds all but 48 MB of the VM's memory
# and keeps replacing it while reading files through the page cache, so
# that the kernel reclaims all the while, into
# $AVAILCAST_OUT/hog.jsonl. selftests/bench/deadline.py compares them.

set -euo pipefail

seconds=${BENCH_DEADLINE_SECONDS:-30}
availctl=$AVAILCAST_TREE/build/userspace/availctl
sysfs=/sys/kernel/availcast

insmod "$AVAILCAST_TREE/build/kmod/$(uname -r)/availcast.ko"
echo 20 > "$sysfs/interval_min_ms"
echo 20 > "$sysfs/interval_max_ms"

"$availctl" watch --json --duration "$seconds" > "$AVAILCAST_OUT/quiet.jsonl"

python3 "$AVAILCAST_TREE/selftests/bench/memory_hog.py" 48 > "$AVAILCAST_OUT/hog.log" 2>&1 &
hog=$!
# Measure once the hog holds what it will hold (it says so), not before.
for _ in $(seq 600); do
	grep -q '^holding' "$AVAILCAST_OUT/hog.log" && break
	kill -0 "$hog" 2> /dev/null || break
	sleep 0.1
done
grep '^holding' "$AVAILCAST_OUT/hog.log"
"$availctl" watch --json --duration "$seconds" > "$AVAILCAST_OUT/hog.jsonl"
kill "$hog" 2> /dev/null || true
wait "$hog" 2> /dev/null || true
dmesg > "$AVAILCAST_OUT/dmesg.txt"
rmmod availcast
