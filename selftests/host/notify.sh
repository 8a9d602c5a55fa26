#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What the daemons tell systemd (Type=notify, sd_notify(3)), read here
# from the socket NOTIFY_SOCKET names, as systemd reads it, natively on
# 127.0.0.1: READY=1 once the status socket answers; STATUS= with the
# role and reason as they are now (the relay's with what it relays); RELOADING=1 then READY=1
# around a reload, also a refused one; WATCHDOG=1 every half of
# WATCHDOG_USEC, on through the stop (the arbiter's stop hook, the
# relay's last write probe); STOPPING=1 on SIGTERM; hooks never see
# NOTIFY_SOCKET.
# A missing or bad configuration or key exits 78 (EX_CONFIG), which the
# units do not restart; what may pass by itself exits 1.
# The real systemd runs the packaged units in selftests/system/.
# Usage: notify.sh AVAILCTL...  (plain and sanitizer builds)

. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/wait.sh"
. "$(dirname "$0")/../lib/native.sh"

native_dir notify

port=$((20000 + RANDOM % 20000))

# listen SOCKET LOG: systemd's side: each datagram to SOCKET, as one
# line per assignment, appended to LOG; and, as systemd's watchdog
# measures it, the longest time in ms from READY=1 or a WATCHDOG=1 to
# the next WATCHDOG=1, in LOG.gap; and each line with its time
# (CLOCK_REALTIME, in s) in LOG.stamps. Timed as the kernel queued each
# datagram (SO_TIMESTAMPNS), not as this reader, an ordinary task on a
# machine the other tests load, got to it: the gap is the daemon's.
listen() {
	python3 -u -c '
import socket, struct, sys
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
s.bind(sys.argv[1])
last = None
longest = 0
with open(sys.argv[2], "a", buffering=1) as log, \
     open(sys.argv[2] + ".stamps", "a", buffering=1) as stamps_log:
    while True:
        data, ancillary, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(16))
        stamps = [struct.unpack("qq", d[:16]) for level, kind, d in ancillary
                  if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS]
        if not stamps:
            sys.exit("notify.sh: a datagram without its arrival time")
        now = stamps[0][0] + stamps[0][1] / 1e9
        for line in data.decode().splitlines():
            log.write(line + "\n")
            stamps_log.write(f"{now:.6f} {line}\n")
            if line == "WATCHDOG=1" and last is not None:
                longest = max(longest, round((now - last) * 1000))
                with open(sys.argv[2] + ".gap", "w") as gap:
                    gap.write(f"{longest}\n")
            if line in ("READY=1", "WATCHDOG=1"):
                last = now
' "$1" "$2" &
	pids+=" $!"
	wait_until 10 test -S "$1"
}

# said LOG PATTERN: LOG holds a line matching PATTERN (grep -E).
said() { grep -qE "$2" "$1"; }

# keep_alives_through_stop SAID END: "LONGEST_GAP_MS COUNT" from READY=1,
# as the listener of SAID stamped it, to the time in the file END; COUNT
# the keep-alives after STOPPING=1.
keep_alives_through_stop() {
	awk -v end="$(cat "$2" 2> /dev/null)" '
		$2 == "STOPPING=1" { stopping = 1 }
		$2 == "READY=1" || $2 == "WATCHDOG=1" {
			if (last && $1 - last > gap) gap = $1 - last
			last = $1; if (stopping) n++ }
		END { if (end - last > gap) gap = end - last
		      printf "%d %d\n", gap * 1000, n }' "$1.stamps"
}

for availctl in "$@"; do
	rm -rf "${dir:?}"/*
	"$availctl" keygen "$dir/secret"
	printf '#!/bin/sh\nenv > "%s/hook-env.$1"\n' "$dir" > "$dir/hook"
	chmod +x "$dir/hook"
	for node in m1 m2; do
		{ native_config notify "$node" "$dir/secret" "$dir" "$port"; echo "hook = $dir/hook"; } \
			> "$dir/$node.conf"
	done
	listen "$dir/notify" "$dir/said"
	# ready_then_status: READY=1 is said, and the status socket then answers.
	NOTIFY_SOCKET=$dir/notify WATCHDOG_USEC=1000000 \
		"$availctl" arbiter --config "$dir/m1.conf" 2> "$dir/m1.log" &
	m1=$!
	pids+=" $m1"
	tap_check "READY=1, and then the status socket answers" \
		bash -c "$(declare -f wait_until said); wait_until 10 said '$dir/said' '^READY=1\$' &&
			'$availctl' status --socket '$dir/state-m1/m1.sock' > /dev/null"
	"$availctl" arbiter --config "$dir/m2.conf" 2> "$dir/m2.log" &
	pids+=" $!"
	tap_check "STATUS= says the role, the epoch and the witness" \
		wait_until 30 said "$dir/said" "^STATUS=active at epoch [0-9]+, witness (none|h0): .+"
	tap_check "WATCHDOG=1 again and again while the loop runs (WATCHDOG_USEC is 1 s)" \
		wait_until 10 bash -c "[ \$(grep -c '^WATCHDOG=1\$' '$dir/said') -ge 3 ]"
	# The reason changes while the role stays (the active, without a
	# host's reports, finds no witness): STATUS= follows it, as
	# availctl status says it.
	tap_check "the last STATUS= has m1's role and reason as availctl status has them" \
		wait_until 30 bash -c "reason=\$('$availctl' status --socket '$dir/state-m1/m1.sock' | sed -n 's/^reason: *//p') &&
			[ -n \"\$reason\" ] && [ \"\$reason\" != 'active at epoch 1 on m2'\\''s promise; choosing a witness next' ] &&
			grep '^STATUS=' '$dir/said' | tail -n 1 | grep -qF -- \"active at epoch 1, witness none: \$reason\""
	tap_check "hooks run without NOTIFY_SOCKET or WATCHDOG_USEC" \
		bash -c "$(declare -f wait_until); wait_until 10 test -s '$dir/hook-env.active' &&
			! grep -qE '^(NOTIFY_SOCKET|WATCHDOG_USEC|WATCHDOG_PID)=' '$dir'/hook-env.*"

	: > "$dir/said"
	tap_expect 0 "reloaded" "$availctl" reload --socket "$dir/state-m1/m1.sock"
	tap_check "a reload: RELOADING=1, then READY=1" \
		bash -c "grep -E '^(RELOADING|READY)=1\$' '$dir/said' | tr '\n' ' ' | grep -qx 'RELOADING=1 READY=1 '"
	: > "$dir/said"
	echo "no-such-key = 1" >> "$dir/m1.conf"
	tap_expect 1 "unknown key" "$availctl" reload --socket "$dir/state-m1/m1.sock"
	tap_check "a refused reload: RELOADING=1, then READY=1 again" \
		bash -c "grep -E '^(RELOADING|READY)=1\$' '$dir/said' | tr '\n' ' ' | grep -qx 'RELOADING=1 READY=1 '"
	kill "$m1"
	tap_check "SIGTERM: STOPPING=1" wait_until 10 said "$dir/said" "^STOPPING=1$"
	wait "$m1"
	tap_check "the stopped arbiter exits 0" test $? -eq 0

	# The relay, without the module here: it says what keeps it from relaying.
	native_config notify h0 "$dir/secret" "$dir" "$port" > "$dir/h0.conf"
	"$availctl" keygen --node h0 --secret "$dir/secret" "$dir/h0.key"
	sed -i "s|^key-file = .*|key-file = $dir/h0.key|" "$dir/h0.conf"
	: > "$dir/said"
	NOTIFY_SOCKET=$dir/notify "$availctl" relay --config "$dir/h0.conf" 2> "$dir/h0.log" &
	h0=$!
	tap_check "the relay: READY=1 and a STATUS= line" \
		wait_until 10 bash -c "grep -qx READY=1 '$dir/said' && grep -q '^STATUS=.' '$dir/said'"
	kill "$h0"
	wait "$h0"

	# WatchdogSec= below the loops' idle turn (1 s), and below 2 ms:
	# keep-alives still come within it, as a timer, not the turn, says.
	grep -v '^no-such-key' "$dir/m1.conf" > "$dir/m1-good.conf"
	for daemon in "relay --config $dir/h0.conf" "arbiter --config $dir/m1-good.conf"; do
		# Each run its own listener: one of WATCHDOG_USEC=1500 floods it.
		for usec in 800000 1500; do
			said=$dir/said-${daemon%% *}-$usec
			listen "$said.sock" "$said"
			# shellcheck disable=SC2086
			NOTIFY_SOCKET=$said.sock WATCHDOG_USEC=$usec "$availctl" $daemon \
				2>> "$dir/watchdog.log" &
			pid=$!
			tap_check "${daemon%% *}, WATCHDOG_USEC=$usec: ten keep-alives" \
				wait_until 30 bash -c "[ \$(grep -c '^WATCHDOG=1\$' '$said') -ge 10 ]"
			# They are sent at the loop's realtime priority (SCHED_RR,
			# realtime-priority 1), not behind ordinary tasks.
			[ "$usec" = 800000 ] &&
				tap_check "${daemon%% *}: its notifier thread runs at the loop's SCHED_RR" \
					bash -c "chrt -p \$(grep -lx availctl-notify /proc/$pid/task/*/comm |
						cut -d/ -f5) | grep -q 'policy: SCHED_RR'"
			kill "$pid"
			wait "$pid"
		done
		said=$dir/said-${daemon%% *}-800000
		tap_check "${daemon%% *}: never 800 ms without one (the longest gap: $(cat "$said.gap" 2> /dev/null) ms)" \
			test "$(cat "$said.gap" 2> /dev/null || echo 99999)" -lt 800
	done

	# A SIGTERM from outside systemd (an operator's kill), which still
	# expects WATCHDOG=1 every WatchdogSec=: keep-alives go on at their
	# cadence while the stop hook runs, here 4 s, five WatchdogSec= of
	# 800 ms, until the daemon exits; else systemd ends it with SIGABRT
	# in the middle of its stop. The hook stamps its end, as the
	# listener stamps datagrams (CLOCK_REALTIME): the last gap is from
	# the last keep-alive to it.
	printf '#!/bin/sh\n[ "$1" = stop ] || exit 0\nsleep 4\ndate +%%s.%%N > "%s/stop-hook-end"\n' \
		"$dir" > "$dir/slow-stop"
	chmod +x "$dir/slow-stop"
	{ grep -v '^hook = ' "$dir/m1-good.conf"; echo "hook = $dir/slow-stop"
	  echo "hook-timeout-ms = 20000"; } > "$dir/m1-stop.conf"
	said=$dir/said-stop
	listen "$said.sock" "$said"
	NOTIFY_SOCKET=$said.sock WATCHDOG_USEC=800000 \
		"$availctl" arbiter --config "$dir/m1-stop.conf" 2> "$dir/m1-stop.log" &
	pid=$!
	wait_until 10 bash -c "[ \$(grep -c '^WATCHDOG=1\$' '$said') -ge 2 ]"
	kill "$pid"
	wait "$pid"
	read -r gap count < <(keep_alives_through_stop "$said" "$dir/stop-hook-end")
	tap_check "a stop hook of 4 s: WATCHDOG=1 through the stop ($count of them)" \
		test "$count" -ge 5
	tap_check "a stop hook of 4 s: never 800 ms without one, to the hook's end (the longest gap: $gap ms)" \
		bash -c "test -s '$dir/stop-hook-end' && test '$gap' -lt 800"

	# The relay's stop waits for its write probe's write in progress, the
	# first, which begins as it starts: on a slow disk, each fsync 3 s
	# here (by strace; LeakSanitizer, which cannot work under ptrace,
	# off). Keep-alives go on then too, to its exit, which strace stamps.
	said=$dir/said-relay-stop
	listen "$said.sock" "$said"
	NOTIFY_SOCKET=$said.sock WATCHDOG_USEC=800000 \
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f --seccomp-bpf -qq -ttt -o "$dir/relay-stop.strace" -e trace=fsync,exit_group \
		-e inject=fsync:delay_enter=3000000 \
		"$availctl" relay --config "$dir/h0.conf" 2> "$dir/relay-stop.log" &
	pid=$!
	wait_until 10 said "$said" '^READY=1$'
	sleep 1
	pkill -TERM -P "$pid"
	wait "$pid"
	sed -n 's/^[0-9]* *\([0-9.]*\) exit_group(.*/\1/p' "$dir/relay-stop.strace" | head -n 1 \
		> "$dir/relay-exit"
	read -r gap count < <(keep_alives_through_stop "$said" "$dir/relay-exit")
	tap_check "the relay's stop behind a slow fsync: WATCHDOG=1 through it ($count of them)" \
		test "$count" -ge 5
	tap_check "and never 800 ms without one, to its exit (the longest gap: $gap ms)" \
		bash -c "test -s '$dir/relay-exit' && test '$gap' -lt 800"
	kill $pids 2> /dev/null
	wait 2> /dev/null
	pids=

	# The service manager not reading its notify socket for a while (PID 1
	# busy, a daemon-reload storm): its queue (net.unix.max_dgram_qlen)
	# fills. m1's loop never waits for it: it answers status and keeps
	# its heartbeats, so m2 never finds it silent; once the socket is
	# read again, what m1 said arrives, STATUS= as it is now. h0 (the
	# relay), its socket never read, still exits on SIGTERM, STOPPING=1
	# given a bounded time.
	# stalled SOCKET LOG: binds SOCKET and reads it only while SOCKET.read
	# exists, appending each assignment to LOG.
	stalled() {
		python3 -u -c '
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(0.1)
with open(sys.argv[2], "a", buffering=1) as log, \
     open(sys.argv[2] + ".stamps", "a", buffering=1) as stamps_log:
    while True:
        if not os.path.exists(sys.argv[1] + ".read"):
            time.sleep(0.1)
            continue
        try:
            data = s.recv(4096)
        except socket.timeout:
            continue
        for line in data.decode().splitlines():
            log.write(line + "\n")
' "$1" "$2" &
		pids+=" $!"
		wait_until 10 test -S "$1"
	}
	# gone PID: PID has exited (a zombie not yet waited for counts).
	gone() { [ ! -e "/proc/$1" ] || grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat"; }
	stalled "$dir/stalled" "$dir/stalled-said"
	stalled "$dir/deaf" "$dir/deaf-said"
	NOTIFY_SOCKET=$dir/stalled WATCHDOG_USEC=1000000 \
		"$availctl" arbiter --config "$dir/m1-good.conf" 2> "$dir/stall-m1.log" &
	m1=$!
	pids+=" $m1"
	"$availctl" arbiter --config "$dir/m2.conf" 2> "$dir/stall-m2.log" &
	pids+=" $!"
	NOTIFY_SOCKET=$dir/deaf WATCHDOG_USEC=200000 \
		"$availctl" relay --config "$dir/h0.conf" 2> "$dir/stall-h0.log" &
	h0=$!
	pids+=" $h0"
	# Ten datagrams fill the queue: WATCHDOG=1 twice a second, 8 s.
	sleep 8
	tap_check "notify socket unread: m1 still answers status at once" \
		timeout 2 "$availctl" status --role --socket "$dir/state-m1/m1.sock"
	tap_check "notify socket unread: m2 never found m1 silent" \
		eval '! grep -qE " role role=fault | silent" "$dir/stall-m2.log"'
	touch "$dir/stalled.read"
	tap_check "read again: READY=1, and a STATUS= with m1's role" \
		wait_until 10 bash -c "grep -qx READY=1 '$dir/stalled-said' &&
			grep -qE '^STATUS=(active|standby) at epoch' '$dir/stalled-said'"
	tap_check "read again: WATCHDOG=1 keeps coming" \
		wait_until 10 bash -c "[ \$(grep -c '^WATCHDOG=1\$' '$dir/stalled-said') -ge 12 ]"
	kill "$h0"
	tap_check "notify socket unread: the relay exits on SIGTERM within 5 s" \
		wait_until 5 gone "$h0"
	kill -9 "$h0" 2> /dev/null
	wait "$h0"
	kill "$m1"
	tap_check "read again: SIGTERM, STOPPING=1" \
		wait_until 10 said "$dir/stalled-said" "^STOPPING=1$"
	wait "$m1"
	tap_check "the stopped arbiter exits 0" test $? -eq 0
	kill $pids 2> /dev/null
	wait 2> /dev/null
	pids=

	# What a restart cannot fix: 78, and the file named.
	tap_expect 78 "$dir/missing.conf: No such file or directory" \
		"$availctl" arbiter --config "$dir/missing.conf"
	tap_expect 78 "$dir/missing.conf: No such file or directory" \
		"$availctl" relay --config "$dir/missing.conf"
	tap_expect 78 "unknown key 'no-such-key'" "$availctl" arbiter --config "$dir/m1.conf"
	sed -i '/^no-such-key/d' "$dir/m1.conf"
	mv "$dir/secret" "$dir/secret.away"
	tap_expect 78 "$dir/secret" "$availctl" arbiter --config "$dir/m1.conf"
	tap_expect 78 "run 'availctl arbiter'" "$availctl" relay --config "$dir/m1.conf"
	mv "$dir/secret.away" "$dir/secret"
	# What may pass by itself (an address not up yet): 1, and restarted.
	sed -i "s/^manager = m1 127.0.0.1:/manager = m1 192.0.2.1:/" "$dir/m1.conf"
	tap_expect 1 "Cannot assign requested address" "$availctl" arbiter --config "$dir/m1.conf"
done
tap_done
