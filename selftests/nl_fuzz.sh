#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fuzzes the availcast family over netlink (nl_fuzz.c) for a bounded time,
# as root and then without any capability: the module must keep answering,
# the unprivileged run must get no change accepted, and the module must
# still unload and load. With panic_on_warn, any WARN or oops on the way
# ends the VM (a failed run); vm/health.sh checks dmesg at the end.
# NL_FUZZ_SECONDS (default 20) bounds each run. Reloads the module, which
# also resets what the root run changed.

. "$(dirname "$0")/lib/tap.sh"

fuzz=$(dirname "$0")/../build/selftests/nl_fuzz
ko=${AVAILCAST_KO:?}
seconds=${NL_FUZZ_SECONDS:-20}

run() {
	local name=$1 output status
	shift
	output=$("$@" 2>&1)
	status=$?
	if [ "$status" -eq 0 ]; then
		tap_ok "$name: $(head -n 1 <<< "$output" | cut -d' ' -f1-2) messages, the family still answers"
	else
		tap_fail "$name" "$output"
	fi
	printf '%s\n' "$output" | sed 's/^/# /'
	last_output=$output
}

run "as root for ${seconds}s" "$fuzz" "$seconds" 1
run "without capabilities for ${seconds}s" \
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	--bounding-set=-all "$fuzz" "$seconds" 2
tap_check "without CAP_NET_ADMIN no change was accepted" \
	grep -q "admin-accepted 0$" <<< "$(head -n 1 <<< "$last_output")"
tap_check "the module unloads after fuzzing" rmmod availcast
tap_check "and loads again" insmod "$ko"

tap_done
