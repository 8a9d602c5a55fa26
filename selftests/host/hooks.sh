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

# The hook: one line as it starts, with what it was given, the signals
# it ignores and blocks and its scheduling policy, one as it ends. An
# "active" hook waits for the file "release" (at most 60 s): the slow
# hook of the fault; with the file "stubborn", it first starts a child in
# its process group that ignores SIGTERM and would later say "late".
write_hook() {
	cat > "$dir/inherit.py" <<'PY'
import ctypes, os, signal, sys
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
# glibc's own two (32, 33), which its sigaction() refuses to change:
# ignored through the system call, as another libc or runtime may leave
# them (x86-64: rt_sigaction is 13; struct k_sigaction; SIG_IGN is 1).
class KSigaction(ctypes.Structure):
    _fields_ = [("handler", ctypes.c_ulong), ("flags", ctypes.c_ulong),
                ("restorer", ctypes.c_ulong), ("mask", ctypes.c_ulong)]
libc = ctypes.CDLL(None, use_errno=True)
for s in (32, 33):
    if libc.syscall(13, s, ctypes.byref(KSigaction(1, 0, 0, 0)), None, 8):
        sys.exit(f"rt_sigaction({s}): {os.strerror(ctypes.get_errno())}")
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
os.sched_setscheduler(0, os.SCHED_RR, os.sched_param(1))
os.execv(sys.argv[1], sys.argv[1:])
PY
	cat > "$dir/hook" <<'HOOK'
#!/bin/sh
dir=$(dirname "$0")
mask() { awk -v k="$1:" '$1 == k { print $2 }' /proc/$$/status; }
policy=$(chrt -p $$ | sed -n 's/.*policy: //p')
echo "$AVAILCTL_NODE $1 start transition=$AVAILCTL_TRANSITION previous=$AVAILCTL_PREVIOUS_ROLE epoch=$AVAILCTL_EPOCH policy=$policy ignored=$(mask SigIgn) blocked=$(mask SigBlk)" >> "$dir/hooks.log"
if [ "$1" = active ] && [ -e "$dir/stubborn" ]; then
	sh -c "trap '' TERM; while [ ! -e '$dir/release' ]; do sleep 0.1; done; echo '$AVAILCTL_NODE late' >> '$dir/hooks.log'" &
fi
# held_until FILE: until FILE is there, at most 60 s.
held_until() {
	n=0
	while [ ! -e "$1" ] && [ $n -lt 600 ]; do
		sleep 0.1
		n=$((n + 1))
	done
}
[ "$1" = active ] && held_until "$dir/release"
[ "$1" = stop ] && [ -e "$dir/slow-stop" ] && held_until "$dir/stop-release"
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

hooks_done() { [ "$(grep -c "^$1 .* start " "$dir/hooks.log")" = "$(grep -c "^$1 .* end$" "$dir/hooks.log")" ]; }

# start_pair [LINE...]: m1 and m2 with LINEs in their configurations, on
# fresh logs; m1 through $m1_launcher, if set.
start_pair() {
	for node in m1 m2; do
		config "$node" "$@" > "$dir/$node.conf"
	done
	: > "$dir/hooks.log"
	${m1_launcher:-} "$availctl" arbiter --config "$dir/m1.conf" 2> "$dir/m1.log" &
	m1=$!
	pids=$m1
	"$availctl" arbiter --config "$dir/m2.conf" 2> "$dir/m2.log" &
	m2=$!
	pids+=" $m2"
}

# gone PID...: none of them runs.
gone() {
	local p
	for p in "$@"; do
		! kill -0 "$p" 2> /dev/null || return 1
	done
}

# stop_pair: SIGTERM, and SIGKILL to what is left 20 s later.
stop_pair() {
	touch "$dir/release"
	# shellcheck disable=SC2086
	kill -CONT $pids 2> /dev/null
	# shellcheck disable=SC2086
	kill $pids 2> /dev/null
	# shellcheck disable=SC2086
	wait_until 20 gone $pids || kill -KILL $pids 2> /dev/null
	# And any daemon of this test a launcher left behind.
	pkill -KILL -f -- "arbiter --config $dir/"
	wait
	pids=
	rm -f "$dir/release" "$dir/stubborn" "$dir/slow-stop" "$dir/stop-release"
}

# stop_behind_unreapable: the active hook, running at SIGTERM, cannot be
# collected once killed (a stopped tracer holds it, as a process stuck
# in the kernel would be held): it is abandoned, and the stop hook, a
# process of its own, runs all the same before the daemon exits.
stop_behind_unreapable() {
	local pid tracer
	# 5 s (the default), not 1 s: the stop hook is bound by it too, and
	# must reach its end on a loaded machine (at 1 s it once did not in
	# CI: a shell script of seven processes).
	start_pair "hook-timeout-ms = 5000"
	tap_check "unreapable: m1's active hook runs" \
		wait_until 30 logged m1 " hook-started pid=[0-9]+ role=active "
	pid=$(sed -n 's/.* hook-started pid=\([0-9]*\) role=active .*/\1/p' "$dir/m1.log" | tail -n 1)
	strace -p "$pid" -o /dev/null 2> /dev/null &
	tracer=$!
	wait_until 10 grep -qE "^TracerPid:[[:space:]]*$tracer\$" "/proc/$pid/status"
	kill -STOP "$tracer"
	kill -TERM "$m1"
	tap_check "unreapable: the active hook, killed, is abandoned" \
		wait_until 30 logged m1 " hook-abandoned pid=$pid role=active "
	tap_check "unreapable: the stop hook runs all the same, to its end" \
		wait_until 30 grep -q "^m1 stop end$" "$dir/hooks.log"
	tap_check "unreapable: then m1 exits" wait_until 30 gone "$m1"
	kill -CONT "$tracer"
	kill "$tracer"
	wait "$tracer" 2> /dev/null
	stop_pair
}

# since_ms NS: the ms since NS (date +%s%N).
since_ms() { echo $((($(date +%s%N) - $1) / 1000000)); }

# status_while_stopping: while a stopped active's stop hook runs, it
# answers status, as "stopping" (a health check must not take it for
# the active while the hook takes the service down), and refuses a
# reload; then it exits. What status says is true then: "stopping" for
# as long as it has stopped, not with the active's time before it, and
# the peer as it was last heard, not "silent" (it is no longer read:
# the silence is this daemon's).
status_while_stopping() {
	local sock=$dir/state-m1/m1.sock killed text ms
	start_pair "hook-timeout-ms = 20000"
	tap_check "stopping: m1 becomes active" \
		wait_until 30 "$availctl" status --role --socket "$sock"
	touch "$dir/release" "$dir/slow-stop"
	# Active 3 s, then stopping over 1 s, longer than grace-ms (500 ms).
	sleep 3
	killed=$(date +%s%N)
	kill -TERM "$m1"
	tap_check "stopping: m1 runs its stop hook" \
		wait_until 30 grep -q "^m1 stop start " "$dir/hooks.log"
	sleep 1.2
	text=$("$availctl" status --socket "$sock")
	# (Its tenths of a second rounded: 50 ms more.)
	tap_check "stopping: status's role is stopping for no longer than since SIGTERM ($(grep '^role:' <<< "$text"))" \
		awk -v since="$(since_ms "$killed")" '/^role: *stopping at epoch [0-9]+, for [0-9.]+ s, was active$/ {
			sub(/.*, for /, ""); ok = $1 * 1000 <= since + 50 } END { exit !ok }' <<< "$text"
	tap_check "stopping: the peer as last heard, not silent ($(grep '^peer:' <<< "$text"))" \
		grep -qE "^peer: *m2, standby at epoch [0-9]+ when last heard, [0-9]+ ms ago; not read since the stop" \
		<<< "$text"
	ms=$("$availctl" --json status --socket "$sock" |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["role_for_ms"])')
	tap_check "stopping: --json status's role_for_ms too ($ms ms)" test "${ms:-99999}" -le "$(since_ms "$killed")"
	ms=$("$availctl" metrics --socket "$sock" |
		awk '/^availctl_arbiter_role_seconds\{/ { printf "%d", $2 * 1000 }')
	tap_check "stopping: availctl_arbiter_role_seconds too ($ms ms)" \
		test "${ms:-99999}" -le "$(since_ms "$killed")"
	tap_expect 5 "stopping" "$availctl" status --role --socket "$sock"
	tap_check "stopping: --json status says role stopping" \
		bash -c "'$availctl' --json status --socket '$sock' | grep -q '\"role\":\"stopping\"'"
	tap_check "stopping: metrics say availctl_arbiter_stopping 1" \
		bash -c "'$availctl' metrics --socket '$sock' | grep -q '^availctl_arbiter_stopping{.*} 1\$'"
	tap_check "stopping: and no role at 1 in them (m1 is not counted an active)" \
		bash -c "! '$availctl' metrics --socket '$sock' | grep -q '^availctl_arbiter_role{.*} 1\$'"
	tap_expect 1 "the daemon is stopping" "$availctl" reload --socket "$sock"
	touch "$dir/stop-release"
	tap_check "stopping: m1 exits once its stop hook ends" wait_until 30 gone "$m1"
	tap_check "stopping: its stop hook ran to its end" grep -q "^m1 stop end$" "$dir/hooks.log"
	stop_pair
}

# step_down_while_active_hook_runs: m1 active, its active hook started;
# m2 stopped until m1 has stepped down.
step_down_while_active_hook_runs() {
	tap_check "$1m1 becomes active and starts its active hook" \
		wait_until 30 grep -q "^m1 active start" "$dir/hooks.log"
	kill -STOP "$m2"
	tap_check "$1m1 steps down with m2 stopped, its active hook still running" \
		wait_until 10 logged m1 " role role=[a-z]+ previous=active "
}

# ordered NAME: hooks in turn and in order, a stop hook; the active hook
# is released once the step-down and the new active are seen.
ordered() {
	local name=$1
	start_pair
	step_down_while_active_hook_runs "$name"
	kill -CONT "$m2"
	tap_check "${name}m1 is active again once m2 answers" \
		wait_until 30 logged m1 " role role=active " 2
	touch "$dir/release"
	tap_check "${name}every hook of m1 ends" wait_until 30 hooks_done m1
	tap_check "${name}m1's hooks ran one at a time" in_turn m1
	tap_check "${name}in the order of its role changes" roles_in_order m1
	tap_check "${name}each with its own, growing AVAILCTL_TRANSITION" transitions_increase m1
	tap_check "${name}with no signal ignored or blocked" clean_signals m1
	tap_check_fails "${name}as ordinary tasks" grep -E "^m1 .* start .*policy=SCHED_(RR|FIFO)" \
		"$dir/hooks.log"
	kill -TERM "$m1"
	tap_check "${name}SIGTERM: the active exits" wait_until 30 gone "$m1"
	tap_check "${name}having run its stop hook to its end" \
		grep -q "^m1 stop end$" "$dir/hooks.log"
	tap_check "${name}after it stopped acting (the stop hook was told it had been active)" \
		grep -q "^m1 stop start .* previous=active " "$dir/hooks.log"
	tap_check "${name}and logged the stop hook's end before its own" \
		awk '$3 == "hook-ended" && / role=stop / { ended = NR }
		     $3 == "stopped" { exit !(ended && ended < NR) }' \
		"$dir/m1.log"
	stop_pair
}

# The group of m1's hook with role ROLE that started last (its pid: it
# leads its own session) has no process left.
group_gone() {
	local leader
	leader=$(awk -v role="role=$1" '$3 == "hook-started" && $0 ~ " " role " " {
		sub("pid=", "", $4); p = $4 } END { print p }' "$dir/m1.log")
	[ -n "$leader" ] && ! pgrep -g "$leader" > /dev/null
}

# A hung active hook, superseded: ended after hook-timeout-ms, with every
# process of its group, one of which ignores SIGTERM.
hung() {
	touch "$dir/stubborn"
	start_pair "hook-timeout-ms = 1000"
	step_down_while_active_hook_runs "hook-timeout-ms: "
	tap_check "the hung hook is ended with SIGTERM" \
		wait_until 10 logged m1 " hook-ended .*signal=15"
	tap_check "after it ran hook-timeout-ms" \
		grep -qE " hook-timeout .*role=active .*ran_ms=(1[0-9]{3}|[2-9][0-9]{3}|[0-9]{5,}) " \
		"$dir/m1.log"
	tap_check "and its successor runs" \
		wait_until 10 grep -qE "^m1 (standby|fault) end$" "$dir/hooks.log"
	tap_check "one at a time" in_turn m1
	tap_check "the hung hook's group is gone, its member that ignores SIGTERM too" \
		wait_until 10 group_gone active
	stop_pair
	tap_check_fails "and it never acted late" grep -q "^m1 late" "$dir/hooks.log"
}

# A change waiting behind a running hook, the hook then removed by a
# reload, m1 active again: no hook runs after the reload (the waiting
# one, for a role m1 left, least of all).
removed() {
	start_pair "hook-timeout-ms = 40000"
	step_down_while_active_hook_runs "hook removed: "
	# A hook that cannot be run is refused, as at the start, the hook
	# before kept.
	printf '#!/bin/sh\n' > "$dir/unrunnable"
	chmod 644 "$dir/unrunnable"
	config m1 "hook-timeout-ms = 40000" | sed "s|^hook = .*|hook = $dir/unrunnable|" \
		> "$dir/m1.conf"
	tap_expect 1 "hook $dir/unrunnable cannot be run: Permission denied" \
		"$availctl" reload --config "$dir/m1.conf"
	tap_check "hook removed: a refused reload changes nothing" \
		bash -c "! grep -q ' reloaded ' '$dir/m1.log'"
	config m1 "hook-timeout-ms = 40000" | grep -v "^hook = " > "$dir/m1.conf"
	tap_expect 0 "reloaded" "$availctl" reload --config "$dir/m1.conf"
	kill -CONT "$m2"
	tap_check "hook removed: m1 is active again" wait_until 30 logged m1 " role role=active " 2
	touch "$dir/release"
	tap_check "hook removed: the active hook ends" wait_until 30 logged m1 " hook-ended .*role=active"
	kill -TERM "$m1"
	tap_check "hook removed: m1 exits" wait_until 30 gone "$m1"
	tap_check "no hook started after the reload" \
		awk '$3 == "reloaded" { r = 1 } r && $3 == "hook-started" { print; bad = 1 } END { exit bad }' \
		"$dir/m1.log"
	stop_pair
}

# m1's hook processes slow to start (700 ms in setsid(), by strace; a
# starved machine takes that long, hooks.c): an active hook is held
# against the hold as the daemon renewed it meanwhile, not as it was at
# fork, and starts.
# start_pair_traced STRACE_OPTION...: start_pair, m1 under strace -f with
# them.
start_pair_traced() {
	m1_launcher="strace -f -qq -o /dev/null $*"
	start_pair
	m1_launcher=
	# The daemon too, not only strace, which leaves it running when ended.
	wait_until 10 pgrep -P "$m1" > /dev/null
	pids+=" $(pgrep -P "$m1" -d ' ')"
}

slow_children() {
	start_pair_traced -e trace=setsid -e inject=setsid:delay_enter=700000
	tap_check "slow hook processes: m1 becomes active" wait_until 30 logged m1 " role role=active "
	tap_check "its active hook starts" wait_until 30 grep -q "^m1 active start" "$dir/hooks.log"
	tap_check_fails "none lapsed" grep -q " hook-lapsed " "$dir/m1.log"
	stop_pair
}

# m1's hook processes slow to tell the daemon their check (their first
# write, the report, 400 ms late by strace; the log writer's first one
# too): the daemon logs on meanwhile, and its hook-started lines, stamped
# when logged, never take the log's time back; checked= holds the check,
# no later than the line.
slow_reports() {
	start_pair_traced -e trace=write -e inject=write:delay_enter=400000:when=1
	tap_check "slow hook reports: m1 becomes active, its active hook starts" \
		wait_until 30 logged m1 " hook-started .*role=active "
	stop_pair
	# (Its lines: LeakSanitizer, which cannot work under ptrace, says so
	# at the ASan build's exit.)
	tap_check "slow hook reports: m1's log's time never goes back" \
		awk '$1 !~ /^[0-9]+$/ { next } $1 < last { print; bad = 1 } { last = $1 } END { exit bad }' \
		"$dir/m1.log"
	tap_check "slow hook reports: each hook's check, in checked=, comes before its line" \
		awk '$3 == "hook-started" { for (i = 4; i <= NF; i++) if ($i ~ /^checked=/) c = substr($i, 9)
					    n++; if (c == "" || c > $1) bad = 1 }
		     END { exit bad || !n }' "$dir/m1.log"
}

for availctl in "$@"; do
	rm -rf "${dir:?}"/*
	"$availctl" keygen "$dir/secret"
	write_hook
	ordered ""
	# What a supervisor or a shell may leave a daemon: SIGCHLD ignored
	# (children reaped unseen), SIGTERM blocked, libc's own signals
	# ignored, SCHED_RR without SCHED_RESET_ON_FORK.
	m1_launcher="python3 $dir/inherit.py"
	ordered "inherited SIGCHLD, 32 and 33 ignored, SIGTERM blocked, SCHED_RR: "
	m1_launcher=
	hung
	removed
	slow_children
	slow_reports
	status_while_stopping
	stop_behind_unreapable
done

tap_done
