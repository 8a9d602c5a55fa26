#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run in the benchmark VM by selftests/bench/run.sh: loads availcast and
# counter_bench.ko, whose load runs the hot-path benchmark, and keeps the
# lines it logged in $AVAILCAST_OUT/counter.txt.

set -euo pipefail

kmod=$AVAILCAST_TREE/build/kmod/$(uname -r)
insmod "$kmod/availcast.ko"
insmod "$kmod/selftests/bench/kmod/counter_bench.ko" \
	ops="${BENCH_COUNTER_OPS:-1000000}" repeat="${BENCH_REPEAT:-5}"
dmesg | grep -o 'counter_bench: counter=.*' > "$AVAILCAST_OUT/counter.txt"
rmmod counter_bench
rmmod availcast
