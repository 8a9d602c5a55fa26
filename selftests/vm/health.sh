#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run in the test VM after the selftests: unloads availcast and checks that
# the kernel is as healthy as it booted. A WARN would already have panicked
# the VM (panic_on_warn=1); this catches what does not panic.

. "$(dirname "$0")/../lib/tap.sh"

# Taint bits a test kernel may carry: O (out-of-tree module, bit 12) and
# E (unsigned module, bit 13). Anything else means something went wrong.
allowed_taint=$(((1 << 12) | (1 << 13)))

if grep -q '^availcast ' /proc/modules; then
	tap_check "rmmod availcast after the tests" rmmod availcast
fi
unloaded=$SECONDS
tap_check_fails "no availcast family after unload" genl ctrl get name availcast
tap_check_fails "no /sys/kernel/availcast after unload" test -e /sys/kernel/availcast

# kmemleak exists only on debug kernels. It reports an object only once
# it is 5 s old (MSECS_MIN_AGE), and an object modified since the previous
# scan counts as referenced for one more scan: a single scan right after
# the unload would miss a leak made by it, or by any test. So the first
# scan waits out the age, and a second one reports.
if [ -w /sys/kernel/debug/kmemleak ]; then
	remaining=$((unloaded + 6 - SECONDS))
	[ "$remaining" -le 0 ] || sleep "$remaining"
	echo scan > /sys/kernel/debug/kmemleak
	echo scan > /sys/kernel/debug/kmemleak
	leaks=$(cat /sys/kernel/debug/kmemleak)
	if [ -n "$leaks" ]; then
		tap_fail "kmemleak finds no leak" "$leaks"
	else
		tap_ok "kmemleak finds no leak"
	fi
fi

pattern='BUG:|WARNING:|Oops|general protection|Call Trace|RIP:|UBSAN:|KASAN:|KCSAN:'
pattern+='|suspected memory leak|unreferenced object|still has objects'
pattern+='|circular locking|inconsistent lock state|recursive locking|suspicious RCU'
pattern+='|refcount_t:|list_(add|del) corruption'
if reports=$(dmesg | grep -E "$pattern"); then
	tap_fail "the kernel log has no BUG, WARNING, oops, leak or sanitizer report" \
		"$reports"
else
	tap_ok "the kernel log has no BUG, WARNING, oops, leak or sanitizer report"
fi

# A kernel says so when a module uses an interface it is retiring (7.3 of
# the shared unbound workqueue's old name): what the module calls today
# may be gone in the next release.
if notices=$(dmesg | grep -i 'deprecated' | grep -F 'availcast'); then
	tap_fail "the kernel log says nothing the module uses is deprecated" "$notices"
else
	tap_ok "the kernel log says nothing the module uses is deprecated"
fi

taint=$(cat /proc/sys/kernel/tainted)
if [ $((taint & ~allowed_taint)) -eq 0 ]; then
	tap_ok "the kernel is tainted only out-of-tree and unsigned ($taint)"
else
	tap_fail "the kernel is tainted only out-of-tree and unsigned" \
		"tainted=$taint; see Documentation/admin-guide/tainted-kernels.rst"
fi
tap_done
