#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Reloads as a configuration tool and systemd make them, natively on
# 127.0.0.1 (no module: the relay waits for it, the arbiter needs none):
# - A SIGHUP that comes while the daemon starts (a tool's
#   restart-then-reload) does not kill it: it reloads once started.
# - `availctl reload` (the units' ExecReload) asks the daemon over its
#   control socket and exits 0 only when the daemon took the new file;
#   a file it refuses (a syntax error, a change that needs a restart)
#   makes it exit 1 with the daemon's reason, and the daemon runs on with
#   what it had. With --config, only the daemon of the node that file
#   names is reloaded: a control path that names another's socket fails,
#   as do availctl status and metrics with that file, and availctl check
#   says that file's daemon could not start.
# Usage: reload.sh AVAILCTL...  (plain and sanitizer builds)

. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/wait.sh"
. "$(dirname "$0")/../lib/native.sh"

dir=$(mktemp -d /tmp/reload.XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2> /dev/null
	wait 2> /dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT

port=$((20000 + RANDOM % 20000))

# config NODE [LINE...]: NODE's configuration with LINEs.
config() {
	local key=$dir/secret
	[ "$1" = m1 ] || key=$dir/$1.key
	native_config reload "$1" "$key" "$dir" "$port"
	shift
	[ $# -eq 0 ] || printf '%s\n' "$@"
}

# refused SOCKET REQUEST: REQUEST (a literal \0 in it sent as a NUL, a
# newline added) sent to the control socket SOCKET is refused.
refused() {
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode().replace(b"\\0", b"\0") + b"\n")
sys.stdout.write(s.makefile("rb").read().decode())' "$1" "$2" | grep -q "^refused: "
}

# connected_twice: strace's log shows two connections made (none while
# strace has not made the log yet).
connected_twice() {
	local made

	made=$(grep -cs '^[0-9]* *connect(.*) = 0$' "$dir/strace.log")
	[ "${made:-0}" -ge 2 ]
}

# stat_after_connect FILE: strace's log shows FILE stat()ed after a
# connection was made.
stat_after_connect() {
	awk -v file="\"$1\"" '/connect\(.*= 0$/ { c = 1 } c && index($0, file) { f = 1 }
		END { exit !f }' "$dir/strace.log"
}

answers() { timeout 5 "$availctl" status --socket "$dir/state-$1/$1.sock" > /dev/null 2>&1; }

# start_on_fifo NODE DAEMON: starts DAEMON for NODE ($pid) with its
# configuration file, kept as NODE.text, replaced by a FIFO.
start_on_fifo() {
	local node=$1 daemon=$2
	mv "$dir/$node.conf" "$dir/$node.text"
	mkfifo "$dir/$node.conf"
	"$availctl" "$daemon" --config "$dir/$node.conf" 2> "$dir/$node.log" &
	pid=$!
}

# hup_while_starting NODE DAEMON: starts DAEMON for NODE with its
# configuration file a FIFO, and sends it SIGHUP once it opened it (it
# started and waits in a read of its configuration); then puts the file in the FIFO's
# place, for the reload, and feeds the FIFO.
hup_while_starting() {
	local node=$1 daemon=$2
	start_on_fifo "$node" "$daemon"
	exec 3> "$dir/$node.conf"
	# Blocked in the FIFO's read (x86-64's syscall 0): the signal
	# interrupts it.
	wait_until 10 grep -q "^0 " "/proc/$pid/syscall"
	kill -HUP "$pid"
	# And availctl reload, as systemd's ExecReload right after a start:
	# it must wait for the daemon, which has no socket yet.
	"$availctl" reload --socket "$dir/state-$node/$node.sock" > "$dir/$node.early" 2>&1 3>&- &
	early=$!
	cp "$dir/$node.text" "$dir/$node.file"
	mv "$dir/$node.file" "$dir/$node.conf"
	cat "$dir/$node.text" >&3
	exec 3>&-
}

# hup_in_open NODE DAEMON: as hup_while_starting, but the SIGHUP comes
# while the daemon waits in the open of its FIFO (no writer yet:
# x86-64's openat, 257, asleep), before any read. The file is fed once
# the signal was taken (no longer pending), for at most 5 s: a daemon
# the signal ended has no reader there.
hup_in_open() {
	local node=$1 daemon=$2
	start_on_fifo "$node" "$daemon"
	wait_until 10 bash -c "grep -q '^257 ' /proc/$pid/syscall && grep -q '^[0-9]* ([^)]*) S' /proc/$pid/stat"
	kill -HUP "$pid"
	wait_until 10 bash -c "! grep -qE '^(SigPnd|ShdPnd):.*[1-9a-f]' /proc/$pid/status"
	# The regular file in the FIFO's place once the daemon opened it, for the reload.
	timeout 5 bash -c "exec 3> '$dir/$node.conf' && cp '$dir/$node.text' '$dir/$node.file' &&
		mv '$dir/$node.file' '$dir/$node.conf' && cat '$dir/$node.text' >&3"
	[ -p "$dir/$node.conf" ] && cp --remove-destination "$dir/$node.text" "$dir/$node.conf"
}

for availctl in "$@"; do
	rm -rf "${dir:?}"/*
	"$availctl" keygen "$dir/secret"
	"$availctl" keygen --node h0 --secret "$dir/secret" "$dir/h0.key"
	for node in m1 h0; do
		config "$node" > "$dir/$node.conf"
		if [ "$node" = m1 ]; then daemon=arbiter; else daemon=relay; fi

		hup_while_starting "$node" "$daemon"
		tap_check "$daemon: a SIGHUP while it starts does not stop it" \
			wait_until 10 grep -q " started " "$dir/$node.log"
		tap_check "$daemon: it answers once started" wait_until 10 answers "$node"
		if [ "$daemon" = relay ]; then
			tap_expect 5 "relay" "$availctl" status --role --socket "$dir/state-h0/h0.sock"
		fi
		tap_check "$daemon: it reloads for it once started" \
			wait_until 10 grep -q " reloaded " "$dir/$node.log"
		wait "$early"
		tap_check "$daemon: an availctl reload sent while it started waits for it and succeeds" \
			test $? = 0
		kill "$pid"
		wait "$pid"
		hup_in_open "$node" "$daemon"
		tap_check "$daemon: a SIGHUP in the open of its file does not stop it either" \
			wait_until 10 grep -q " started " "$dir/$node.log"
		tap_check "$daemon: it reloads for that SIGHUP once started" \
			wait_until 10 grep -q " reloaded " "$dir/$node.log"

		config "$node" "host-grace-ms = 150" > "$dir/$node.conf"
		tap_expect 0 "reloaded" "$availctl" reload --config "$dir/$node.conf"
		tap_check "$daemon: availctl reload: the daemon took the file" \
			grep -q " reloaded " "$dir/$node.log"

		# This node's file, but a copy elsewhere (edited there, not
		# yet put in place): the daemon rereads its own file, so the
		# copy would not be what it runs. Not reloaded.
		config "$node" "host-grace-ms = 160" > "$dir/copy.conf"
		reloads=$(grep -c " reloaded " "$dir/$node.log")
		tap_expect 1 "reads $dir/$node.conf, not $dir/copy.conf" \
			"$availctl" reload --config "$dir/copy.conf"
		tap_check "$daemon: a copy's availctl reload did not reload it" \
			test "$(grep -c " reloaded " "$dir/$node.log")" = "$reloads"
		# The file itself by another name (a hard link): reloaded.
		ln -f "$dir/$node.conf" "$dir/hard.conf"
		tap_expect 0 "reloaded" "$availctl" reload --config "$dir/hard.conf"

		# Another node's file whose control names this daemon's socket
		# (an edit gone wrong): not this daemon's to reload.
		if [ "$node" = m1 ]; then other=h0; else other=m1; fi
		# (A link to it: a path named $node.sock in $other's file is
		# refused as written, conf.c.)
		ln -sf "state-$node/$node.sock" "$dir/edited.sock"
		config "$other" "control = $dir/edited.sock" > "$dir/other.conf"
		reloads=$(grep -c " reloaded " "$dir/$node.log")
		tap_expect 1 "is not node $other" "$availctl" reload --config "$dir/other.conf"
		tap_check "$daemon: another node's availctl reload did not reload it" \
			test "$(grep -c " reloaded " "$dir/$node.log")" = "$reloads"
		# Nor is its status or metrics that file's node's: asked with
		# that file, they fail rather than show this daemon as it.
		tap_expect 1 "is not node $other" "$availctl" status --config "$dir/other.conf"
		tap_expect 1 "is not node $other" "$availctl" --json status --config "$dir/other.conf"
		tap_expect 1 "is not node $other" "$availctl" status --role --config "$dir/other.conf"
		tap_expect 1 "is not node $other" "$availctl" metrics --config "$dir/other.conf"
		# And availctl check says that file's daemon could not start.
		tap_expect 1 "this daemon could not start" \
			"$availctl" check --config "$dir/other.conf"

		# The managers named otherwise (m2 first): a restart's business.
		config "$node" | awk '/^manager = m1 / { m1 = $0; next } { print } /^manager = m2 / { print m1 }' \
			> "$dir/$node.conf"
		tap_expect 1 "$dir/$node.conf: line 6: the managers' names or order changed: only a restart takes that" \
			"$availctl" reload --socket "$dir/state-$node/$node.sock"
		# m2 at the broadcast address of lo's subnet: no node's.
		config "$node" | sed 's/^manager = m2 127.0.0.1:/manager = m2 127.255.255.255:/' > "$dir/$node.conf"
		tap_expect 1 "$dir/$node.conf: line 7: m2: 127.255.255.255 is a broadcast address here (of lo's subnet)" \
			"$availctl" reload --socket "$dir/state-$node/$node.sock"
		# The line named is the one that changed: here the second manager's.
		config "$node" | sed 's/^manager = m2 /manager = m3 /' > "$dir/$node.conf"
		tap_expect 1 "$dir/$node.conf: line 7: the managers' names or order changed" \
			"$availctl" reload --socket "$dir/state-$node/$node.sock"
		# A FIFO with no writer: refused at once, the loop never waits on it.
		rm "$dir/$node.conf"
		mkfifo "$dir/$node.conf"
		tap_expect 1 "not a regular file" "$availctl" reload --socket "$dir/state-$node/$node.sock"
		rm "$dir/$node.conf"
		config "$node" "host-grace-ms = many" > "$dir/$node.conf"
		tap_expect 1 "line 9: host-grace-ms" "$availctl" reload --socket "$dir/state-$node/$node.sock"
		config "$node" "control = $dir/elsewhere.sock" > "$dir/$node.conf"
		tap_expect 1 "$dir/$node.conf: line 9: control changed: only a restart takes that" \
			"$availctl" reload --socket "$dir/state-$node/$node.sock"
		tap_check "$daemon: refused six times, it runs on" answers "$node"
		tap_check "$daemon: and logged every refusal" \
			test "$(grep -c " reload-refused " "$dir/$node.log")" = 6
		kill "$pid"
		wait "$pid"
		tap_check "$daemon: SIGTERM: exits 0" test $? = 0
		pid=
	done

	# A control socket swapped between availctl reload's connections
	# (another daemon's socket put at the path that named m1's): what
	# the request reaches must be what the file names, or nothing is
	# reloaded. strace holds back every connection after the first two
	# (reload's wait for the daemon, then its request) by 2 s, and the
	# socket is swapped once two were made.
	config m1 "control = $dir/ctl.sock" > "$dir/m1.conf"
	config h0 > "$dir/h0.conf"
	"$availctl" arbiter --config "$dir/m1.conf" 2> "$dir/m1.log" &
	pid=$!
	"$availctl" relay --config "$dir/h0.conf" 2> "$dir/h0.log" &
	pid="$pid $!"
	wait_until 10 "$availctl" status --config "$dir/m1.conf" > /dev/null
	wait_until 10 "$availctl" status --config "$dir/h0.conf" > /dev/null
	strace -f -qq -o "$dir/strace.log" -e trace=connect \
		-e inject=connect:delay_enter=2000000:when=3+ \
		"$availctl" reload --config "$dir/m1.conf" > "$dir/swap.out" 2>&1 &
	client=$!
	wait_until 10 connected_twice
	mv "$dir/state-h0/h0.sock" "$dir/ctl.sock"
	wait "$client"
	said=$?
	# Stopped first: what they logged is all written.
	# shellcheck disable=SC2086
	kill $pid
	wait
	pid=
	tap_check "a socket swapped between reload's connections: h0 was not reloaded" \
		test "$(grep -c " reloaded " "$dir/h0.log")" = 0
	tap_check "and availctl said reloaded (exit $said) only if m1 was" \
		test "$said" != 0 -o "$(grep -c " reloaded " "$dir/m1.log")" = 1

	# Requests that are not of the form (cluster/control.h), straight to
	# m1's socket: each refused, and none acted on. And an answer from
	# a daemon of an earlier version (here a stand-in that answers any
	# request with a text status, as those did): not taken for m1's.
	rm "$dir/ctl.sock"	# h0's, swapped in above
	"$availctl" arbiter --config "$dir/m1.conf" 2> "$dir/m1.log" &
	pid=$!
	tap_check "m1 runs again" wait_until 10 "$availctl" status --config "$dir/m1.conf"
	ino=$(stat -c '%d %i' "$dir/m1.conf")
	name31=n234567890123456789012345678901
	for request in "reload $(printf 'x%.0s' $(seq 300))" "reload\0 for h0 reload" \
		"reload for m1 reload -${ino% *} ${ino#* } 1" "reload for m1 reload +${ino% *} ${ino#* } 1" \
		"reload for ${name31}m1 reload" "reload for m1  reload" "reloadx" "reload "; do
		tap_check "$(printf '%.40s' "$request"): refused" refused "$dir/ctl.sock" "$request"
	done
	kill "$pid"
	wait "$pid"
	pid=
	tap_check "and none reloaded m1" test "$(grep -c " reloaded " "$dir/m1.log")" = 0
	tap_expect 2 "--config and --socket exclude each other" \
		"$availctl" reload --config "$dir/m1.conf" --socket "$dir/state-h0/h0.sock"
	python3 -c 'import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
s.listen(1)
print("ready", flush=True)
while True:
    c, _ = s.accept()
    c.recv(256)
    c.sendall(b"node:       h0 (relay) of cluster reload\n")
    c.close()' "$dir/old.sock" > "$dir/old.ready" &
	pid=$!
	wait_until 10 grep -q ready "$dir/old.ready"
	config m1 "control = $dir/old.sock" > "$dir/old.conf"
	tap_expect 1 "did not say it answers for node m1 of cluster reload" \
		"$availctl" status --config "$dir/old.conf"
	tap_expect 1 "did not say it answers for node m1" "$availctl" metrics --config "$dir/old.conf"
	kill "$pid"
	wait "$pid"
	pid=

	# The file replaced between reload's stat() of it and the daemon's
	# (a configuration tool writes a new file, renames it over the old
	# and reloads): the file at the path then is the one meant, and
	# reloaded. strace holds back every connection after the first
	# (reload's wait for the daemon) by 2 s; the file is replaced once
	# reload stat()ed it after that first connection.
	"$availctl" arbiter --config "$dir/m1.conf" 2> "$dir/m1.log" &
	pid=$!
	wait_until 10 "$availctl" status --config "$dir/m1.conf" > /dev/null
	# (LeakSanitizer cannot run under a tracer: the sanitizer build's
	# exit status would be its.)
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f -qq -o "$dir/strace.log" -e trace=connect,stat,newfstatat,statx \
			-e inject=connect:delay_enter=2000000:when=2+ \
			"$availctl" reload --config "$dir/m1.conf" > "$dir/replaced.out" 2>&1 &
	client=$!
	wait_until 10 stat_after_connect "$dir/m1.conf"
	cp "$dir/m1.conf" "$dir/m1.new"
	mv "$dir/m1.new" "$dir/m1.conf"
	wait "$client"
	said=$?
	kill "$pid"
	wait "$pid"
	pid=
	tap_check "a file replaced while reload asked: the new one reloaded (exit $said: $(head -c 200 "$dir/replaced.out"))" \
		test "$said" = 0 -a "$(grep -c " reloaded " "$dir/m1.log")" = 1
done

tap_done
