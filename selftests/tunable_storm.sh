#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every tunable written at once, valid and invalid values, through sysfs
# and netlink, while pools are charged on every CPU and a subscriber
# listens (churn.c --strict): only the refusals bad values earn, no
# configuration snapshot with its minimum above its maximum, and after
# it every tunable reads back within its bounds and the family answers.
# STORM_SECONDS (default 15). Reloads the module to reset the settings.

. "$(dirname "$0")/lib/tap.sh"

bin=$(dirname "$0")/../build/selftests
ko=${AVAILCAST_KO:?}
dir=/sys/kernel/availcast
seconds=${STORM_SECONDS:-15}
progress=${AVAILCAST_OUT:-/tmp}/storm.progress

if output=$("$bin/churn" "$seconds" "$progress" --strict 2>&1); then
	tap_ok "${seconds}s of concurrent writers: only refusals, never min > max ($output)"
else
	tap_fail "${seconds}s of concurrent writers: only refusals, never min > max" "$output"
fi
tap_check "the writers got work done" grep -Eq "^ok [1-9]" <<< "$output"

read -r lo < "$dir/interval_min_ms"
read -r hi < "$dir/interval_max_ms"
tap_check "the intervals read back ordered and in range ($lo <= $hi)" \
	test "$lo" -ge 10 -a "$lo" -le "$hi" -a "$hi" -le 600000
for file in delta tb_rate tb_burst; do
	read -r v < "$dir/$file"
	tap_check "$file reads back in range ($v)" test "$v" -ge 1 -a "$v" -le 1000
done
read -r v < "$dir/aggregation"
tap_check "aggregation reads back one choice ($v)" grep -Eqx '\[min\] mean|min \[mean\]' <<< "$v"
tap_check "the family still answers" "$(dirname "$0")/../build/userspace/availctl" show
tap_check "the module unloads" rmmod availcast
tap_check "and loads again" insmod "$ko"

tap_done
