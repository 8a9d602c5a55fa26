#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The faults operators meet, on the real daemons with the real module:
# two managers and three hosts as network namespaces (lib/cluster.sh),
# each running its availctl daemon (sanitizer build). One scenario per
# kind of fault that once gave two actives (Documentation/arbitration.rst,
# "The failure table"); after each, lib/cluster_check.py reads every log
# so far and must find no violation: at most one active at any moment,
# one manager per epoch, no store accepting an older epoch, no manager
# entering active or running its active hook with its hold over.

. "$(dirname "$0")/lib/tap.sh"

selftests=$(cd "$(dirname "$0")" && pwd)
availctl=${AVAILCTL:-$selftests/../build/userspace-asan/availctl}
inject=$selftests/../build/selftests/cluster_inject
suspend_shim=$selftests/../build/selftests/suspend_clock.so
cluster_dir=${AVAILCAST_OUT:-/tmp}/cluster-faults
cluster_state=/run/availcast-cluster-faults
. "$selftests/lib/cluster.sh"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:verify_asan_link_order=0

now_ms() { "$inject" now; }

# checked NAME: the checker finds no violation in the logs so far.
checked() {
	local output
	if output=$(python3 "$selftests/lib/cluster_check.py" "$cluster_dir"/*.log); then
		tap_ok "$1: the checker finds no violation"
	else
		tap_fail "$1: the checker finds no violation" "$(grep -v '^active ' <<< "$output")"
	fi
}

# roles ACTIVE: ACTIVE is active, the other manager standby.
roles() {
	wait_until 15 cluster_role_is "$1" active &&
		wait_until 15 cluster_role_is "$(cluster_other "$1")" standby
}

cluster_teardown > /dev/null 2>&1
trap cluster_teardown EXIT
cluster_setup

for node in $cluster_hosts; do
	cluster_start "$node"
done
# m1 sees its host suspend when the test says so (selftests/suspend_clock.c).
suspended_ms=$cluster_dir/m1.suspended
echo 0 > "$suspended_ms"
cluster_start m1 LD_PRELOAD="$suspend_shim" AVAILCAST_SUSPEND_FILE="$suspended_ms" \
	AVAILCAST_NODE=m1
cluster_start m2
tap_check "the cluster forms: m1 active, m2 standby" roles m1

# Kind: time that passes while a node is suspended. The active's host
# sleeps (its process stopped, and its CLOCK_MONOTONIC with it) until the
# standby took over, then wakes: it must count its hold on a clock that
# went on, and step down before it acts.
start=$(now_ms)
cluster_signal m1 STOP
if wait_until 15 cluster_role_is m2 active; then
	tap_ok "m1's host suspended: m2 takes over"
else
	tap_fail "m1's host suspended: m2 takes over" "$(cluster_status m2 2>&1)"
fi
echo $(($(now_ms) - start)) > "$suspended_ms"
cluster_signal m1 CONT
tap_check "m1 wakes and rejoins as standby" roles m2
checked "suspend of the active"

for node in $cluster_managers $cluster_hosts; do
	cluster_signal "$node" TERM
done
wait
tap_check "no sanitizer report from any daemon" \
	bash -c "! grep -l 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error' $cluster_dir/*.log"

tap_done
