#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run in the benchmark VM by selftests/bench/run.sh: loads availcast and
# times changes reaching a subscriber, with 0, 1 and 8 other subscribers,
# and through polling (selftests/bench/latency_bench.c), into
# $AVAILCAST_OUT/latency.txt.

set -euo pipefail

insmod "$AVAILCAST_TREE/build/kmod/$(uname -r)/availcast.ko"
"$AVAILCAST_TREE/build/selftests/latency_bench" "${BENCH_LATENCY_EVENTS:-10000}" 0 1 8 \
	> "$AVAILCAST_OUT/latency.txt"
rmmod availcast
