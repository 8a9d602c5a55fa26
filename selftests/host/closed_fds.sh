#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# availctl started with standard input, output or error closed (an init
# script's "<&- >&- 2>&-", a supervisor that closes them), natively on
# 127.0.0.1. The files it opens next would take descriptors 0 to 2 (the
# state-dir's locks did), and what it says on standard output or error
# would go into them, a hook would inherit them as its own. So each
# closed one is /dev/null, opened the other way round
# (as glibc does for set-user-ID programs): open, so that no file takes
# it, and failing each use (EBADF), as the closed descriptor would.
# Usage: closed_fds.sh AVAILCTL...  (plain and sanitizer builds)

. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/wait.sh"
. "$(dirname "$0")/../lib/native.sh"

native_dir closed-fds
port=$((20000 + RANDOM % 20000))

# null PID FD: PID's descriptor FD is /dev/null.
null() { [ "$(readlink "/proc/$1/fd/$2")" = /dev/null ]; }

for availctl in "$@"; do
	rm -rf "${dir:?}"/*
	"$availctl" keygen "$dir/secret"
	for node in m1 m2 h0; do
		native_config fds "$node" "$dir/secret" "$dir" "$port" > "$dir/$node.conf"
	done
	"$availctl" keygen --node h0 --secret "$dir/secret" "$dir/h0.key"
	sed -i "s|^key-file = .*|key-file = $dir/h0.key|" "$dir/h0.conf"
	"$availctl" arbiter --config "$dir/m1.conf" <&- >&- 2>&- &
	m1=$!
	"$availctl" relay --config "$dir/h0.conf" <&- >&- 2>&- &
	h0=$!
	pids="$m1 $h0"
	tap_check "an arbiter started with 0 to 2 closed answers status" \
		wait_until 10 "$availctl" status --socket "$dir/state-m1/m1.sock"
	tap_check "so does a relay" \
		wait_until 10 "$availctl" status --socket "$dir/state-h0/h0.sock"
	for fd in 0 1 2; do
		tap_check "the arbiter's descriptor $fd is /dev/null ($(readlink "/proc/$m1/fd/$fd"))" \
			null "$m1" "$fd"
		tap_check "the relay's descriptor $fd is /dev/null ($(readlink "/proc/$h0/fd/$fd"))" \
			null "$h0" "$fd"
	done
	# status with its output closed: the answer it cannot print is an
	# error (as before), not written into the socket it asked on.
	"$availctl" status --socket "$dir/state-m1/m1.sock" >&- 2> "$dir/status.err"
	tap_check "status with standard output closed fails" test $? -ne 0
	tap_check "and says why" grep -q "writing its output" "$dir/status.err"
	kill $pids
	wait 2> /dev/null
	pids=
done

tap_done
