#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# availctl metrics and status against running daemons, natively (the
# daemons need no module to answer): an arbiter in a cluster of ten
# thousand hosts and a relay, on 127.0.0.1. The Prometheus exposition is
# checked with promtool (Debian's prometheus package) and for the samples
# it must hold; the answers are megabytes, which the control socket must
# carry whole; a slow client does not hold the daemon up, nor do idle
# ones, and status gives up at its deadline on a full queue; a client
# the daemon dropped says so, and takes no part of an answer for the
# whole; a flood of
# reports is read a batch at a time, the newest of each host checked; of
# a flood of witness requests, only the newest is answered.
# Usage: metrics.sh AVAILCTL...  (plain and sanitizer builds)

. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/wait.sh"

inject=$(dirname "$0")/../../build/selftests/cluster_inject
dir=$(mktemp -d /tmp/metrics.XXXXXX)
pids=
cleanup() {
	# shellcheck disable=SC2086
	[ -n "$pids" ] && kill $pids 2> /dev/null
	wait 2> /dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

hosts=10000
port=$((20000 + RANDOM % 20000))

# config NODE: the cluster's configuration as NODE reads it.
config() {
	local i
	echo "cluster = big"
	echo "node = $1"
	if [ "$1" = m1 ]; then
		echo "key-file = $dir/key"
	else
		echo "key-file = $dir/$1.key"
	fi
	echo "state-dir = $dir/state-$1"
	echo "runtime-dir = $dir/run"
	echo "manager = m1 127.0.0.1:$port"
	echo "manager = m2 127.0.0.1:$((port + 1))"
	echo "host = h0 127.0.0.1:$((port + 2))"
	for ((i = 1; i < hosts; i++)); do
		echo "host = h$i 10.$((i / 65536)).$((i / 256 % 256)).$((i % 256))"
	done
}

# asks_late COMMAND...: COMMAND, its connect() back 1.5 s late (strace;
# LeakSanitizer, which cannot work under ptrace, off).
asks_late() {
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -qq -o /dev/null \
		-e trace=connect -e inject=connect:delay_exit=1500000 "$@"
}

# reads_slowly COMMAND...: COMMAND, its second poll() 6.5 s late (past
# the daemon's drop of a client, 5 s, and availctl's own deadline, 6 s:
# however long the first took), its output in $dir/cut.
reads_slowly() {
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -qq -o /dev/null \
		-e trace=poll -e inject=poll:delay_enter=6500000:when=2 "$@" > "$dir/cut"
}

# metric TEXT NAME LABELS...: the value of the sample of NAME whose labels
# include every LABELS (name="value"), or nothing.
metric() {
	local text=$1 name=$2 pattern
	shift 2
	pattern="^availctl_$name{"
	grep "$pattern" <<< "$text" | while read -r line; do
		local label ok=1
		for label in "$@"; do
			[[ $line == *"$label"* ]] || ok=0
		done
		[ "$ok" = 1 ] && echo "${line##* }" && break
	done
}

# reports_seen ARBITER_SOCKET_ARGS... HOST CHECKED SUPERSEDED: the
# arbiter took CHECKED reports from HOST, and counts SUPERSEDED passed over.
reports_seen() {
	local args=("${@:1:$#-3}") host=${*: -3:1} checked=${*: -2:1} superseded=${*: -1}
	"$availctl" --json status "${args[@]}" | python3 -c '
import json, sys
s = json.load(sys.stdin)
h = [h for h in s["hosts"] if h["name"] == sys.argv[1]][0]
sys.exit(not (h["reports"] == int(sys.argv[2]) and s["reports_superseded"] == int(sys.argv[3])))
' "$host" "$checked" "$superseded"
}

# relay_superseded RELAY_SOCKET_ARGS... COUNT: the relay counts COUNT
# witness requests superseded.
relay_superseded() {
	test "$(metric "$("$availctl" metrics "${@:1:$#-1}")" relay_requests_superseded_total)" \
		= "${*: -1}"
}

# relay_metric_is RELAY_SOCKET_ARGS... NAME [LABEL...] VALUE: the relay's
# metric NAME (with LABELs) is VALUE.
relay_metric_is() {
	local socket=("${@:1:2}")
	test "$(metric "$("$availctl" metrics "${socket[@]}")" "${@:3:$#-3}")" = "${*: -1}"
}

# role_agrees ARGS...: the arbiter's metrics give the role its status
# gives (its own "role", not the peer's), read between two status calls
# that agree (a lone manager leaves startup for fault grace-ms after it
# started, maybe between two reads).
role_agrees() {
	local before after metrics
	before=$(role_in_status "$@")
	metrics=$("$availctl" metrics "$@")
	after=$(role_in_status "$@")
	[ -n "$before" ] && [ "$before" = "$after" ] &&
		test "$(metric "$metrics" arbiter_role "role=\"$before\"")" = 1
}
role_in_status() {
	"$availctl" --json status "$@" | python3 -c 'import json, sys; print(json.load(sys.stdin)["role"])'
}

config m1 > "$dir/m1.conf"
config h0 > "$dir/h0.conf"

for availctl in "$@"; do
	rm -rf "$dir"/state-* "$dir/run" "$dir/key" "$dir/h0.key"
	"$availctl" keygen "$dir/key"
	"$availctl" keygen --node h0 --secret "$dir/key" "$dir/h0.key"
	"$availctl" arbiter --config "$dir/m1.conf" 2> "$dir/m1.log" &
	arbiter_pid=$!
	"$availctl" relay --config "$dir/h0.conf" 2> "$dir/h0.log" &
	relay_pid=$!
	pids="$arbiter_pid $relay_pid"
	m1=(--socket "$dir/state-m1/m1.sock")
	h0=(--socket "$dir/state-h0/h0.sock")
	tap_check "the arbiter answers status" wait_until 30 "$availctl" status "${m1[@]}"
	tap_check "the relay answers status" wait_until 30 "$availctl" status "${h0[@]}"

	arbiter=$("$availctl" metrics "${m1[@]}")
	relay=$("$availctl" metrics "${h0[@]}")
	tap_check "promtool accepts the arbiter's metrics" promtool check metrics <<< "$arbiter"
	tap_check "promtool accepts the relay's metrics" promtool check metrics <<< "$relay"
	tap_check "the arbiter's metrics say which daemon and node" \
		test "$(metric "$arbiter" info 'daemon="arbiter"' 'node="m1"' 'cluster="big"')" = 1
	tap_check "exactly one role is 1" \
		test "$(grep -c '^availctl_arbiter_role{.*} 1$' <<< "$arbiter")" = 1
	tap_check "the role in the metrics is the role in the status" \
		wait_until 30 role_agrees "${m1[@]}"
	tap_check "every one of the $hosts hosts has an availability sample" \
		test "$(grep -c '^availctl_host_available{' <<< "$arbiter")" = "$hosts"
	tap_check "h9999, never heard, is unavailable" \
		test "$(metric "$arbiter" host_available 'host="h9999"')" = 0
	tap_check "the datagram counters are there, by verdict" \
		test -n "$(metric "$arbiter" datagrams_received_total 'verdict="accepted"')"
	tap_check "the relay says it has no module to hear" \
		test "$(metric "$relay" relay_subscribed 'node="h0"')" = 0
	tap_check "the relay's witness store is empty" \
		test "$(metric "$relay" witness_record 'state="empty"')" = 0

	size=$("$availctl" --json status "${m1[@]}" | wc -c)
	tap_check "the arbiter's JSON status arrives whole: $size bytes, one line" \
		test "$("$availctl" --json status "${m1[@]}" | python3 -c '
import json, sys
print(len(json.load(sys.stdin)["hosts"]))')" = "$hosts"

	mkdir -p "$dir/full"
	tap_check "--output writes the metrics to a file" \
		"$availctl" metrics "${m1[@]}" --output "$dir/availctl.prom"
	tap_check "promtool accepts the file" promtool check metrics < "$dir/availctl.prom"
	tap_check "and no temporary file is left beside it" test ! -e "$dir/availctl.prom.tmp"
	tap_expect 1 "availctl metrics: $dir/none/x.prom" \
		"$availctl" metrics "${m1[@]}" --output "$dir/none/x.prom"
	tap_expect 2 "unexpected argument" "$availctl" metrics "${m1[@]}" extra
	# --output replaces a regular file only: not a device, a FIFO or a
	# symlink (as /dev/null and /dev/stdout are), which are left as they are.
	mknod "$dir/null" c 1 3
	mkfifo "$dir/fifo"
	ln -sfn /proc/self/fd/1 "$dir/stdout"
	for target in null fifo stdout; do
		tap_expect 1 "$dir/$target: not a regular file" \
			"$availctl" metrics "${m1[@]}" --output "$dir/$target"
	done
	tap_check "and they are as they were" \
		bash -c "test -c '$dir/null' -a -p '$dir/fifo' -a -L '$dir/stdout'"
	rm -f "$dir/null" "$dir/fifo" "$dir/stdout"
	# Output that was not all written is a failure, whatever the command:
	# "metrics > f.tmp && mv f.tmp f.prom" must not move a cut file.
	for command in "metrics" "status" "--json status"; do
		# shellcheck disable=SC2086
		tap_expect 1 "availctl: writing its output: " \
			bash -c '"$0" "$@" > /dev/full' "$availctl" $command "${m1[@]}"
	done
	tap_expect 1 "availctl: writing its output: " unshare -m bash -c '
		mount -t tmpfs -o size=4k full "$1" && "$0" metrics "${@:2}" > "$1/m.prom.tmp" &&
		mv "$1/m.prom.tmp" "$1/m.prom"' "$availctl" "$dir/full" "${m1[@]}"
	tap_expect 1 "no daemon answers" "$availctl" metrics --socket "$dir/nothing.sock"

	# 100 reports from h1 wait while the arbiter is stopped: it reads
	# them 64 at a time and checks only the newest of each batch, so
	# that a flood of reports costs it little.
	kill -STOP "$arbiter_pid"
	"$inject" flood "$dir/key" 1 m1 127.0.0.1 "$port" h1 100 > /dev/null
	kill -CONT "$arbiter_pid"
	tap_check "a flood of 100 reports from h1: 2 checked, 98 superseded" \
		wait_until 10 reports_seen "${m1[@]}" h1 2 98

	# 100 witness reads from m2 wait while the relay is stopped: it
	# answers m2's newest read only, at m2's address, where a listener
	# here counts what comes from the relay.
	rm -f "$dir/answers"
	python3 - $((port + 1)) $((port + 2)) "$dir/answers" <<-'PY' &
	import socket, sys
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.bind(("127.0.0.1", int(sys.argv[1])))
	open(sys.argv[3], "w").write("listening\n")
	n = 0
	while True:
	    data, source = s.recvfrom(65536)
	    if source == ("127.0.0.1", int(sys.argv[2])):
	        n += 1
	        open(sys.argv[3], "w").write(f"{n}\n")
	PY
	listener=$!
	pids+=" $listener"
	tap_check "a listener at m2's address" wait_until 10 test -s "$dir/answers"
	kill -STOP "$relay_pid"
	"$inject" ask "$dir/key" 1 h0 127.0.0.1 $((port + 2)) m2 100 > /dev/null
	kill -CONT "$relay_pid"
	tap_check "100 witness reads from m2 waiting: the relay counts 99 superseded" \
		wait_until 10 relay_superseded "${h0[@]}" 99
	wait_until 10 grep -q '^[0-9]' "$dir/answers"
	tap_check "and sends one answer, to the newest" test "$(cat "$dir/answers")" = 1

	# A claim from m2 that waited its whole lease (300 ms) while the
	# relay was stopped could hold nothing for m2, whose hold counts
	# from its send; granted, it would keep the lease from m1 for
	# 300 ms more (witness_cas_expired()). The stop is the fault: the
	# sleep makes it. The same claim sent fresh is granted.
	kill -STOP "$relay_pid"
	"$inject" claim "$dir/key" 1 h0 127.0.0.1 $((port + 2)) m2 big 300 > /dev/null
	sleep 0.5
	kill -CONT "$relay_pid"
	tap_check "a claim that waited its whole lease is counted expired" \
		wait_until 10 relay_metric_is "${h0[@]}" relay_requests_expired_total 1
	tap_check "and is not granted: the store is still empty" \
		relay_metric_is "${h0[@]}" witness_record 'state="empty"' 0
	tap_check "nor answered" test "$(cat "$dir/answers")" = 1
	tap_check "the relay logs it once" \
		test "$(grep -c 'witness-expired from=m2 waited_ms=[0-9]* lease_ms=300 total=1' "$dir/h0.log")" = 1
	"$inject" claim "$dir/key" 1 h0 127.0.0.1 $((port + 2)) m2 big 300 > /dev/null
	tap_check "the same claim sent fresh is granted" \
		wait_until 10 relay_metric_is "${h0[@]}" witness_record 'state="done"' 1
	tap_check "and answered" wait_until 10 grep -qx 2 "$dir/answers"

	# A client that connects and never asks, one that asks and never
	# reads: the daemon goes on answering others.
	python3 - "$dir/state-m1/m1.sock" <<-'PY' &
	import socket, sys, time
	idle = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	idle.connect(sys.argv[1])
	stuck = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	stuck.connect(sys.argv[1])
	stuck.sendall(b"json\n")
	time.sleep(8)
	PY
	stallers=$!
	tap_check "with a silent and a stuck client, status still answers" \
		"$availctl" status "${m1[@]}"
	wait "$stallers"
	tap_check "and still after the daemon dropped them" "$availctl" status "${m1[@]}"

	# Idle clients filling the daemon's four slots and four of the five
	# places of its queue of connections not yet taken in (listen(2)'s
	# backlog), each connected again as soon as the daemon drops it:
	# status, queued behind four of them, is answered within its own
	# deadline (6 s from its connect): a client that has not asked
	# within a second is dropped (CONTROL_REQUEST_MS). When idle
	# clients held a slot for the 5 s a slow reader may have, status
	# waited about 10 s.
	rm -f "$dir/holding"
	python3 - "$dir/state-m1/m1.sock" "$dir/holding" <<-'PY' &
	import select, socket, sys
	held = []
	while True:
	    while len(held) < 8:
	        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_NONBLOCK)
	        try:
	            s.connect(sys.argv[1])
	        except BlockingIOError:
	            s.close()
	            break
	        held.append(s)
	    if len(held) == 8:
	        open(sys.argv[2], "w").close()
	    for s in select.select(held, [], [], 0.05)[0]:
	        held.remove(s)
	        s.close()
	PY
	holders=$!
	wait_until 10 test -e "$dir/holding"
	for i in 1 2 3; do
		tap_check "with eight idle clients connecting again and again, status answers ($i of 3)" \
			timeout 20 "$availctl" status "${m1[@]}"
	done
	kill "$holders"
	wait "$holders" 2> /dev/null
	# The relay's loop, which has no timer of its own due for up to a
	# second, wakes for a client's deadline too: an idle client is
	# dropped a second after it was taken in, not at the turn after
	# (every other one was held 2 s). Five in a row; the reader's own
	# lateness on a loaded machine is in the margin.
	held=$(python3 - "$dir/state-h0/h0.sock" <<-'PY'
	import socket, sys, time
	longest = 0
	for _ in range(5):
	    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	    s.connect(sys.argv[1])
	    start = time.monotonic()
	    s.recv(1)
	    longest = max(longest, time.monotonic() - start)
	    s.close()
	print(round(longest * 1000))
	PY
	)
	tap_check "the relay drops an idle client after its second (the longest of five held ${held} ms)" \
		test "${held:-99999}" -lt 1600

	# A socket whose owner takes in no connection, its queue full (a
	# daemon's loop stopped): status gives up at its deadline, saying
	# why, where its connect() waited without end.
	rm -f "$dir/full.sock" "$dir/full.ready"
	python3 - "$dir/full.sock" "$dir/full.ready" <<-'PY' &
	import socket, sys, time
	listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	listener.bind(sys.argv[1])
	listener.listen(0)
	queued = []
	while True:
	    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_NONBLOCK)
	    try:
	        s.connect(sys.argv[1])
	    except BlockingIOError:
	        break
	    queued.append(s)
	open(sys.argv[2], "w").close()
	time.sleep(60)
	PY
	full=$!
	wait_until 10 test -e "$dir/full.ready"
	for verb in status reload; do
		tap_expect 1 "took no connection in 6 s: its queue stayed full" \
			timeout 20 "$availctl" "$verb" --socket "$dir/full.sock"
	done
	kill "$full"
	wait "$full" 2> /dev/null

	# A client the daemon dropped is told so: one that had not asked a
	# second after it was taken in is not told that no daemon answers;
	# one that read too slowly (the daemon gives a client 5 s in all)
	# does not take the part it got for the whole answer, as it did (a
	# quarter of a megabyte of the status, and exit 0); and one past its
	# own deadline reads the end that waits for it, and says what it is,
	# not that no answer came (as it did: a test that failed when the
	# machine was loaded).
	tap_expect 1 "the daemon at $dir/state-m1/m1.sock closed the connection before availctl sent its request" \
		asks_late "$availctl" status "${m1[@]}"
	tap_expect 1 "the daemon at $dir/state-m1/m1.sock closed the connection" \
		reads_slowly "$availctl" status "${m1[@]}"
	tap_check "and printed none of it ($(wc -c < "$dir/cut") bytes)" test ! -s "$dir/cut"

	# shellcheck disable=SC2086
	kill $pids
	wait "$arbiter_pid"
	arbiter_status=$?
	wait "$relay_pid"
	relay_status=$?
	pids=
	# Under the sanitizers, a leak or a bad access makes the exit non-zero.
	tap_check "both daemons stop on SIGTERM with status 0" \
		test "$arbiter_status $relay_status" = "0 0"
done

tap_done
