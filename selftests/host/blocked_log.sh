#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A log sink that stops reading must not stop an arbiter. Under systemd a
# daemon's standard error is a stream socket to the journal, and a
# journal that falls behind (a boot's flood of lines, a slow disk) fills
# it; a pipe to a logger that stalls likewise. Two managers and a relay
# natively on 127.0.0.1; m1's standard error a socket or a pipe with the
# smallest buffer, which nobody reads. m1 must stay
# active, answer status, count the lines it could not log, and say so
# once the sink reads again.
# Usage: blocked_log.sh AVAILCTL...  (plain and sanitizer builds); KEEP=1
# keeps its directory (the daemons' logs) for a look after.

. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/wait.sh"
. "$(dirname "$0")/../lib/native.sh"

dir=$(mktemp -d /tmp/blocked-log.XXXXXX)
pids=
cleanup() {
	# shellcheck disable=SC2086
	[ -n "$pids" ] && kill $pids 2> /dev/null
	wait 2> /dev/null
	[ -n "$KEEP" ] || rm -rf "$dir"
}
trap cleanup EXIT

port=$((20000 + RANDOM % 20000))

# config NODE: the cluster's configuration as NODE reads it. Managers
# hold the cluster secret, hosts their own node key.
config() {
	local key=$dir/secret
	[ "$1" = h0 ] && key=$dir/h0.key
	native_config sink "$1" "$key" "$dir" "$port"
}

# role NODE: NODE's role, from its status.
role() {
	timeout 5 "$availctl" --json status --socket "$dir/state-$1/$1.sock" |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["role"])' 2> /dev/null
}

is_role() { [ "$(role "$1")" = "$2" ]; }

formed() { is_role m1 active && is_role m2 standby; }

# with_sink KIND: the cluster, m1's standard error a KIND (socket, pipe)
# with the smallest buffer, held open and read only when SIGUSR1 comes.
with_sink() {
	local kind=$1 sink dropped
	rm -rf "${dir:?}"/*
	"$availctl" keygen "$dir/secret"
	"$availctl" keygen --node h0 --secret "$dir/secret" "$dir/h0.key"
	for node in m1 m2 h0; do
		config "$node" > "$dir/$node.conf"
	done
	"$availctl" relay --config "$dir/h0.conf" 2> "$dir/h0.log" &
	pids="$!"
	"$availctl" arbiter --config "$dir/m2.conf" 2> "$dir/m2.log" &
	pids+=" $!"
	python3 - "$kind" "$dir/m1.sink" "$dir/m1.pid" "$availctl" arbiter \
		--config "$dir/m1.conf" <<-'PY' &
	import fcntl, os, signal, socket, sys
	signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])
	if sys.argv[1] == "socket":
	    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
	    theirs.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1)
	    ours.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)
	    ours, theirs = ours.detach(), theirs.detach()
	else:
	    ours, theirs = os.pipe()
	    fcntl.fcntl(theirs, fcntl.F_SETPIPE_SZ, 4096)
	child = os.fork()
	if child == 0:
	    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGUSR1])
	    os.dup2(theirs, 2)
	    os.execv(sys.argv[4], sys.argv[4:])
	os.close(theirs)
	with open(sys.argv[3], "w") as f:
	    f.write(f"{child}\n")
	signal.sigwait([signal.SIGUSR1])
	with open(sys.argv[2], "wb") as out:
	    while data := os.read(ours, 65536):
	        out.write(data)
	        out.flush()
	PY
	sink=$!
	pids+=" $sink"
	wait_until 10 test -s "$dir/m1.pid"
	pids+=" $(cat "$dir/m1.pid")"

	tap_check "$kind: m1 becomes active, m2 standby" wait_until 30 formed
	sleep 10	# an observation window, the sink unread, not a wait for anything
	tap_check "$kind: with its log unread for 10 s, m1 is still active" is_role m1 active
	tap_check "$kind: and m2 never became active" \
		bash -c "! grep -q ' role role=active' '$dir/m2.log'"
	dropped=$(timeout 5 "$availctl" --json status --socket "$dir/state-m1/m1.sock" |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["log_dropped"])')
	tap_check "$kind: m1 counts the lines it could not log: ${dropped:-none}" \
		test "${dropped:-0}" -gt 0
	kill -USR1 "$sink"
	tap_check "$kind: read again, m1's log says how many lines it dropped" \
		wait_until 10 grep -q "m1 log-dropped lines=[1-9]" "$dir/m1.sink"
	tap_check "$kind: and every line in it is whole" \
		bash -c "! grep -vE '^[0-9]+ m1 [a-z-]+( |$)' '$dir/m1.sink'"

	# shellcheck disable=SC2086
	kill $pids 2> /dev/null
	wait 2> /dev/null
	pids=
}

for availctl in "$@"; do
	with_sink socket
	with_sink pipe
done

tap_done
