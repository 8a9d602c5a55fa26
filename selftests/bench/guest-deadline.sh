#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run in the benchmark VM by selftests/bench/run.sh: whether broadcasts
# keep the deadlines they announce when memory runs short. The emitter
# broadcasts every 20 ms (interval_min_ms and interval_max_ms at 20, so
# each message promises the next within 42.5 ms), and availctl watch
# records the stream for BENCH_DEADLINE_SECONDS (default 30) twice: on
# the idle VM, into $AVAILCAST_OUT/quiet.jsonl, then while a memory hog
# (selftests/bench/memory_hog.py) holds 256 MB more than the VM's memory,
# with a compressed swap (zram) for the rest, and keeps touching and
# replacing it, so that the kernel swaps and reclaims all the while, into
# $AVAILCAST_OUT/hog.jsonl; beside each, NAME.reclaim says how much the
# kernel reclaimed meanwhile. selftests/bench/deadline.py compares them.

set -euo pipefail

seconds=${BENCH_DEADLINE_SECONDS:-30}
availctl=$AVAILCAST_TREE/build/userspace/availctl
sysfs=/sys/kernel/availcast

# What reclaim did in a phase: pages scanned (by kswapd and directly, by
# allocating tasks) and the times a task stalled for it.
reclaim() {
	awk '/^pgscan_(kswapd|direct) / { scan += $2 } /^allocstall_/ { stall += $2 }
	     END { print scan + 0, stall + 0 }' /proc/vmstat
}

# record NAME: one phase's stream, NAME.jsonl, and its reclaim, NAME.reclaim.
record() {
	local before after
	before=$(reclaim)
	"$availctl" watch --json --duration "$seconds" > "$AVAILCAST_OUT/$1.jsonl"
	after=$(reclaim)
	set -- "$1" $before $after
	echo "pgscan=$(($4 - $2)) allocstall=$(($5 - $3))" > "$AVAILCAST_OUT/$1.reclaim"
}

insmod "$AVAILCAST_TREE/build/kmod/$(uname -r)/availcast.ko"
echo 20 > "$sysfs/interval_min_ms"
echo 20 > "$sysfs/interval_max_ms"

record quiet

# Swap to compressed RAM, as many hosts have: the hog can then hold more
# than the VM has, and the kernel must swap to give memory to anyone.
modprobe zram num_devices=1
echo 1G > /sys/block/zram0/disksize
mkswap /dev/zram0 > /dev/null
swapon /dev/zram0
ram_mb=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
python3 "$AVAILCAST_TREE/selftests/bench/memory_hog.py" $((ram_mb + 256)) \
	> "$AVAILCAST_OUT/hog.log" 2>&1 &
hog=$!
# Measure once the hog holds what it will hold (it says so), not before.
for _ in $(seq 600); do
	grep -q '^holding' "$AVAILCAST_OUT/hog.log" && break
	kill -0 "$hog" 2> /dev/null || break
	sleep 0.1
done
grep '^holding' "$AVAILCAST_OUT/hog.log"
record hog
kill "$hog" 2> /dev/null || true
wait "$hog" 2> /dev/null || true
dmesg > "$AVAILCAST_OUT/dmesg.txt"
swapoff /dev/zram0
rmmod availcast
