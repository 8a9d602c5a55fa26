#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Load/unload cycles, up to 200 (STRESS_CYCLES) and for no more than
# 90 s (STRESS_SECONDS, bounding the test however fast the emulated CPU
# is: a cycle takes 1 to 3 s under TCG), at least 5, while churn.c
# keeps every kind of user busy: a subscriber, a charger pinned to each
# CPU, writers of every tunable through sysfs and netlink. Each cycle
# waits for the users to get work done on the fresh module before
# unloading it. Every load and unload must succeed; with panic_on_warn,
# a WARN or oops ends the VM; vm/health.sh looks for leaks and reports
# at the end. Leaves the module loaded.

. "$(dirname "$0")/lib/tap.sh"

bin=$(dirname "$0")/../build/selftests
ko=${AVAILCAST_KO:?}
max_cycles=${STRESS_CYCLES:-200}
min_cycles=5
seconds=${STRESS_SECONDS:-90}
started=$SECONDS
progress=${AVAILCAST_OUT:-/tmp}/stress.progress

ops() { local n=0; read -r n < "$progress" 2> /dev/null; echo "${n:-0}"; }

rmmod availcast 2> /dev/null
echo 0 > "$progress"
"$bin/churn" 3600 "$progress" > "${progress%.progress}.churn" 2>&1 &
churn=$!

loads=0 unloads=0 idle=0
cycles=0
while [ "$cycles" -lt "$max_cycles" ] &&
      { [ "$cycles" -lt "$min_cycles" ] || [ $((SECONDS - started)) -lt "$seconds" ]; }; do
	cycles=$((cycles + 1))
	insmod "$ko" && loads=$((loads + 1))
	start=$(ops)
	deadline=$((SECONDS + 10))
	# Users reconnect within a millisecond or so; wait for them, bounded.
	while [ "$(ops)" -lt $((start + 20)) ] && [ "$SECONDS" -lt "$deadline" ]; do
		sleep 0.01
	done
	[ "$(ops)" -lt $((start + 20)) ] && idle=$((idle + 1))
	rmmod availcast && unloads=$((unloads + 1))
done
kill -TERM "$churn"
wait "$churn"
churn_status=$?

echo "# $cycles cycles in $((SECONDS - started)) s"
tap_check "$cycles loads succeeded under load" test "$loads" = "$cycles"
tap_check "$cycles unloads succeeded under load" test "$unloads" = "$cycles"
tap_check "every cycle saw its users at work ($idle idle)" test "$idle" = 0
tap_check "the users saw a consistent configuration throughout" test "$churn_status" = 0
sed 's/^/# churn: /' "${progress%.progress}.churn"
tap_check "the module loads once more and answers" \
	bash -c "insmod '$ko' && '$(dirname "$0")/../build/userspace/availctl' show > /dev/null"

tap_done
