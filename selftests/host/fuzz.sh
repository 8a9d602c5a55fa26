#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A short libFuzzer run of every parser of outside input in userspace/
# (userspace/fuzz/fuzz_*.c: datagrams, witness files, config files, CLI
# values, the family's messages), with ASan and UBSan. Each starts from
# its committed corpus (userspace/fuzz/corpus/NAME/, which holds every
# input that once crashed it, so those run first) and writes what it
# learns to a scratch copy. FUZZ_SECONDS (default 10) bounds each run.

. "$(dirname "$0")/../lib/tap.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${FUZZ_SECONDS:-10}
work=$top/build/results/fuzz
rm -rf "$work"
mkdir -p "$work"

if ! make -s -C "$top/userspace" fuzz > "$work/build.log" 2>&1; then
	tap_fail "the fuzzing harnesses build with clang" "$(cat "$work/build.log")"
	tap_done
fi
tap_ok "the fuzzing harnesses build with clang"

for harness in "$top"/build/fuzz/fuzz_*; do
	name=${harness##*/fuzz_}
	mkdir -p "$work/$name"
	if "$harness" "$work/$name" "$top/userspace/fuzz/corpus/$name" \
		-max_total_time="$seconds" -artifact_prefix="$work/$name-" \
		-print_final_stats=1 > "$work/$name.log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name.log")
		tap_ok "fuzz_$name: $runs inputs in ${seconds}s, no crash, leak or undefined behaviour"
	else
		tap_fail "fuzz_$name found a crash (input saved as $work/$name-crash-*)" \
			"$(grep -A12 'ERROR\|runtime error' "$work/$name.log" | head -n 30)"
	fi
done

tap_done
