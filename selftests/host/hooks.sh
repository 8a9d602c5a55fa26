#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The role-change hook's contract (availctl(8), "Hooks" in the
# arbitration docs), with two real arbiters natively on 127.0.0.1 and
# their one host never running: m1 becomes active on m2's promise, and
# steps down when m2 is stopped (SIGSTOP) while its "active" hook still
# runs.
# - One hook at a time, in the order of the role changes: the next hook
#   starts only once the one before has ended (a slow "active" hook
#   finishing after the "standby" one would leave the service up on a
#   standby).
# - A hook still running when the role changes again is ended (SIGTERM
#   to its process group) once it has run hook-timeout-ms, and its
#   successor runs.
# - AVAILCTL_TRANSITION numbers the role changes: two hooks of the same
#   epoch can be told apart.
# - Hooks start with no signal ignored or blocked.
# - SIGTERM (systemctl stop) to the active: it stops acting, runs its
#   "stop" hook to its end, then exits. (With no witness the peer cannot
#   take over; the VM tests show failovers.)
# Usage: hooks.sh AVAILCTL...  (plain and sanitizer builds)

. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/wait.sh"
. "$(dirname "$0")/../lib/native.sh"

dir=$(mktemp -d /tmp/hooks.XXXXXX)
pids=
cleanup() {
	# shellcheck disable=SC2086
	[ -n "$pids" ] && kill -CONT $pids 2> /dev/null && kill $pids 2> /dev/null
	touch "$dir/release"
	wait 2> /dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT

port=$((20000 + RANDOM % 20000))

# The hook: one line as it starts, with what it was given and the
# signals it ignores and blocks, one as it ends. An "active" hook waits
# for the file "release" (at most 60 s): the slow hook of the fault.
write_hook() {
	cat > "$dir/hook" <<'HOOK'
#!/bin/sh
dir=$(dirname "$0")
mask() { awk -v k="$1:" '$1 == k { print $2 }' /proc/$$/status; }
echo "$AVAILCTL_NODE $1 start transition=$AVAILCTL_TRANSITION previous=$AVAILCTL_PREVIOUS_ROLE epoch=$AVAILCTL_EPOCH ignored=$(mask SigIgn) blocked=$(mask SigBlk)" >> "$dir/hooks.log"
if [ "$1" = active ]; then
	n=0
	while [ ! -e "$dir/release" ] && [ $n -lt 600 ]; do
		sleep 0.1
		n=$((n + 1))
	done
fi
echo "$AVAILCTL_NODE $1 end" >> "$dir/hooks.log"
HOOK
	chmod 755 "$dir/hook"
}

# config NODE [LINE...]: NODE's configuration, with the hook and LINEs.
config() {
	native_config hooks "$1" "$dir/secret" "$dir" "$port"
	echo "hook = $dir/hook"
	shift
	[ $# -eq 0 ] || printf '%s\n' "$@"
}

# logged NODE PATTERN [COUNT]: NODE's log has COUNT (1) lines matching.
logged() { [ "$(grep -cE "$2" "$dir/$1.log")" -ge "${3:-1}" ]; }

# in_turn NODE: NODE's hooks, from its log, each started after the one
# before had ended (the children's "hook-started" lines and the daemon's
# "hook-ended" ones, written in that order to one file).
in_turn() {
	awk '$3 == "hook-started" { if (running) { print "hook " $0 " began while " running " ran"; bad = 1 }
				    running = $4 }
	     $3 == "hook-ended" { running = "" }
	     END { exit bad }' "$dir/$1.log"
}

# roles_in_order NODE: the hooks ran for the roles NODE took, in the order
# it took them (one may be left out when a later change came first), and
# the last one for the role it is in.
roles_in_order() {
	awk '$3 == "role" { for (i = 4; i <= NF; i++) if ($i ~ /^role=/) roles[++n] = substr($i, 6) }
	     $3 == "hook-started" { for (i = 4; i <= NF; i++) if ($i ~ /^role=/) hooks[++h] = substr($i, 6) }
	     END { j = 1
		   for (i = 1; i <= h; i++) {
			while (j <= n && roles[j] != hooks[i]) j++
			if (j > n) { print "hook " i " (" hooks[i] ") is not in the order of the roles"; exit 1 }
			j++
		   }
		   if (hooks[h] != roles[n]) { print "the last hook ran for " hooks[h] ", the role is " roles[n]; exit 1 }
	     }' "$dir/$1.log"
}

# transitions_increase NODE: AVAILCTL_TRANSITION, in the hooks' own lines,
# a number that grows from one hook to the next.
transitions_increase() {
	awk -v node="$1" '$1 == node && $3 == "start" {
		split($4, t, "="); if (t[2] !~ /^[0-9]+$/ || t[2] + 0 <= last) { print "transition " t[2] " after " last; exit 1 }
		last = t[2] + 0 }' "$dir/hooks.log"
}

# clean_signals NODE: no hook of NODE started with a signal ignored or
# blocked.
clean_signals() {
	! grep -E "^$1 .* start " "$dir/hooks.log" | grep -vE "ignored=0+ blocked=0+$"
}

# start_pair [LINE...]: m1 and m2 with LINEs in their configurations, on
# fresh logs.
start_pair() {
	for node in m1 m2; do
		config "$node" "$@" > "$dir/$node.conf"
	done
	: > "$dir/hooks.log"
	"$availctl" arbiter --config "$dir/m1.conf" 2> "$dir/m1.log" &
	m1=$!
	pids=$m1
	"$availctl" arbiter --config "$dir/m2.conf" 2> "$dir/m2.log" &
	m2=$!
	pids+=" $m2"
}

hooks_done() { [ "$(grep -c "^$1 .* start " "$dir/hooks.log")" = "$(grep -c "^$1 .* end$" "$dir/hooks.log")" ]; }

for availctl in "$@"; do
	rm -rf "${dir:?}"/*
	"$availctl" keygen "$dir/secret"
	write_hook

	# Ordered hooks at the default hook-timeout-ms: the active hook is
	# released once the step-down and the new active are seen.
	start_pair
	tap_check "m1 becomes active and starts its active hook" \
		wait_until 30 grep -q "^m1 active start" "$dir/hooks.log"
	kill -STOP "$m2"
	tap_check "m1 steps down with m2 stopped, its active hook still running" \
		wait_until 10 logged m1 " role role=[a-z]+ previous=active "
	kill -CONT "$m2"
	tap_check "m1 is active again once m2 answers" \
		wait_until 30 logged m1 " role role=active " 2
	touch "$dir/release"
	tap_check "every hook of m1 ends" wait_until 30 hooks_done m1
	tap_check "m1's hooks ran one at a time" in_turn m1
	tap_check "in the order of its role changes" roles_in_order m1
	tap_check "each with its own, growing AVAILCTL_TRANSITION" transitions_increase m1
	tap_check "with no signal ignored or blocked" clean_signals m1

	kill -TERM "$m1"
	tap_check "SIGTERM: the active exits" wait_until 30 bash -c "! kill -0 $m1 2> /dev/null"
	tap_check "having run its stop hook to its end" \
		grep -q "^m1 stop end$" "$dir/hooks.log"
	tap_check "after it stopped acting (the stop hook was told it had been active)" \
		grep -q "^m1 stop start .* previous=active " "$dir/hooks.log"
	tap_check "and logged the stop hook's end before its own" \
		awk '$3 == "hook-ended" && / role=stop / { ended = NR }
		     $3 == "stopped" { exit !(ended && ended < NR) }' \
		"$dir/m1.log"
	kill "$m2"
	wait
	pids=

	# A hung active hook, superseded: ended after hook-timeout-ms.
	rm -f "$dir/release"
	start_pair "hook-timeout-ms = 1000"
	tap_check "hook-timeout-ms: m1's active hook starts" \
		wait_until 30 grep -q "^m1 active start" "$dir/hooks.log"
	kill -STOP "$m2"
	tap_check "m1 steps down while the active hook hangs" \
		wait_until 10 logged m1 " role role=[a-z]+ previous=active "
	tap_check "the hung hook is ended with SIGTERM" \
		wait_until 10 logged m1 " hook-ended .*signal=15"
	tap_check "after it ran hook-timeout-ms" \
		grep -qE " hook-timeout .*role=active .*ran_ms=(1[0-9]{3}|[2-9][0-9]{3}|[0-9]{5,}) " \
		"$dir/m1.log"
	tap_check "and its successor runs" \
		wait_until 10 grep -qE "^m1 (standby|fault) end$" "$dir/hooks.log"
	tap_check "one at a time" in_turn m1
	kill -CONT "$m2"
	touch "$dir/release"
	# shellcheck disable=SC2086
	kill $pids 2> /dev/null
	wait
	pids=
done

tap_done
