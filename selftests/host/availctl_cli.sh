#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# availctl's command line, natively on the host (whose kernel has no
# availcast): usage errors exit 2 and say what is wrong and what is
# accepted, --help works everywhere, and without the module every command
# exits 3 and says how to load it. Run against the plain and the sanitizer
# builds given as arguments.

. "$(dirname "$0")/../lib/tap.sh"

expect() { tap_expect "$@"; }

man=$(dirname "$0")/../../userspace/availctl.8
if warnings=$(groff -man -ww -z "$man" 2>&1) && [ -z "$warnings" ]; then
	tap_ok "the man page availctl(8) renders without a warning"
else
	tap_fail "the man page availctl(8) renders without a warning" "$warnings"
fi

for availctl in "$@"; do
	echo "# $availctl"
	expect 0 "availctl 0." "$availctl" --version
	expect 0 "usage: availctl" "$availctl" --help
	expect 1 "availctl: writing its output: No space left on device" \
		bash -c '"$0" --version > /dev/full' "$availctl"
	expect 1 "availctl: writing its output: No space left on device" \
		bash -c '"$0" show --help > /dev/full' "$availctl"
	expect 2 "no command given" "$availctl"
	expect 2 "unknown command 'frob'" "$availctl" frob
	for command in show watch set pool announce; do
		expect 0 "usage: availctl $command" "$availctl" "$command" --help
	done

	expect 2 "give at least one SETTING VALUE pair" "$availctl" set
	expect 2 "'delta' has no value" "$availctl" set delta
	expect 2 "'tb_rate' has no value" "$availctl" set delta 5 tb_rate
	expect 2 "delta: 'abc' is not a whole number (1 to 1000)" "$availctl" set delta abc
	expect 2 "interval_min_ms: 5 is out of range (10 to 600000)" \
		"$availctl" set interval_min_ms 5
	expect 2 "interval_max_ms: 600001 is out of range (10 to 600000)" \
		"$availctl" set interval-max-ms 600001
	expect 2 "unknown setting 'frob' (node_id, interval_min_ms" "$availctl" set frob 1
	expect 2 "delta is given twice" "$availctl" set delta 1 delta 2
	expect 2 "thresholds: at most 8 levels" "$availctl" set thresholds 1,2,3,4,5,6,7,8,9
	expect 2 "aggregation: 'max' is neither min nor mean" "$availctl" set aggregation max
	expect 2 "all_netns: 'maybe' is not 0, 1, on or off" "$availctl" set all_netns maybe

	expect 2 "give an action" "$availctl" pool
	expect 2 "unknown action 'frob'" "$availctl" pool frob
	expect 2 "create takes a NAME and a CAPACITY" "$availctl" pool create p
	expect 2 "AMOUNT: 0 is out of range (1 to 9223372036854775807)" \
		"$availctl" pool charge p 0
	expect 2 "'-5' is not a whole number" "$availctl" pool create p -5
	expect 2 "CAPACITY: '5x' is not a whole number" "$availctl" pool create p 5x
	expect 0 "usage: availctl pool" "$availctl" pool list --help
	expect 2 "list takes no argument" "$availctl" pool list extra

	expect 2 "--count: 0 is out of range" "$availctl" watch --count 0
	expect 2 "'--count' needs a value" "$availctl" watch --count
	expect 2 "unknown option '--frob'" "$availctl" watch --frob
	expect 2 "unexpected argument 'extra'" "$availctl" show extra
	expect 2 "unexpected argument 'now'" "$availctl" announce now
	# --json where there is no JSON to print: refused, not ignored.
	for command in "check" "keygen /nonexistent/none.key" "reload" "metrics" "set delta 5"; do
		# shellcheck disable=SC2086
		expect 2 "--json: it prints no JSON" "$availctl" --json $command
	done
	expect 2 "--json: it prints no JSON" "$availctl" check --json

	for args in show "--json show" "watch --count 1" "set delta 100" \
		    "pool list" "pool create p 10" announce; do
		# shellcheck disable=SC2086
		expect 3 "modprobe availcast" "$availctl" $args
	done
done
tap_done
