#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every test of availcast, as `make check` runs it:
#   1. installs what is missing (selftests/setup.sh);
#   2. builds the userspace tools, with and without sanitizers, and the
#      selftests;
#   3. host tests: checkpatch, the module built for each Debian kernel with
#      W=1 and sparse, the native unit tests (sanitizer builds), the
#      daemons' configuration checks, spin over the protocol's model, and
#      a short libFuzzer run of every userspace parser;
#   4. VM tests: each Debian kernel booted in qemu with the module loaded,
#      running every selftest (selftests/vm/guest-run.sh), two at a time;
#   5. counts every TAP result and ends with "N passed, N failed".
# Exits non-zero when anything failed. Results: build/results/.
#
# Environment: KERNELS limits the VM tests to kernels whose ABI starts with
# one of its words (e.g. KERNELS=6.12); VM_TIMEOUT (seconds, default 1200)
# bounds each VM.

set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
results=$top/build/results
vm_timeout=${VM_TIMEOUT:-1200}

cd "$top" || exit 1
rm -rf "$results"
mkdir -p "$results/host"

step() { printf '\n== %s\n' "$*"; }

# record NAME STATUS: a result produced by this script, not by a test.
record() {
	local file=$results/host/$1.tap
	if [ "$2" -eq 0 ]; then
		printf 'ok 1 - %s\n1..1\n' "$1" > "$file"
	else
		printf 'not ok 1 - %s\n1..1\n' "$1" > "$file"
	fi
	echo 0 > "$results/host/$1.status"
}

# run_host NAME COMMAND...: a host test writing TAP to stdout.
run_host() {
	local name=$1
	shift
	"$@" > "$results/host/$name.tap" 2> "$results/host/$name.log"
	echo $? > "$results/host/$name.status"
}

step "setup"
if ! "$top/selftests/setup.sh"; then
	echo "setup failed: cannot test" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

step "build"
make -s -C userspace all tests > "$results/host/build-userspace.log" 2>&1
record "userspace builds with -Wall -Wextra -Werror" $?
make -s -C userspace O="$top/build/userspace-asan" SANITIZE=1 all tests \
	> "$results/host/build-userspace-asan.log" 2>&1
record "userspace builds with ASan and UBSan" $?
make -s -C selftests > "$results/host/build-selftests.log" 2>&1
record "the selftests build" $?

kernels=
for prefix in ${KERNELS:-6.1 6.12}; do
	abi=$(selftests/vm/kernels.sh "$prefix." | head -n 1)
	if [ -z "$abi" ]; then
		record "a Debian $prefix kernel is installed" 1
		continue
	fi
	kernels+=" $abi"
done

step "host tests"
run_host checkpatch selftests/host/checkpatch.sh
run_host netlink-spec selftests/host/spec.sh
run_host availctl-cli selftests/host/availctl_cli.sh build/userspace/availctl \
	build/userspace-asan/availctl
run_host cluster-config selftests/host/cluster_config.sh build/userspace/availctl \
	build/userspace-asan/availctl
run_host model selftests/host/model.sh
run_host fuzz selftests/host/fuzz.sh
for abi in $kernels; do
	run_host "module-$abi" selftests/host/build_module.sh "$abi"
done
for test in build/userspace-asan/tests/*; do
	[ -x "$test" ] && run_host "unit-$(basename "$test")" "$test"
done

step "VM tests:$kernels"
# One VM per kernel, all at once: two kernels, two cores.
for abi in $kernels; do
	(
		out=$results/vm-$abi
		mkdir -p "$out"
		if [ ! -e "build/kmod/$abi/availcast.ko" ]; then
			printf 'not ok 1 - %s VM: no module was built for it\n1..1\n' "$abi" > "$out/vm.tap"
			exit
		fi
		# Two CPUs: the counters are per CPU, and one goes offline.
		selftests/vm/run.sh --smp 2 --timeout "$vm_timeout" "$abi" "$out" \
			selftests/vm/guest-run.sh
		status=$?
		case $status in
		0) what="booted, ran every selftest and powered off" ;;
		124) what="timed out after ${vm_timeout}s" ;;
		125) what="never reported a status: panic, WARN or hang" ;;
		*) what="ended with status $status" ;;
		esac
		if [ "$status" -eq 0 ]; then
			printf 'ok 1 - the %s VM %s\n1..1\n' "$abi" "$what" > "$out/vm.tap"
		else
			printf 'not ok 1 - the %s VM %s\n1..1\n' "$abi" "$what" > "$out/vm.tap"
			echo "--- last lines of $out/console.log:"
			tail -n 40 "$out/console.log"
		fi
	) &
done
wait

step "results"
exec "$top/selftests/lib/tap-summary.sh" "$results"
