#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run in the benchmark VM by selftests/bench/run.sh: what broadcasting
# costs in CPU time, at the highest periodic rate (every 10 ms), with no
# subscriber and with one, next to polling the same state every 10 ms.
# Each phase lasts BENCH_COST_SECONDS (default 10) and writes a line to
# $AVAILCAST_OUT/cost.txt:
#
#   cost: phase=NAME seconds=N kworker_ns=N process_ns=N sent=N unheard=N
#
# kworker_ns is the CPU time of every workqueue worker (scheduler
# statistics, in ns): the emitter builds and sends messages in the
# high-priority workqueue's, the sampler samples in another's, and the
# phase without the module says what they do anyway; process_ns that of the phase's userspace process, a lean client
# of selftests/bench/latency_bench.c: the subscriber, reading every
# broadcast, or the poller. sent and unheard are the module's
# counters over the phase: messages sent, and periods with nobody
# listening (no message built).

set -euo pipefail

seconds=${BENCH_COST_SECONDS:-10}
sysfs=/sys/kernel/availcast
out=$AVAILCAST_OUT/cost.txt
: > "$out"

# "PID NS" for each workqueue worker. Builtins only: it runs at the
# edges of the measured windows.
kworkers() {
	local dir comm ns rest
	for dir in /proc/[0-9]*; do
		read -r comm < "$dir/comm" 2> /dev/null || continue
		case "$comm" in
		kworker/*)
			read -r ns rest < "$dir/schedstat" 2> /dev/null || continue
			echo "${dir#/proc/} $ns"
			;;
		esac
	done
}

# The CPU time workers used between two kworkers lists: a worker
# that exited in between is lost, one that started counts from zero.
workers_delta() {
	printf '%s\n--\n%s\n' "$1" "$2" |
		awk '$1 == "--" { after = 1; next }
		     !after { was[$1] = $2; next }
		     { total += $2 - was[$1] }
		     END { print total + 0 }'
}

counter() { if [ -r "$sysfs/stats/$1" ]; then cat "$sysfs/stats/$1"; else echo 0; fi; }

# measure NAME [latency_bench MODE]: one phase of $seconds, with the
# client latency_bench runs in MODE, if any, reporting its CPU time.
measure() {
	local name=$1 before after sent unheard start end client=0
	shift
	before=$(kworkers)
	sent=$(counter sent)
	unheard=$(counter unheard)
	start=$EPOCHREALTIME
	if [ $# -gt 0 ]; then
		client=$("$AVAILCAST_TREE/build/selftests/latency_bench" "$@" "$seconds" |
			sed -n 's/^cpu_ns=\([0-9]*\).*/\1/p')
	else
		sleep "$seconds"
	fi
	end=$EPOCHREALTIME
	sent=$(($(counter sent) - sent))
	unheard=$(($(counter unheard) - unheard))
	after=$(kworkers)
	echo "cost: phase=$name seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" \
		"kworker_ns=$(workers_delta "$before" "$after") process_ns=$client" \
		"sent=$sent unheard=$unheard" >> "$out"
}

# What the workers do anyway: the baseline the others are read against.
measure without-module

insmod "$AVAILCAST_TREE/build/kmod/$(uname -r)/availcast.ko"
echo 10 > "$sysfs/interval_min_ms"
echo 10 > "$sysfs/interval_max_ms"

measure no-subscriber
# What of that is the sampler's, which samples whether anyone listens:
# the same with it at its slowest.
sample_ms=$(cat "$sysfs/sample_ms")
echo 60000 > "$sysfs/sample_ms"
measure no-subscriber-sampling-60s
echo "$sample_ms" > "$sysfs/sample_ms"
measure one-subscriber --subscribe-for
# The alternative: a GET every 10 ms (its kernel work runs in its time).
measure polling-10ms --poll-for

rmmod availcast
