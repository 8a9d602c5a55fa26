#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A manager that did not run for a while (SIGSTOP here; a stalled
# machine or a long page-in alike) reads what waits in its socket before
# its timers judge: a standby stopped for longer than grace-ms (500 ms)
# finds the active's heartbeats of that time there, and never enters
# fault (a warning, and the fault hook) nor takes the role: also when
# more datagrams than one pass reads (NODE_RECEIVE_BATCH, 64) wait
# ahead of them, junk here, as a flood or every host's reports would;
# and when more than its socket holds (3000) came first, so that the
# kernel dropped the stop's newest heartbeats and the few that got in
# are too old for the replay window (1000 ms here, 30 s by default) by
# the time they are read: the time it did not run is not the peer's
# silence (arbiter_resumed()); and when it stopped right after reading
# its socket empty, before its timers ran (a preemption or a page-in
# lands there as well as anywhere), which a preloaded shim does. Natively on
# 127.0.0.1, a pair whose one host never runs: no witness, so the
# active's hold is the standby's promise alone, which a stopped standby
# does not renew; the active stepping down meanwhile is by design, and
# is the VM's cluster tests' to show with a witness.
# Usage: stall.sh AVAILCTL...  (plain and sanitizer builds)

. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/wait.sh"
. "$(dirname "$0")/../lib/native.sh"

native_dir stall
port=$((20000 + RANDOM % 20000))
stops=3
shim=$(dirname "$0")/../../build/selftests/stop_after_read.so

# stopped PID: PID is stopped (state T).
stopped() { [ "$(awk '{ print $3 }' "/proc/$1/stat")" = T ]; }

# is NODE ROLE: NODE's daemon answers that its role is ROLE.
is() {
	test "$(timeout 5 "$availctl" status --role --socket "$dir/state-$1/$1.sock" 2> /dev/null)" = "$2"
}

# answers NODE: NODE's daemon answers status.
answers() { timeout 5 "$availctl" status --socket "$dir/state-$1/$1.sock" > /dev/null 2>&1; }

# entered NODE ROLE TIMES: NODE's log says it entered ROLE TIMES times.
entered() {
	local n
	n=$(grep -c "$1 role role=$2 " "$dir/$1.log")
	[ "$n" -eq "$3" ] || { echo "$1 entered $2 $n times:"; grep "$1 role role=" "$dir/$1.log"; false; }
}

for availctl in "$@"; do
	rm -rf "${dir:?}"/*
	"$availctl" keygen "$dir/secret"
	for node in m1 m2; do
		{
			native_config stall "$node" "$dir/secret" "$dir" "$port"
			echo "replay-window-ms = 1000"
		} > "$dir/$node.conf"
		# m2 stops itself when asked (stop_after_read.c); the
		# sanitizer's runtime then is not the first library loaded.
		AVAILCAST_STOP_FILE=$dir/stop-$node LD_PRELOAD=$shim \
			ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
			"$availctl" arbiter --config "$dir/$node.conf" 2> "$dir/$node.log" &
		pids+=" $!"
	done
	m2=${pids##* }
	tap_check "the pair forms: m1 active" wait_until 30 is m1 active
	tap_check "m2 standby" wait_until 10 is m2 standby
	for junk in 0 100 3000; do
		# 3 s: what got in before the junk filled the socket is then
		# older than replay-window-ms (1000), and dropped when read.
		stop_s=1
		[ "$junk" -lt 3000 ] || stop_s=3
		for _ in $(seq "$stops"); do
			kill -STOP "$m2"
			# Ahead of the heartbeats of the stop (m2's port: PORT + 1).
			python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(int(sys.argv[1])):
    s.sendto(b"junk", ("127.0.0.1", int(sys.argv[2])))' "$junk" $((port + 1))
			# The fault's length, not a wait for a condition: over grace-ms.
			sleep "$stop_s"
			kill -CONT "$m2"
			# It answers after its first pass: read, timers, then status.
			tap_check "m2 runs again after $stop_s s stopped" wait_until 10 answers m2
		done
		tap_check "stopped $stops times, $junk junk datagrams sent ahead: the standby never entered fault" \
			entered m2 fault 0
		tap_check "nor active" entered m2 active 0
	done
	# Stopped right after a pass read the socket empty, before it looked
	# at the clock for its timers: the heartbeats of the stop wait unread
	# when the timers run.
	for _ in $(seq "$stops"); do
		touch "$dir/stop-m2"
		tap_check "m2 stops itself after reading its socket empty" wait_until 10 stopped "$m2"
		sleep 1
		kill -CONT "$m2"
		tap_check "m2 runs again after 1 s stopped" wait_until 10 answers m2
	done
	tap_check "stopped $stops times after a read, before its timers: the standby never entered fault" \
		entered m2 fault 0
	# Stopped in the middle of a pass, after a read that took m1's
	# heartbeat, and junk sent meanwhile fills the socket: the
	# heartbeats of the stop are lost, and the pass goes on to read the
	# junk and find the socket empty only after the stop. The stop is
	# still ours, not m1's silence.
	for _ in $(seq "$stops"); do
		touch "$dir/stop-m2.data"
		tap_check "m2 stops itself after a read that took a datagram" wait_until 10 stopped "$m2"
		python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(3000):
    s.sendto(b"junk", ("127.0.0.1", int(sys.argv[1])))' $((port + 1))
		sleep 1	# the fault's length, over grace-ms
		kill -CONT "$m2"
		tap_check "m2 runs again after 1 s stopped" wait_until 10 answers m2
	done
	tap_check "stopped $stops times in the middle of reading, its socket full: the standby never entered fault" \
		entered m2 fault 0
	# shellcheck disable=SC2086
	kill $pids 2> /dev/null
	wait 2> /dev/null
	pids=
done

tap_done
