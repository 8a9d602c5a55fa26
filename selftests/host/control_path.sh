#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A daemon removes only its own control socket, natively on 127.0.0.1.
# `control =` may name any path (outside the state directory, whose lock
# covers only the default one): a regular file there, the live socket of
# another daemon, or a socket another process holds bound (of any type,
# listening or not) is not removed to make room; the start is refused as
# a configuration error (78), naming the path; two daemons starting at
# once there take turns (one starts). A path that is not absolute or
# does not end in .sock (it could be one of the daemon's own files) is
# refused as written, as is one named NODE.sock for another node of the
# cluster (that node's own path, taken first, keeps it down). A socket
# nobody holds (left by a daemon killed with SIGKILL) is replaced. On
# stop, a daemon leaves a file that has replaced its socket. A path
# longer than a unix socket's is refused by `availctl check` and at
# start, with 78.
# Usage: control_path.sh AVAILCTL...  (plain and sanitizer builds)

. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/wait.sh"
. "$(dirname "$0")/../lib/native.sh"

native_dir control-path

port=$((20000 + RANDOM % 20000))

# answers SOCKET: a daemon answers `availctl status` at SOCKET.
answers() { "$availctl" status --socket "$1" > /dev/null 2>&1; }

# start_m1_at [CONTROL]: m1 started in the background, with control =
# CONTROL (none: the default path), its pid in $m1 and $pids.
start_m1_at() {
	"$availctl" arbiter --config <(grep -v '^control' "$dir/m1.conf"
		[ -n "${1:-}" ] && echo "control = $1") 2> "$dir/m1.log" &
	m1=$!
	pids=$m1
}

for availctl in "$@"; do
	rm -rf "${dir:?}"/*
	"$availctl" keygen "$dir/secret"
	native_config control m1 "$dir/secret" "$dir" "$port" > "$dir/m1.conf"
	native_config control m2 "$dir/secret" "$dir" "$port" > "$dir/m2.conf"

	# An admin's file where the socket would go: kept, and refused.
	echo "the admin's notes" > "$dir/notes.sock"
	echo "control = $dir/notes.sock" >> "$dir/m1.conf"
	tap_expect 78 "$dir/notes.sock" timeout 10 "$availctl" arbiter --config "$dir/m1.conf"
	tap_check "the file named by control = is still there, unchanged" \
		grep -qx "the admin's notes" "$dir/notes.sock"

	# A start refused for its control path makes nothing first: no
	# state-dir, runtime-dir or lock of its own is left behind.
	long=$dir/$(printf 'x%.0s' $(seq 110)).sock
	for bad in "$dir/notes.sock" "$dir/missing/m1.sock" "$long"; do
		rm -rf "$dir/state-m1" "$dir/run-m1"
		timeout 10 "$availctl" arbiter --config <(grep -v '^control' "$dir/m1.conf"
			echo "control = $bad") > /dev/null 2>&1
		status=$?
		tap_check "control = ${bad:0:60}: refused (78) with no state-dir or runtime-dir made" \
			test "$status" -eq 78 -a ! -e "$dir/state-m1" -a ! -e "$dir/run-m1"
	done
	# But a socket in the runtime-dir, which the daemon makes at start,
	# needs no directory before: check says so, and the daemon starts.
	rm -rf "$dir/state-m1" "$dir/run-m1"
	tap_check "control = in the runtime-dir not made yet: availctl check passes" \
		"$availctl" check --config <(grep -v '^control' "$dir/m1.conf"
			echo "control = $dir/run-m1/m1.sock")
	start_m1_at "$dir/run-m1/m1.sock"
	tap_check "and the daemon starts and answers there" \
		wait_until 10 answers "$dir/run-m1/m1.sock"
	# Stopped, it takes connections and says nothing: check says so, not
	# that another daemon answers there.
	kill -STOP "$m1"
	tap_expect 1 "control $dir/run-m1/m1.sock: a daemon takes connections there but did not answer (stopped, or hung?)" \
		"$availctl" check --config <(grep -v '^control' "$dir/m1.conf"
			echo "control = $dir/run-m1/m1.sock")
	kill -CONT "$m1"
	kill "$m1"
	wait "$m1" 2> /dev/null

	# One of the daemon's own files, or a relative path: refused as written.
	for bad in "$dir/state-m1/control.m1.sequence" "$dir/state-m1/.control.agreed.tmp" m1.sock; do
		tap_expect 1 "'$bad' is not an absolute path ending in .sock" \
			"$availctl" check --config <(grep -v '^control' "$dir/m1.conf"; echo "control = $bad")
	done

	# Another node's own socket path (its state-dir's m2.sock): taken
	# first by m1, it would keep m2 from starting; refused as written.
	for bad in "$dir/state-m2/m2.sock" "$dir/elsewhere/h0.sock"; do
		other=${bad##*/}
		tap_expect 1 "control '$bad' is named as node ${other%.sock}'s socket" \
			"$availctl" check --config <(grep -v '^control' "$dir/m1.conf"; echo "control = $bad")
	done
	tap_expect 78 "is named as node m2's socket" timeout 10 "$availctl" arbiter \
		--config <(grep -v '^control' "$dir/m1.conf"; echo "control = $dir/state-m2/m2.sock")

	# Another daemon's live socket: kept, and refused.
	sed -i "s|^control = .*|control = $dir/shared.sock|" "$dir/m1.conf"
	echo "control = $dir/shared.sock" >> "$dir/m2.conf"
	"$availctl" arbiter --config "$dir/m1.conf" 2> "$dir/m1.log" &
	m1=$!
	pids=$m1
	tap_check "m1 answers at the control path" wait_until 10 answers "$dir/shared.sock"
	tap_expect 78 "$dir/shared.sock" timeout 10 "$availctl" arbiter --config "$dir/m2.conf"
	tap_check "m1 still answers at its socket after m2's start was refused" \
		answers "$dir/shared.sock"

	# A stale socket, left by SIGKILL: replaced.
	kill -KILL "$m1"
	wait "$m1" 2> /dev/null
	tap_check "the killed daemon left its socket" test -S "$dir/shared.sock"
	"$availctl" arbiter --config "$dir/m1.conf" 2> "$dir/m1.log" &
	m1=$!
	pids=$m1
	tap_check "a new m1 replaces the stale socket and answers there" \
		wait_until 10 answers "$dir/shared.sock"

	# Its own stale socket after an admin gave a group access to it
	# (chgrp, chmod: the change time moves, the socket is the same):
	# still its own, replaced.
	kill -KILL "$m1"
	wait "$m1" 2> /dev/null
	chgrp nogroup "$dir/shared.sock"
	chmod 0666 "$dir/shared.sock"
	"$availctl" arbiter --config "$dir/m1.conf" 2> "$dir/m1.log" &
	m1=$!
	pids=$m1
	tap_check "its own stale socket, chgrp'd and chmod'ed, is still replaced" \
		wait_until 10 answers "$dir/shared.sock"

	# A socket that nothing answers on but that this node's daemon did
	# not make (the state directory records the one it bound): another
	# process may hold it bound (a stream socket not listening, a
	# datagram socket, one in another network namespace, which no call
	# here can see), or it is another program's stale one. Kept, and
	# refused; availctl check says so.
	kill "$m1"
	wait "$m1"
	pids=
	for holder in "SOCK_STREAM" "SOCK_DGRAM" "SOCK_STREAM unshare -n" "SOCK_STREAM exit"; do
		read -r type how <<< "$holder"
		${how/exit/} python3 -c "import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.$type)
s.bind(sys.argv[1])
'$how' == 'exit' or time.sleep(60)" "$dir/held.sock" &
		holder_pid=$!
		wait_until 10 test -S "$dir/held.sock"
		tap_expect 78 "control socket $dir/held.sock was not made by this node's daemon" \
			timeout 10 "$availctl" arbiter --config \
			<(grep -v '^control' "$dir/m1.conf"; echo "control = $dir/held.sock")
		tap_check "the socket (python, $holder) is still there" test -S "$dir/held.sock"
		tap_expect 1 "this daemon could not start" "$availctl" check --config \
			<(grep -v '^control' "$dir/m1.conf"; echo "control = $dir/held.sock")
		kill "$holder_pid" 2> /dev/null
		wait "$holder_pid" 2> /dev/null
		rm -f "$dir/held.sock"
	done
	# A file that is not a socket: availctl check says the start fails.
	echo "the admin's notes" > "$dir/notes.sock"
	tap_expect 1 "not a socket (not removed): this daemon could not start" \
		"$availctl" check --config <(grep -v '^control' "$dir/m1.conf"; echo "control = $dir/notes.sock")

	# Two starting at once at one stale socket, m1's own (SIGKILL): m1
	# held up (strace) in the unlink of it while m2 starts. One wins,
	# the other does not start; the winner answers.
	"$availctl" arbiter --config "$dir/m1.conf" 2> "$dir/m1.log" &
	m1=$!
	wait_until 10 answers "$dir/shared.sock"
	kill -KILL "$m1"
	wait "$m1" 2> /dev/null
	strace -f -o /dev/null -e trace=unlink -e inject=unlink:delay_enter=1500000 \
		"$availctl" arbiter --config "$dir/m1.conf" 2> "$dir/m1.log" &
	tracer=$!
	pids=$tracer
	tap_check "m1 is held in the unlink of the stale socket" \
		wait_until 10 bash -c "p=\$(pgrep -P $tracer) && grep -q '^87 ' /proc/\$p/syscall"
	timeout 10 "$availctl" arbiter --config "$dir/m2.conf" 2> "$dir/m2.log"
	status=$?
	tap_check "m2, starting meanwhile, does not start (it exited $status)" \
		test "$status" -ne 0 -a "$status" -ne 124
	tap_check "m1 starts and answers at the control path" wait_until 10 answers "$dir/shared.sock"
	tap_check "one socket listens at the control path" \
		test "$(ss -Hxl | grep -cF " $dir/shared.sock ")" -eq 1
	# The daemon, not strace (which would detach and leave it).
	pkill -P "$tracer"
	wait "$tracer"
	"$availctl" arbiter --config "$dir/m1.conf" 2> "$dir/m1.log" &
	m1=$!
	pids=$m1
	wait_until 10 answers "$dir/shared.sock"

	# What replaced the socket while the daemon ran is not the daemon's.
	rm "$dir/shared.sock"
	echo "put here later" > "$dir/shared.sock"
	kill "$m1"
	wait "$m1"
	tap_check "m1 exits 0 on SIGTERM" test $? -eq 0
	pids=
	tap_check "the file that replaced m1's socket is still there after m1 stopped" \
		grep -qx "put here later" "$dir/shared.sock"

	# The record unwritable (a directory in its place): the daemon
	# starts, and warns that a stale socket would not be known its own.
	mkdir "$dir/state-m1/m1.control"
	start_m1_at "$dir/unrecorded.sock"
	tap_check "with its record unwritable, m1 starts and says so" \
		wait_until 10 grep -q " m1 control-unrecorded path=$dir/unrecorded.sock " "$dir/m1.log"
	kill "$m1"
	wait "$m1"
	pids=
	rmdir "$dir/state-m1/m1.control"

	# No such directory: availctl check fails, as the start does.
	tap_expect 1 "control socket directory $dir/none: No such file or directory" \
		"$availctl" check --config <(grep -v '^control' "$dir/m1.conf"; echo "control = $dir/none/m1.sock")

	# The default path, in the state directory only this node uses: a
	# stale socket there is replaced though nothing records it (one an
	# older availctl left), whether control = names it or not.
	start_m1_at
	wait_until 10 answers "$dir/state-m1/m1.sock"
	for control in "" "$dir/state-m1/m1.sock"; do
		kill -KILL "$m1"
		wait "$m1" 2> /dev/null
		rm "$dir/state-m1/m1.control"
		start_m1_at "$control"
		tap_check "a stale socket at the default path, unrecorded, is replaced (control = ${control:-unset})" \
			wait_until 10 answers "$dir/state-m1/m1.sock"
	done
	kill "$m1"
	wait "$m1"
	pids=
	tap_check "a clean stop removes the record with the socket" \
		test ! -e "$dir/state-m1/m1.control" -a ! -e "$dir/state-m1/m1.sock"

	# Too long for a unix socket (108 bytes with its NUL).
	long=$dir/$(printf 'x%.0s' {1..120}).sock
	sed -i "s|^control = .*|control = $long|" "$dir/m1.conf"
	tap_expect 1 "control socket path" "$availctl" check --config "$dir/m1.conf"
	tap_expect 78 "control socket path" timeout 10 "$availctl" arbiter --config "$dir/m1.conf"
done
tap_done
