#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: runs the benchmarks of Documentation/benchmarks.rst and
# rewrites that file with the results, then prints its tables. Not part
# of make check: it measures, it does not test.
#
# Each benchmark runs the obvious alternative in the same run, and the
# ratios are the claim: absolute times in a TCG VM are only indicative.
#
# Environment: BENCH_KERNEL (default 6.12: the Debian kernel booted),
# BENCH_COUNTER_OPS (operations per CPU per run, default 1000000),
# BENCH_REPEAT (runs of each, default 5; the median is reported),
# BENCH_INGEST_SECONDS (of each ingest measurement, default 5),
# BENCH_LATENCY_EVENTS (changes timed per method, default 10000),
# BENCH_COST_SECONDS (of each phase of the cost of broadcasting, default 10),
# BENCH_FAILOVER_RUNS (of each fault, default 30),
# BENCH_SILENCE_SECONDS (of the recorded stream, default 60),
# BENCH_DEADLINE_SECONDS (of each phase of deadlines under a memory hog, default 30).

set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"

# keepalived: run beside availcast in the failover benchmark.
SETUP_EXTRA_PACKAGES=keepalived selftests/setup.sh
abi=$(selftests/vm/kernels.sh --one "${BENCH_KERNEL:-6.12}")
ops=${BENCH_COUNTER_OPS:-1000000}
repeat=${BENCH_REPEAT:-5}
ingest_seconds=${BENCH_INGEST_SECONDS:-5}
events=${BENCH_LATENCY_EVENTS:-10000}
cost_seconds=${BENCH_COST_SECONDS:-10}
failover_runs=${BENCH_FAILOVER_RUNS:-30}
silence_seconds=${BENCH_SILENCE_SECONDS:-60}
deadline_seconds=${BENCH_DEADLINE_SECONDS:-30}

out=build/bench
rm -rf "$out"
mkdir -p "$out"

echo "== building availcast.ko and the benchmark module for $abi, and the native benchmarks"
make -s -C userspace all bench
make -s -C selftests
if ! selftests/host/build_module.sh "$abi" > "$out/build-module.tap"; then
	cat "$out/build-module.tap" >&2
	exit 1
fi

# What the results depend on, for the report.
{
	echo "command=$(env | grep -E '^BENCH_' | sort | tr '\n' ' ')make bench"
	echo "commit=$(git rev-parse --short HEAD 2> /dev/null || echo unknown)"
	echo "date=$(date -u +%Y-%m-%d)"
	echo "kernel=$abi"
	echo "qemu=$(qemu-system-x86_64 --version | head -n 1)"
	echo "cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -n 1)"
	echo "host_cpus=$(nproc)"
	echo "counter_ops=$ops"
	echo "repeat=$repeat"
	echo "ingest_seconds=$ingest_seconds"
	echo "latency_events=$events"
	echo "cost_seconds=$cost_seconds"
	echo "failover_runs=$failover_runs"
	echo "silence_seconds=$silence_seconds"
	echo "deadline_seconds=$deadline_seconds"
} > "$out/meta.txt"

# The hot path on one and on two vCPUs: one thread per CPU, so two
# vCPUs are where the shared counters contend.
for smp in 1 2; do
	echo "== hot path: $smp vCPU(s)"
	selftests/vm/run.sh --smp "$smp" --timeout 1200 "$abi" "$out/counter-smp$smp" \
		env BENCH_COUNTER_OPS="$ops" BENCH_REPEAT="$repeat" \
		selftests/bench/guest-counter.sh
done

# From a change to the subscriber, on two vCPUs: the broadcast is built
# in a work item, which can then run beside the process that charged.
echo "== change-to-subscriber latency"
selftests/vm/run.sh --smp 2 --timeout 1800 "$abi" "$out/latency" \
	env BENCH_LATENCY_EVENTS="$events" selftests/bench/guest-latency.sh

echo "== the cost of broadcasting"
selftests/vm/run.sh --smp 2 --timeout 900 "$abi" "$out/cost" \
	env BENCH_COST_SECONDS="$cost_seconds" selftests/bench/guest-cost.sh

echo "== failover: $failover_runs runs of each fault"
selftests/vm/run.sh --smp 2 --timeout 3600 "$abi" "$out/failover" \
	env BENCH_FAILOVER_RUNS="$failover_runs" selftests/bench/guest-failover.sh

echo "== silence detection: recording $silence_seconds s of broadcasts"
selftests/vm/run.sh --smp 2 --timeout 900 "$abi" "$out/silence" \
	env BENCH_SILENCE_SECONDS="$silence_seconds" selftests/bench/guest-silence.sh
python3 selftests/bench/silence.py "$out/silence/stream.jsonl" 100 10000 > "$out/silence.txt"

echo "== deadlines under a memory hog: $deadline_seconds s idle, then as long with the hog"
selftests/vm/run.sh --smp 2 --timeout 900 "$abi" "$out/deadline" \
	env BENCH_DEADLINE_SECONDS="$deadline_seconds" selftests/bench/guest-deadline.sh
python3 selftests/bench/deadline.py "idle=$out/deadline/quiet.jsonl" \
	"memory hog=$out/deadline/hog.jsonl" > "$out/deadline.txt"

# Manager ingest, native: 10 hosts, the 10,000 of the goal, and 100,000.
# A size the daemons refuse is reported with their reason.
for hosts in 10 10000 100000; do
	echo "== manager ingest: $hosts hosts"
	for _ in $(seq "$repeat"); do
		if ! build/userspace/bench/ingest_bench "$hosts" "$ingest_seconds" \
			>> "$out/ingest.txt" 2> "$out/ingest-$hosts.err"; then
			break
		fi
	done
done

python3 selftests/bench/report.py "$out" Documentation/benchmarks.rst
