#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run in the benchmark VM by selftests/bench/run.sh: failover times with
# the default timing settings. The cluster of selftests/lib/cluster.sh
# (two managers, three hosts, each a network namespace with its daemon,
# the plain build), then BENCH_FAILOVER_RUNS (default 30) runs of each
# fault, alternating which manager is active:
#
#   kill       the active's daemon is killed (kill -9); it is restarted
#              and rejoins as standby before the next run;
#   partition  the active's link goes down, cutting it off from everyone;
#              it comes back up and the manager rejoins as standby.
#
# Each run writes a line to $AVAILCAST_OUT/failover.txt:
#
#   failover: fault=NAME run=N ms=N
#
# Then keepalived in the same namespaces (bench/keepalived.sh), with its
# defaults and its most aggressive setting, BENCH_FAILOVER_RUNS kills each:
#
#   peer-failover: tool=keepalived profile=NAME fault=kill run=N ms=N
#
# ms runs from the moment just before the fault (CLOCK_BOOTTIME, which
# the daemons' logs share) to the standby's "role=active" log line. At
# the end selftests/lib/cluster_check.py reads every daemon's log and
# the file's last line says whether two managers were ever active at once:
#
#   split-brain: violations=N intervals=N

# Not -e: lib/cluster.sh's teardown tolerates what is already gone.
set -uo pipefail

runs=${BENCH_FAILOVER_RUNS:-30}
selftests=$AVAILCAST_TREE/selftests
availctl=$AVAILCAST_TREE/build/userspace/availctl
inject=$AVAILCAST_TREE/build/selftests/cluster_inject
cluster_dir=$AVAILCAST_OUT/cluster
out=$AVAILCAST_OUT/failover.txt
. "$selftests/lib/cluster.sh"
. "$selftests/bench/keepalived.sh"

# settled ACTIVE: ACTIVE is active and the other manager standby.
settled() {
	wait_until 20 cluster_role_is "$1" active &&
		wait_until 20 cluster_role_is "$(cluster_other "$1")" standby
}

# one_run FAULT N ACTIVE: fault ACTIVE, time the takeover, restore.
one_run() {
	local fault=$1 run=$2 active=$3 standby fault_ms
	standby=$(cluster_other "$active")
	fault_ms=$("$inject" now)
	case $fault in
	kill) cluster_kill "$active" ;;
	partition) ip -n "ac-$active" link set eth0 down ;;
	esac
	if ! wait_until 20 cluster_role_is "$standby" active; then
		echo "guest-failover: $fault run $run: $standby did not take over" >&2
		exit 1
	fi
	echo "failover: fault=$fault run=$run ms=$(cluster_active_after "$fault_ms" "$standby")" >> "$out"
	case $fault in
	kill) cluster_start "$active" ;;
	partition) ip -n "ac-$active" link set eth0 up ;;
	esac
	if ! settled "$standby"; then
		echo "guest-failover: $fault run $run: $active did not rejoin as standby" >&2
		exit 1
	fi
}

insmod "$AVAILCAST_TREE/build/kmod/$(uname -r)/availcast.ko" || exit 1
: > "$out"
cluster_teardown > /dev/null 2>&1
trap 'keepalived_teardown; cluster_teardown' EXIT
cluster_setup || exit 1
for node in $cluster_hosts $cluster_managers; do
	cluster_start "$node"
done
if ! settled m1; then
	echo "guest-failover: the cluster did not start: m1 active, m2 standby" >&2
	exit 1
fi

active=m1
for fault in kill partition; do
	for run in $(seq "$runs"); do
		one_run "$fault" "$run" "$active"
		active=$(cluster_other "$active")
	done
done

# keepalived in the same namespaces, with availcast's daemons gone.
for node in $cluster_nodes; do
	cluster_kill "$node"
done
keepalived_setup
for profile in defaults aggressive; do
	keepalived_runs "$profile" "$runs" || exit 1
done

cluster_teardown
trap - EXIT
summary=$(python3 "$selftests/lib/cluster_check.py" "$cluster_dir"/*.log | tail -n 1)
# "N active intervals, N violations"
echo "split-brain: violations=$(echo "$summary" | awk '{ print $4 }')" \
	"intervals=$(echo "$summary" | awk '{ print $1 }')" >> "$out"
rmmod availcast || exit 1
