#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run in a debug-kernel VM after health.sh: shows that the checkers which
# found nothing in availcast were awake, by planting a bug of each one's
# kind (selftests/kmod/checker_canary.ko) and waiting for its report.
# KCSAN samples the accesses it watches, kmemleak reports only objects it
# can prove unreferenced and older than 5 s, and KASAN sees only code
# compiled for it; without this, a configuration slip or too few samples
# would pass as a clean module.

. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/wait.sh"

canary=$AVAILCAST_TREE/build/kmod/$(uname -r)/selftests/kmod/checker_canary.ko
kmemleak=/sys/kernel/debug/kmemleak

# The checkers report on their own schedule (kmemleak: after its minimum
# age, at a scan): each check waits for its report with a deadline.
kcsan_reported_race() {
	dmesg | grep -c 'BUG: KCSAN: data-race in canary_racer' > /dev/null
}

kasan_reported_oob() {
	dmesg | grep -c 'BUG: KASAN: slab-out-of-bounds in plant_oob' > /dev/null
}

kmemleak_reported_leak() {
	echo scan > "$kmemleak"
	grep -cF '[checker_canary]' "$kmemleak" > /dev/null
}

# The planted bugs are reports that panic_on_warn would stop the VM at;
# health.sh has already read the log, and here they are the point.
echo 0 > /proc/sys/kernel/panic_on_warn

# The racers run until removed: under CI's load the host may seldom run
# both vCPUs at once, and a race sampled in one second here took more.
if [ -d /sys/module/kcsan ]; then
	tap_check "the canary races two CPUs on a plain counter" insmod "$canary" bug=race
	tap_check "KCSAN reports the planted data race" wait_until 120 kcsan_reported_race
	rmmod checker_canary 2> /dev/null
fi

if [ -w "$kmemleak" ]; then
	tap_check "the canary leaks objects" insmod "$canary" bug=leak
	tap_check "kmemleak reports the planted leak" wait_until 60 kmemleak_reported_leak
	rmmod checker_canary 2> /dev/null
fi

# Last: a KASAN report taints the kernel, which turns lockdep off.
if grep -c ' kasan_report$' /proc/kallsyms > /dev/null; then
	tap_check "the canary reads past the end of an allocation" insmod "$canary" bug=oob
	rmmod checker_canary 2> /dev/null
	tap_check "KASAN reports the planted out-of-bounds read" wait_until 10 kasan_reported_oob
fi

echo 1 > /proc/sys/kernel/panic_on_warn
tap_done
