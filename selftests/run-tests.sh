#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every test of availcast, as `make check` runs it:
#   1. installs what is missing (selftests/setup.sh), and builds the
#      debug kernels (selftests/debug-kernel/build.sh) on the CPU that
#      2. to 4. leave idle;
#   2. builds the userspace tools, with and without sanitizers, and the
#      selftests;
#   3. host tests, in four lanes side by side (see below): checkpatch,
#      the module built for each kernel with W=1
#      and sparse, the native unit tests (sanitizer builds), the
#      daemons' configuration checks and metrics (promtool), the
#      documentation (Sphinx, kernel-doc), the Debian packages and DKMS
#      builds from them for each kernel, systemd-analyze verify on the
#      units, spin over the protocol's model, and a short libFuzzer run of
#      every userspace parser;
#   4. VM tests: each Debian kernel (5.10, 6.1, 6.12, and trixie-backports'
#      7.x from a Debian 13 root made once and cached, vm/kernel-root.sh,
#      made on idle CPU like the debug kernels when not cached, and in
#      which its module is built), and each debug kernel (KASAN, lockdep,
#      kmemleak, ... in one; KCSAN in the other), booted in qemu with the
#      module loaded, running every selftest (selftests/vm/guest-run.sh),
#      and two more of Debian's 6.12 for the two groups of
#      cluster_faults.sh's scenarios, two VMs at a time, those of Debian's
#      kernels while the debug kernels are still building; and the
#      real-system test (selftests/system/run.sh): the Debian packages
#      installed with apt-get into a Debian 12 root (debootstrapped once,
#      cached; when not, made on idle CPU from the start like the debug
#      kernels), booted with systemd and checked there, the rest of its
#      image built just before its VM starts;
#   5. counts every TAP result and ends with "N passed, N failed".
# Exits non-zero when anything failed. Results: build/results/.
#
# Environment: KERNELS limits the VM tests to some of "5.10 6.1 6.12 7
# kasan kcsan system" (a Debian kernel by the start of its ABI, a debug kernel by
# name, "system" the real-system test; e.g. KERNELS=6.12, or
# KERNELS=system for that test alone), or leaves them all out
# (KERNELS=none: the host tests only, the quick lane of an edit-test
# loop); VM_TIMEOUT (seconds, default 1200 for a Debian kernel, twice that
# for a debug one or a group of cluster_faults.sh's scenarios; for the
# real-system test, each of its two boots) bounds each VM.

set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
results=$top/build/results
wanted_kernels=${KERNELS:-5.10 6.1 6.12 7 kasan kcsan system}
[ "$wanted_kernels" = none ] && wanted_kernels=

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

# run_host NAME COMMAND...: a host test writing TAP to stdout; its time
# in NAME.seconds, for the summary's table, and a line as it ends, so
# that a long run shows it goes on (the results come at the end).
run_host() {
	local name=$1 start=$SECONDS
	shift
	"$@" > "$results/host/$name.tap" 2> "$results/host/$name.log"
	echo $? > "$results/host/$name.status"
	echo $((SECONDS - start)) > "$results/host/$name.seconds"
	echo "  host/$name: ended after $((SECONDS - start)) s"
}

debug_names=
system_test=false
for word in $wanted_kernels; do
	[ -f "selftests/debug-kernel/$word.config" ] && debug_names+=" $word"
	[ "$word" = system ] && system_test=true
done

step "setup"
if ! "$top/selftests/setup.sh" --no-kernel-root; then
	echo "setup failed: cannot test" >&2
	echo "0 passed, 1 failed"
	exit 1
fi
# The debug kernels build (about 10 minutes each on two cores, when their
# key changed) at SCHED_IDLE: on whatever CPU the host tests, then the
# VMs of Debian's kernels, leave idle, so that nothing waits for them
# until their own VMs start. The status goes to a file: the VMs' loop
# below reaps jobs as they end, this one among them.
debug_status=$results/host/debug-kernels.exit
if [ -n "$debug_names" ]; then
	# shellcheck disable=SC2086
	( chrt --idle 0 selftests/debug-kernel/build.sh $debug_names \
		> "$results/host/debug-kernels.log" 2>&1
	  echo $? > "$debug_status.new"
	  mv "$debug_status.new" "$debug_status" ) &
fi
# The real-system test's Debian root, when not cached (debootstrap,
# about 5 minutes), the same way; its VM, last, waits for it if need be.
if $system_test; then
	chrt --idle 0 selftests/system/base.sh > /dev/null \
		2> "$results/host/system-base.log" &
fi

# The Debian 13 root that 7.x's module is built in and its VM boots from
# (debootstrap and apt, about 3 minutes, when not cached), the same way:
# always, since DKMS's build (packaging.sh) and the module's build for
# 7.x are host tests (below), which wait for it.
chrt --idle 0 selftests/vm/kernel-root.sh trixie-backports > /dev/null \
	2> "$results/host/kernel-root.log" &
kernel_root=$!

step "build"
make -s -C userspace all tests bench > "$results/host/build-userspace.log" 2>&1
record "userspace builds with -Wall -Wextra -Werror" $?
make -s -C userspace O="$top/build/userspace-asan" SANITIZE=1 all tests bench \
	> "$results/host/build-userspace-asan.log" 2>&1
record "userspace builds with ASan and UBSan" $?
make -s -C selftests > "$results/host/build-selftests.log" 2>&1
record "the selftests build" $?

step "host tests"
# Four lanes side by side. The daemons' tests mostly wait, on leases,
# heartbeats and deadlines (about a quarter of a core each, measured with
# time(1)): two lanes of them, each test in a network namespace of its
# own, so that the daemons' ports on 127.0.0.1 of two tests never meet.
# The model's exhaustive searches keep one core busy for about 4 minutes
# (7 beside the other lanes): a lane of their own, then three of the module's builds (7.x's needs its
# Debian 13 root). The rest, the fuzzers, the
# unit tests' simulations, the package and module builds, runs on what is
# left, at nice 10, so that no daemon judged on its timing waits for it.
# Beside the host tests alone this takes the host tests from about 17
# minutes to about 10 (the lanes' times are in the summary's table).
# run_host_nice NAME COMMAND...: run_host at nice 10.
run_host_nice() {
	local name=$1
	shift
	run_host "$name" nice -n 10 "$@"
}
# own_net COMMAND...: COMMAND in a network namespace of its own, its
# loopback up.
own_net() { unshare -n sh -c 'ip link set lo up && exec "$@"' sh "$@"; }
# daemon_lane NAME...: selftests/host/NAME.sh one after another, with
# both builds.
daemon_lane() {
	local name
	for name in "$@"; do
		run_host "${name//_/-}" own_net "selftests/host/$name.sh" \
			build/userspace/availctl build/userspace-asan/availctl
	done
}
# The two lanes take about the same time (about 5 minutes each on CI).
daemon_lane state_dir blocked_log stall cluster_config hooks availctl_cli peer_status \
	memory_lock &
lane1=$!
daemon_lane log_priority metrics control_path reload notify pressure listen \
	closed_fds &
lane2=$!
# module_for WORD: the module built for Debian's kernel WORD (W=1, sparse),
# for every Debian kernel of the lane, whichever VMs KERNELS keeps (the
# quick lane too). A core each, about a minute.
module_for() {
	local abi
	abi=$(selftests/vm/kernels.sh "$1." | head -n 1)
	[ -z "$abi" ] || run_host_nice "module-$abi" selftests/host/build_module.sh "$abi"
}
( run_host model selftests/host/model.sh
  for word in 5.10 6.1 6.12; do
	module_for "$word"
  done ) &
model=$!
run_host cluster-check own_net selftests/host/cluster_check.sh
run_host_nice checkpatch selftests/host/checkpatch.sh
run_host layers selftests/host/layers.sh
run_host netlink-spec selftests/host/spec.sh
run_host_nice docs selftests/host/docs.sh
# The kernel root, for DKMS's build there and the module's below.
wait "$kernel_root"
record "the Debian 13 root of trixie-backports' kernel is made" $?
module_for 7
run_host_nice packaging selftests/host/packaging.sh
run_host_nice fuzz selftests/host/fuzz.sh
for test in build/userspace-asan/tests/*; do
	[ -x "$test" ] && run_host_nice "unit-$(basename "$test")" "$test"
done
wait "$lane1" "$lane2" "$model"

# The VMs, each "ABI" (every selftest), "ABI:GROUP" (cluster_faults.sh's
# scenarios of GROUP, vm/guest-run.sh) or "debug:NAME" (every selftest
# on debug kernel NAME, once built): the two groups of faults together
# (about 20 min each, one CPU each, see run_vm), then the longest first,
# so that the last to start ends soonest (CI, 2026-12-06: KASAN 15 min,
# 6.12's 9 with the daemons' cluster test, KCSAN and the other Debian
# kernels 6 each, the real system 4; 6.12's after KASAN instead of
# among the others took 57 s off the packing of those seven).
debian_kernels=
for word in $wanted_kernels; do
	[ -f "selftests/debug-kernel/$word.config" ] && continue
	[ "$word" = system ] && continue
	abi=$(selftests/vm/kernels.sh "$word." | head -n 1)
	if [ -n "$abi" ]; then
		debian_kernels+=" $abi"
	else
		record "a Debian $word kernel is installed" 1
	fi
done
faults_kernel=
for abi in $debian_kernels; do
	case $abi in 6.12.*+deb12-*) faults_kernel=$abi ;; esac
done
vms=
[ -n "$faults_kernel" ] && vms+=" $faults_kernel:timing $faults_kernel:disks"
# 6.12's after the first debug kernel's, before the other ones.
second=$faults_kernel
for name in $debug_names; do
	vms+=" debug:$name $second"
	second=
done
for abi in $debian_kernels; do
	[[ " $vms " == *" $abi "* ]] || vms+=" $abi"
done
# Last: about 4 minutes, its image's build included.
$system_test && vms+=" system"

# debug_built: whether the debug kernels' build ended; the first time it
# has, records it and builds the module for each.
declare -A debug_abi=()
debug_done=false
debug_built() {
	local name abi
	$debug_done && return 0
	[ -f "$debug_status" ] || return 1
	debug_done=true
	record "the debug kernels (${debug_names# }) build from linux-source-6.12" \
		"$(cat "$debug_status")"
	for name in $debug_names; do
		abi=$(selftests/vm/kernels.sh --debug | grep -e "-availcast-$name\$")
		if [ -z "$abi" ]; then
			record "the $name debug kernel is built" 1
			continue
		fi
		debug_abi[$name]=$abi
		run_host "module-$abi" selftests/host/build_module.sh "$abi"
	done
}

# run_vm ABI[:GROUP] [DEBUG]: boots kernel ABI and runs every selftest
# in it, or the faults of GROUP; DEBUG says it is a debug kernel.
run_vm() {
	local abi=${1%%:*} group='' out=$results/vm-$1 timeout=${VM_TIMEOUT:-1200} status what smp
	local start

	case $1 in *:*) group=${1#*:} out=$results/vm-$abi-faults-$group ;; esac
	mkdir -p "$out"
	if [ ! -e "build/kmod/$abi/availcast.ko" ]; then
		printf 'not ok 1 - %s VM: no module was built for it\n1..1\n' "$1" > "$out/vm.tap"
		return
	fi
	[ -n "${2:-}" ] && timeout=${VM_TIMEOUT:-2400}
	# A group of faults: 15 to 25 minutes beside another VM (its test
	# alone may take 1800 s, vm/guest-run.sh).
	[ -n "$group" ] && timeout=${VM_TIMEOUT:-2400}
	# Two CPUs: the counters are per CPU, and one goes offline. The
	# faults, whose timing is judged, on one: two such VMs side by side
	# then have a core each, where two VMs of two CPUs would take turns
	# on the host's two and each lose time it counts (a starved relay's
	# CPU quota is charged for the time the host ran the other VM).
	smp=2
	[ -n "$group" ] && smp=1
	start=$SECONDS
	selftests/vm/run.sh --smp "$smp" --timeout "$timeout" "$abi" "$out" \
		selftests/vm/guest-run.sh ${group:+faults "$group"}
	status=$?
	echo $((SECONDS - start)) > "$out/vm.seconds"
	echo "  vm-$1: ended after $((SECONDS - start)) s, status $status"
	case $status in
	0) what="booted, ran every selftest and powered off"
	   [ -n "$group" ] && what="booted, ran the $group faults and powered off" ;;
	124) what="timed out after ${timeout}s" ;;
	125) what="never reported a status: panic, WARN or hang" ;;
	*) what="ended with status $status" ;;
	esac
	if [ "$status" -eq 0 ]; then
		printf 'ok 1 - the %s VM %s\n1..1\n' "$1" "$what" > "$out/vm.tap"
	else
		{
			printf 'not ok 1 - the %s VM %s\n' "$1" "$what"
			console_reason "$out/console.log"
			echo "1..1"
		} > "$out/vm.tap"
		echo "--- last lines of $out/console.log:"
		tail -n 40 "$out/console.log"
	fi
}

# console_reason CONSOLE: as TAP comments, the test that was running and
# the kernel's first report of why it stopped, so that the summary (which
# shows a failure's comments, where CI's output may be cut) says it.
console_reason() {
	local running
	running=$(sed -n 's/.*guest-run: //p' "$1" | tail -n 1)
	echo "# running: ${running:-no test yet}"
	grep -m 8 -E 'WARNING:|BUG:|Oops|general protection|RIP: |Kernel panic|Call Trace|hung_task|soft lockup|rcu.*stall|Out of memory' \
		"$1" | sed 's/^/# /'
	echo "# last console line: $(tail -n 1 "$1")"
}

# run_system: the real-system test, its image built first (packages,
# the cached Debian root, apt-get install in a chroot of it), then its
# VM booted twice.
run_system() {
	local out=$results/vm-system start=$SECONDS
	mkdir -p "$out"
	selftests/system/run.sh --timeout "${VM_TIMEOUT:-900}" "$out" \
		> "$out/system.tap" 2> "$out/system.log"
	echo $? > "$out/system.status"
	echo $((SECONDS - start)) > "$out/system.seconds"
}

# A list of spaces is none.
[ -n "${vms// }" ] || vms=
step "VM tests:${vms:- none (KERNELS=none)}"
# Two VMs at a time (two cores), each the first of the list that can
# start: a debug kernel's once its build ended, and none of two CPUs
# while a group of faults runs (their timing is judged: a core each).
read -ra pending <<< "$vms"
running=()
declare -A faults_pids=()
while [ ${#pending[@]} -gt 0 ]; do
	# Still running: among this shell's running jobs (a pid alone could
	# be reused by then).
	jobs=" $(jobs -rp | tr '\n' ' ') "
	still=()
	faults_running=false
	for pid in "${running[@]}"; do
		[[ $jobs == *" $pid "* ]] || { unset "faults_pids[$pid]"; continue; }
		still+=("$pid")
		[ -n "${faults_pids[$pid]:-}" ] && faults_running=true
	done
	running=("${still[@]}")
	next=
	if [ ${#running[@]} -lt 2 ]; then
		for i in "${!pending[@]}"; do
			case ${pending[$i]} in
			debug:*) if $faults_running || ! debug_built; then continue; fi ;;
			*:*) ;;	# a group of faults: one CPU
			*) $faults_running && continue ;;
			esac
			next=${pending[$i]}
			unset "pending[$i]"
			pending=("${pending[@]}")
			break
		done
	fi
	if [ -z "$next" ]; then
		wait -n	# a VM, or the debug kernels' build, ended
		# No job left, and the build said nothing: it died.
		[ $? -eq 127 ] && [ -n "$debug_names" ] && [ ! -f "$debug_status" ] &&
			echo 1 > "$debug_status"
		continue
	fi
	case $next in
	debug:*)
		abi=${debug_abi[${next#debug:}]:-}
		[ -n "$abi" ] || continue	# not built: recorded by debug_built
		run_vm "$abi" debug &
		;;
	*:*)
		run_vm "$next" &
		faults_pids[$!]=1
		;;
	system) run_system & ;;
	*) run_vm "$next" & ;;
	esac
	running+=($!)
done
wait
# With no debug kernel's VM wanted, the build is still recorded.
[ -n "$debug_names" ] && debug_built

step "results"
echo "$SECONDS" > "$results/wall.seconds"
exec "$top/selftests/lib/tap-summary.sh" "$results"
