#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs in a test VM (started by selftests/run-tests.sh through vm/run.sh):
# loads availcast, runs every selftest against it, unloads it and checks
# the kernel's health. Each test writes its TAP to $AVAILCAST_OUT/tap/,
# with its exit status beside it; the host reads and counts them.

set -u

selftests=$AVAILCAST_TREE/selftests
bin=$AVAILCAST_TREE/build/selftests
tap=$AVAILCAST_OUT/tap
export AVAILCAST_KO=$AVAILCAST_TREE/build/kmod/$(uname -r)/availcast.ko

# Every selftest that needs the module loaded, in order; the last one
# unloads it under load.
loaded_tests="
	$selftests/genl_ctrl.sh
	$selftests/sysfs.sh
	$bin/netlink_test
	$bin/broadcast_test
	$bin/counter_test
	$selftests/availctl.sh
	$selftests/kernel_api.sh
	$selftests/ynl.sh
	$selftests/cluster.sh
	$selftests/nl_fuzz.sh
	$selftests/tunable_storm.sh
	$selftests/stress_reload.sh
	$selftests/unload_busy.sh
"

# A test that hangs fails alone instead of taking the whole VM with it.
per_test_timeout=600

rm -rf "$tap"
mkdir -p "$tap"

run_test() {
	local path=$1 name
	name=$(basename "$path" .sh)
	echo "guest-run: $name" > /dev/kmsg
	timeout -k 5 "$per_test_timeout" "$path" > "$tap/$name.tap" 2> "$tap/$name.log"
	echo $? > "$tap/$name.status"
}

run_test "$selftests/lifecycle.sh"
for test in $loaded_tests; do
	run_test "$test"
done
run_test "$selftests/vm/health.sh"
