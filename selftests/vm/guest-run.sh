#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest-run.sh [faults GROUP]
#
# Runs in a test VM (started by selftests/run-tests.sh through vm/run.sh):
# loads availcast, runs every selftest against it, unloads it and checks
# the kernel's health. With "faults GROUP", it runs cluster_faults.sh's
# scenarios of GROUP (its FAULTS) instead of the selftests: they take
# longer than the rest together, and run in VMs of their own. Each test
# writes its TAP to $AVAILCAST_OUT/tap/, with its exit status beside it;
# the host reads and counts them.

set -u

selftests=$AVAILCAST_TREE/selftests
bin=$AVAILCAST_TREE/build/selftests
tap=$AVAILCAST_OUT/tap
export AVAILCAST_KO=$AVAILCAST_TREE/build/kmod/$(uname -r)/availcast.ko

# Allocation-failure injection needs a debug kernel (Debian's have none);
# elsewhere the test would only skip, which counts as a failure.
fault_test=
[ -d /sys/kernel/debug/failslab ] && fault_test=$bin/fault_test

# The KASAN kernel (with lockdep, kmemleak and debug objects) runs three to
# four times slower than Debian's under TCG, and a load/unload cycle under
# stress_reload.sh's load takes about 30 s there (1 s on the others). It
# runs the three stress tests shorter, to fit the CI budget: the 90 s and
# 20 s runs are on the Debian and KCSAN kernels (STRESS_CYCLES=5 runs 5
# cycles, however long they take).
# cluster.sh tests the daemons, which are the same on every kernel: it
# runs on Debian 12's newest alone, as the faults do, which saves about
# 200 s of the run on each other kernel. What of the kernel the daemons
# use is tested on every kernel by the other tests: subscribing and
# broadcasts to every namespace (broadcast_test), the family gone and
# back under subscribers (stress_reload.sh).
cluster_test=
case $(uname -r) in
6.12.*+deb12-amd64)
	cluster_test=$selftests/cluster.sh
	;;
*-availcast-kasan)
	export STRESS_CYCLES=5 NL_FUZZ_SECONDS=10 STORM_SECONDS=10
	# availctl.sh with the plain build: the ASan one took 254 s there,
	# the plain one 102 s; the other kernels run it under ASan.
	export AVAILCTL=$AVAILCAST_TREE/build/userspace/availctl
	;;
esac

# Every selftest that needs the module loaded, in order; the last one
# unloads it under load.
loaded_tests="
	$selftests/genl_ctrl.sh
	$selftests/sysfs.sh
	$bin/netlink_test
	$bin/broadcast_test
	$bin/counter_test
	$fault_test
	$selftests/availctl.sh
	$selftests/kernel_api.sh
	$selftests/ynl.py
	$cluster_test
	$selftests/nl_fuzz.sh
	$selftests/tunable_storm.sh
	$selftests/stress_reload.sh
	$selftests/unload_busy.sh
"

# A test that hangs fails alone instead of taking the whole VM with it.
per_test_timeout=600

rm -rf "$tap"
mkdir -p "$tap"

# On a kernel with kmemleak, forget what boot left unreferenced: after the
# tests, selftests/vm/health.sh reports every leak found since.
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan > /sys/kernel/debug/kmemleak
	echo clear > /sys/kernel/debug/kmemleak
fi

run_test() {
	local path=$1 name limit=$per_test_timeout start
	name=$(basename "$path")
	name=${name%.sh}
	name=${name%.py}
	# Its scenarios wait out leases and slow disks: minutes each.
	[ "$name" = cluster_faults ] && limit=1800
	echo "guest-run: $name" > /dev/kmsg
	start=$SECONDS
	timeout -k 5 "$limit" "$path" > "$tap/$name.tap" 2> "$tap/$name.log"
	echo $? > "$tap/$name.status"
	echo $((SECONDS - start)) > "$tap/$name.seconds"	# for the summary's table
}

# The faults of the arbitration's failure table test the daemons, which
# are the same on every kernel: run-tests.sh runs them on Debian 12's
# newest, which has the dm-delay and loop modules they use.
if [ "${1:-}" = faults ]; then
	run_test "$selftests/lifecycle.sh"
	export FAULTS=${2:?guest-run.sh faults GROUP}
	run_test "$selftests/cluster_faults.sh"
	run_test "$selftests/vm/health.sh"
	exit 0
fi

# The module DKMS built from the packaged sources, on Debian's kernels
# (selftests/host/packaging.sh builds it for each).
case $(uname -r) in
*-availcast-*) ;;
*) run_test "$selftests/dkms_load.sh" ;;
esac
run_test "$selftests/lifecycle.sh"
for test in $loaded_tests; do
	run_test "$test"
done
run_test "$selftests/vm/health.sh"

# Last, on a debug kernel: bugs planted on purpose must be reported, or
# the clean reports above meant nothing.
if [ -d /sys/module/kcsan ] || [ -w /sys/kernel/debug/kmemleak ]; then
	run_test "$selftests/vm/checkers_live.sh"
fi
