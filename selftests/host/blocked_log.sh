#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A log sink that stops reading must not stop an arbiter. Under systemd a
# daemon's standard error is a stream socket to the journal, and a
# journal that falls behind (a boot's flood of lines, a slow disk) fills
# it; a pipe to a logger that stalls likewise; a log file on a file
# system frozen for a snapshot (fsfreeze) or hung (NFS, FUSE) takes no
# write at all. Two managers and a relay natively on 127.0.0.1; m1's
# standard error a socket or a pipe with the smallest buffer, which
# nobody reads, or a file on a frozen ext4. m1 must stay active and
# answer status, and once the sink takes lines again its log must hold
# the lines of that time, whole (queued meanwhile, log_queue.h), or say
# how many it dropped.
# Usage: blocked_log.sh AVAILCTL...  (plain and sanitizer builds); KEEP=1
# keeps its directory (the daemons' logs) for a look after.

. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/wait.sh"
. "$(dirname "$0")/../lib/native.sh"

dir=$(mktemp -d /tmp/blocked-log.XXXXXX)
pids=
frozen=	# m1's pid while its log's file system is frozen
cleanup() {
	# A process waiting on a frozen file system waits through SIGKILL.
	[ -n "$frozen" ] && nsenter -t "$frozen" -m fsfreeze -u "$dir/fs"
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

# sink_reader KIND: starts m1 with its standard error a KIND (socket,
# pipe) with the smallest buffer, held open and read into m1.sink only
# when SIGUSR1 comes; m1's pid into m1.pid.
sink_reader() {
	python3 - "$1" "$dir/m1.sink" "$dir/m1.pid" "$availctl" arbiter \
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
}

# The daemons' clock (CLOCK_BOOTTIME), in ms.
boot_ms() {
	python3 -c 'import time; print(int(time.clock_gettime(time.CLOCK_BOOTTIME) * 1000))'
}

# held LOG FROM TO: LOG has m1's lines (its hold renewed every heartbeat)
# from every second between FROM + 1000 and TO - 1000 (ms).
held() {
	awk -v from="$2" -v to="$3" '$2 == "m1" && $1 > from && $1 < to { seen[int(($1 - from) / 1000)] = 1 }
		END { for (s = 1; s < int((to - from) / 1000) - 1; s++) if (!seen[s]) exit 1 }' "$1"
}

# with_sink KIND: the cluster, m1's standard error a KIND: socket, pipe
# (sink_reader()) or frozen (a file on a frozen file system).
with_sink() {
	local kind=$1 sink dropped m1 blocked_ms read_again_ms sink_file
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
	if [ "$kind" = frozen ]; then
		# ext4 on a loop device, in a mount namespace of m1's own
		# (gone with it); m1 appends to m1.sink there.
		truncate -s 64M "$dir/image" && mkfs.ext4 -q "$dir/image" && mkdir "$dir/fs" ||
			tap_fail "frozen: an ext4 image to mount"
		unshare -m --propagation private bash -c \
			'mount -o loop "$1" "$2" && exec "${@:3}" 2>> "$2/m1.sink"' \
			_ "$dir/image" "$dir/fs" "$availctl" arbiter --config "$dir/m1.conf" &
		echo "$!" > "$dir/m1.pid"
		sink=
	else
		sink_reader "$kind"
		sink=$!
		pids+=" $sink"
	fi
	wait_until 10 test -s "$dir/m1.pid"
	m1=$(cat "$dir/m1.pid")
	pids+=" $m1"

	tap_check "$kind: m1 becomes active, m2 standby" wait_until 30 formed
	blocked_ms=$(boot_ms)
	if [ "$kind" = frozen ]; then
		nsenter -t "$m1" -m fsfreeze -f "$dir/fs" && frozen=$m1
	fi
	sleep 10	# an observation window, the sink unread, not a wait for anything
	tap_check "$kind: with its log unread for 10 s, m1 is still active" is_role m1 active
	tap_check "$kind: and m2 never found m1 silent meanwhile, nor became active" \
		awk -v since="$blocked_ms" '$1 > since && $3 == "role" && $4 ~ /^role=(fault|active)$/ { exit 1 }' \
		"$dir/m2.log"
	read_again_ms=$(boot_ms)
	if [ "$kind" = frozen ]; then
		nsenter -t "$m1" -m fsfreeze -u "$dir/fs" && frozen=
		sink_file=/proc/$m1/fd/2
	else
		kill -USR1 "$sink"
		sink_file=$dir/m1.sink
	fi
	tap_check "$kind: read again, m1's log has its lines of the time it was not read" \
		wait_until 10 held "$sink_file" "$blocked_ms" "$read_again_ms"
	dropped=$(timeout 5 "$availctl" --json status --socket "$dir/state-m1/m1.sock" |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["log_dropped"])')
	tap_check "$kind: the lines it dropped, if any (${dropped:-none}), it says" \
		bash -c "[ '${dropped:-x}' = 0 ] || grep -q 'm1 log-dropped lines=[1-9]' '$sink_file'"
	tap_check "$kind: and every line in it is whole" \
		bash -c "! grep -vaE '^[0-9]+ m1 [a-z-]+( |$)' '$sink_file'"

	# shellcheck disable=SC2086
	kill $pids 2> /dev/null
	wait 2> /dev/null
	pids=
}

# hung_config: m1's configuration file on a file system that stops
# answering after the start (an NFS server gone; here a FUSE mount, over
# its directory in m1's own mount namespace, whose server reads nothing):
# a status request, which names the file m1 loaded, must not make m1
# look at it again, or its loop waits with the file system.
hung_config() {
	local hung_ms fuse
	rm -rf "${dir:?}"/*
	mkdir "$dir/etc"
	"$availctl" keygen "$dir/secret"
	config m1 > "$dir/etc/m1.conf"
	config m2 > "$dir/m2.conf"
	"$availctl" arbiter --config "$dir/m2.conf" 2> "$dir/m2.log" &
	pids="$!"
	unshare -m --propagation private "$availctl" arbiter --config "$dir/etc/m1.conf" \
		2> "$dir/m1.log" &
	m1=$!
	pids+=" $m1"
	tap_check "hung configuration: m1 becomes active, m2 standby" wait_until 30 formed
	hung_ms=$(boot_ms)
	nsenter -t "$m1" -m python3 - "$dir/etc" <<-'PY' &
	import ctypes, os, sys, time
	fd = os.open("/dev/fuse", os.O_RDWR)
	libc = ctypes.CDLL(None, use_errno=True)
	opts = f"fd={fd},rootmode=40000,user_id=0,group_id=0".encode()
	if libc.mount(b"hung", sys.argv[1].encode(), b"fuse", 0, opts):
	    sys.exit("mount: " + os.strerror(ctypes.get_errno()))
	time.sleep(60)
	PY
	fuse=$!
	pids+=" $fuse"
	wait_until 10 nsenter -t "$m1" -m grep -q " $dir/etc fuse" /proc/self/mounts
	tap_check "hung configuration: m1 still answers a JSON status, naming its file" \
		bash -c "timeout 5 '$availctl' --json status --socket '$dir/state-m1/m1.sock' |
			 grep -qF '\"config\":\"$dir/etc/m1.conf\"'"
	sleep 2	# an observation window, not a wait for anything
	tap_check "hung configuration: m1 is still active" is_role m1 active
	tap_check "hung configuration: and m2 never found m1 silent, nor became active" \
		awk -v since="$hung_ms" '$1 > since && $3 == "role" && $4 ~ /^role=(fault|active)$/ { exit 1 }' \
		"$dir/m2.log"
	# shellcheck disable=SC2086
	kill $pids 2> /dev/null
	wait 2> /dev/null
	pids=
}

# no_thread: a daemon that cannot start its log's writer thread (a limit
# on tasks reached: here a pids cgroup of two, timeout(1) and m1) does
# not start, for without it a log file that takes its time would stop
# its loop; exit 1, as the limit may pass.
no_thread() {
	local cg=/sys/fs/cgroup/pids/availcast-blocked-log.$$

	config m1 > "$dir/m1.conf"
	if ! mkdir "$cg" || ! echo 2 > "$cg/pids.max"; then
		tap_fail "a pids cgroup (v1) to start m1 in"
		return
	fi
	ASAN_OPTIONS=detect_leaks=0 tap_expect 1 "the log's writer thread: Resource temporarily unavailable" \
		bash -c 'echo $$ > "$1/cgroup.procs" && exec timeout 10 "$2" arbiter --config "$3"' \
		_ "$cg" "$availctl" "$dir/m1.conf"
	rmdir "$cg"
}

for availctl in "$@"; do
	with_sink socket
	with_sink pipe
	with_sink frozen
	hung_config
	no_thread
done

tap_done
