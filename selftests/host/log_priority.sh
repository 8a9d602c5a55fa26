#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Log lines carry a syslog priority for the journal, natively on
# 127.0.0.1: when standard error is the journal's stream (JOURNAL_STREAM
# names it, as systemd sets it), each line starts with "<N>", which
# journald takes as its priority (SyslogLevelPrefix=): the hold renewed
# every heartbeat at debug (7), role changes at notice (5), a fault, a
# refused reload, a dropped datagram and a hook that failed at warning
# (4), a hook that succeeded at info (6), so that
# "journalctl -p warning" shows those and not the routine. Anywhere else
# (a file, a pipe, a terminal: the tests' checker) the lines are as
# before, without the prefix. What availctl says outside the daemon's
# log (a failed start, availctl check or reload refusing) is at error.
# A newline in a value (m1's configuration is under a directory whose
# name has one, and a refused reload's error names it) starts no line;
# a value with a space, '"', a backslash or '=' in it is quoted, so that
# the tests' checker (lib/cluster_check.py) reads the whole of it back.
# Usage: log_priority.sh AVAILCTL...  (plain and sanitizer builds)

. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/wait.sh"
. "$(dirname "$0")/../lib/native.sh"

native_dir log-priority

port=$((20000 + RANDOM % 20000))

# logged PATTERN: m1's log has a line matching PATTERN (grep -E).
# pair NAME [CONF]: m1 from CONF (NAME-m1.conf) and m2 from
# flood-m2.conf, logging to NAME-m1.log and NAME-m2.log; their pids in
# $m1, $m2 and $pids.
pair() {
	"$availctl" arbiter --config "$dir/${2:-$1-m1.conf}" 2> "$dir/$1-m1.log" &
	m1=$!
	"$availctl" arbiter --config "$dir/flood-m2.conf" 2> "$dir/$1-m2.log" &
	m2=$!
	pids="$m1 $m2"
}

# pair_until NAME PATTERN: pair NAME until m1's log has a line PATTERN
# matches (30 s at most); then both stopped.
pair_until() {
	pair "$1"
	wait_until 30 grep -q "$2" "$dir/$1-m1.log"
	kill "$m1" "$m2"
	wait 2> /dev/null
	pids=
}

# logged PATTERN [LOG]: LOG (m1's) has a line PATTERN matches.
logged() { grep -qE "$1" "${2:-$dir/m1.log}"; }

# read_back [NODE] EVENT KEY: KEY's value in NODE's (m1's) last EVENT
# line, as the tests' checker reads it (without the journal's "<N>"),
# its bytes as written.
read_back() {
	local node=m1

	[ $# = 3 ] && { node=$1; shift; }
	read_back_from "$node" "$1" "$2" ""
}

# read_back_from NODE EVENT KEY PREFIX: as read_back, from NODE's last
# EVENT line whose KEY starts with PREFIX.
read_back_from() {
	sed 's/^<[0-7]>//' "$dir/$1.log" > "$dir/$1.plain"
	python3 - "$(dirname "$0")/../lib" "$dir/$1.plain" "$2" "$3" "$4" <<-'EOF'
		import sys
		sys.path.insert(0, sys.argv[1])
		import cluster_check
		event, key, prefix = sys.argv[3:6]
		found = [f.get(key, "") for _, _, e, f in cluster_check.events(sys.argv[2])
		         if e == event and f.get(key, "").startswith(prefix)]
		got = found[-1] if found else ""
		sys.stdout.buffer.write(got.encode("utf-8", "surrogateescape"))
	EOF
}

# m2's configuration is under directories that make its reload's line
# longer than a line may be (1 KB), their names without an ASCII space:
# U+00A0, U+2028 and U+0085 in the first, which readers take as spaces.
long_dir() {
	local path=$dir/u$'\xc2\xa0'v$'\xe2\x80\xa8'w$'\xc2\x85'x i

	for i in 1 2 3 4 5; do
		path=$path/$(printf 'd%.0s' {1..200})
	done
	echo "$path"
}

for availctl in "$@"; do
	rm -rf "${dir:?}"/*
	"$availctl" keygen "$dir/secret"
	for node in m1 m2; do
		native_config prio "$node" "$dir/secret" "$dir" "$port" > "$dir/$node.conf"
	done
	# m1's hook fails for active, and succeeds for any other role. It
	# writes a line that looks like an event of m1's, and one without
	# its newline (that glued m1's next line onto it).
	cat > "$dir/hook" <<-'EOF'
		#!/bin/sh
		echo "99 m1 role role=active forged=yes" >&2
		printf 'latin-1 caf\351 \\x41\n'
		printf 'unfinished "%s' "$1"
		[ "$1" = active ] && exit 3
		exit 0
	EOF
	chmod 755 "$dir/hook"
	echo "hook = $dir/hook" >> "$dir/m1.conf"
	conf=$dir/new$'\n'line\ \"q\"=\\b$'\xff'/m1.conf
	logged_conf=${conf//$'\n'/ }
	mkdir -p "${conf%/*}"
	mv "$dir/m1.conf" "$conf"
	: > "$dir/m1.log"
	# JOURNAL_STREAM: "DEVICE:INODE" of the stream systemd connected.
	JOURNAL_STREAM=$(stat -c '%d:%i' "$dir/m1.log") \
		"$availctl" arbiter --config "$conf" 2>> "$dir/m1.log" &
	m1=$!
	m2_conf=$(long_dir)/m2.conf
	mkdir -p "${m2_conf%/*}"
	mv "$dir/m2.conf" "$m2_conf"
	"$availctl" arbiter --config "$m2_conf" 2> "$dir/m2.log" &
	m2=$!
	pids="$m1 $m2"
	tap_check "to the journal, the active's hold is at debug: <7>" \
		wait_until 30 logged '^<7>[0-9]+ m1 hold '
	tap_check "a role change at notice: <5>" logged '^<5>[0-9]+ m1 role role=active '
	tap_check "the start at notice: <5>" logged '^<5>[0-9]+ m1 started '
	tap_check "a hook that failed (exit 3) at warning: <4>" \
		wait_until 10 logged '^<4>[0-9]+ m1 hook-ended .*role=active .*status=3$'
	"$availctl" reload --socket "$dir/state-m1/m1.sock" > /dev/null
	tap_check "a reload at notice: <5>" wait_until 10 logged '^<5>[0-9]+ m1 reloaded '
	tap_check "the reload's path, with a newline, space, quotes, '\\' and '=', read back whole" \
		test "$(read_back reloaded path)" = "$logged_conf"
	tap_check "status --json, naming that path (a byte not of UTF-8 in it), is valid JSON" \
		eval '"$availctl" --json status --config "$conf" |
			python3 -c "import json, sys; json.loads(sys.stdin.buffer.read().decode())"'
	echo "no-such-key = 1" >> "$conf"
	"$availctl" reload --socket "$dir/state-m1/m1.sock" > /dev/null 2>&1
	tap_check "a refused reload at warning: <4>" \
		wait_until 10 logged '^<4>[0-9]+ m1 reload-refused '
	error=$(read_back reload-refused error)
	tap_check "the refusal's error, naming that path and the key, read back whole" \
		test "$error" = "$logged_conf: line $(grep -c '' "$conf"): unknown key 'no-such-key'"
	# What availctl says of it, to a terminal or the journal, is UTF-8
	# too: the path's byte of no character written \xff.
	"$availctl" check --config "$conf" > "$dir/check.out" 2>&1
	tap_check "availctl check naming that path says it as UTF-8, its byte \\xff" \
		python3 -c 'import sys; t = open(sys.argv[1], "rb").read().decode()
sys.exit(not ("unknown key" in t and "\\xff/m1.conf" in t))' "$dir/check.out"
	"$availctl" reload --socket "$dir/state-m2/m2.sock" > /dev/null
	wait_until 10 grep -q ' m2 reloaded ' "$dir/m2.log"
	tap_check "m2's reload, its line too long, is cut and says so: cut=yes" \
		test "$(read_back m2 reloaded cut)" = yes
	m2_path=$(read_back m2 reloaded path)
	tap_check "its path, with U+00A0, U+2028 and U+0085 in it, quoted and read back whole up to the cut" \
		eval 'grep -q " m2 reloaded path=\"" "$dir/m2.log" &&
			test "${#m2_path}" -gt 900 -a "${m2_conf:0:${#m2_path}}" = "$m2_path"'
	# A forged datagram: not signed with the key.
	head -c 200 /dev/urandom > /dev/udp/127.0.0.1/"$port"
	tap_check "a dropped datagram at warning: <4>" \
		wait_until 10 logged '^<4>[0-9]+ m1 dropped '
	kill "$m2"
	tap_check "a fault at warning: <4>" \
		wait_until 30 logged '^<4>[0-9]+ m1 role role=fault '
	tap_check "a hook that succeeded at info: <6>" \
		wait_until 10 logged '^<6>[0-9]+ m1 hook-ended .*role=fault .*status=0$'
	tap_check "a hook's line without its newline is an event of its own, at info" \
		logged '^<6>[0-9]+ m1 hook-output transition=[0-9]+ line="unfinished \\"fault"$'
	tap_check "a hook's line that looks like m1's event is not one" \
		eval '! grep -qE "^(<[0-7]>)?99 m1 role" "$dir/m1.log" && logged "^<6>[0-9]+ m1 hook-output transition=[0-9]+ line=\"99 m1 role role=active forged=yes\"$"'
	# The journal keeps a line that is not UTF-8 as a blob, which
	# journalctl does not show: a byte that is not of a character (a
	# path's, a hook's Latin-1) is written \xNN, read back as the byte.
	tap_check "every line of m1's is UTF-8, though its path and a hook's line are not" \
		python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' "$dir/m1.log"
	latin1=$'latin-1 caf\xe9 \\x41'
	tap_check "the hook's Latin-1 line, logged line=\"latin-1 caf\\xe9 \\\\x41\", is read back whole" \
		eval 'grep -qF "line=\"latin-1 caf\\xe9 \\\\x41\"" "$dir/m1.log" &&
			test "$(read_back_from m1 hook-output line "latin-1 ")" = "$latin1"'
	tap_check "every line to the journal has a priority" \
		bash -c "! grep -vE '^<[0-7]>[0-9]+ m1 ' '$dir/m1.log'"
	tap_check "elsewhere (m2's log, a file) no line has one" \
		bash -c "grep -q ' m2 started ' '$dir/m2.log' && ! grep -q '^<' '$dir/m2.log'"
	kill "$m1"
	wait 2> /dev/null
	pids=
	cp "$conf" "$dir/m1.conf"

	# A log file on a full disk (a 64 KiB tmpfs, in a mount namespace of
	# its own): a line it takes part of is taken back and counted, so
	# the next lines are whole, after "log-dropped lines=N" once there
	# is room, and their times never go back (a line's start glued onto
	# the next made one ten times too large).
	cat > "$dir/full.sh" <<-'EOF'
		. "$1/wait.sh"
		dir=$2 availctl=$3
		mkdir -p "$dir/full"
		mount -t tmpfs -o size=64k full "$dir/full" || exit 9
		# 4051 bytes: a page with 45 bytes left for the daemon's first line.
		{ head -c 4050 /dev/zero | tr '\0' x; echo; } > "$dir/full/m1.log"
		dd if=/dev/zero of="$dir/full/filler" bs=4k 2> /dev/null
		"$availctl" arbiter --config "$dir/full.conf" 2>> "$dir/full/m1.log" &
		m1=$!
		wait_until 10 "$availctl" status --config "$dir/full.conf" > /dev/null 2>&1
		rm "$dir/full/filler"
		"$availctl" reload --config "$dir/full.conf" > /dev/null
		wait_until 10 grep -q " m1 reloaded " "$dir/full/m1.log"
		kill "$m1"
		wait "$m1"
		tail -n +2 "$dir/full/m1.log" > "$dir/full.log"
	EOF
	native_config prio m1 "$dir/secret" "$dir" "$port" > "$dir/full.conf"
	unshare -m bash "$dir/full.sh" "$(dirname "$0")/../lib" "$dir" "$availctl"
	tap_check "on a full disk, lines it could not take are counted: log-dropped" \
		grep -qE '^[0-9]+ m1 log-dropped lines=[1-9]' "$dir/full.log"
	tap_check "and every line is one event, its time never going back" \
		awk '!/^[0-9]+ m1 [a-z-]+/ || $1 < last { exit 1 } { last = $1 }' "$dir/full.log"
	# A hook that writes without end (6 s of empty lines) as m1 becomes
	# active: what m1 logs of it is held to a rate, the hook waits in
	# its write, and m1's loop and log stay its own: its heartbeats keep
	# m2 from fault, and none of its lines is dropped.
	for node in m1 m2; do
		native_config flood "$node" "$dir/secret" "$dir" "$port" > "$dir/flood-$node.conf"
	done
	printf '#!/bin/sh\n[ "$1" = active ] && timeout 6 yes ""\nexit 0\n' > "$dir/flood"
	chmod 755 "$dir/flood"
	echo "hook = $dir/flood" >> "$dir/flood-m1.conf"
	pair_until flood " m1 hook-ended .*role=active"
	tap_check "a hook flooding its output: m1 logged it" grep -q " m1 hook-output " "$dir/flood-m1.log"
	tap_check "each hook's output after its hook-started line" \
		awk '$3 == "hook-started" { for (i = 4; i <= NF; i++) if ($i ~ /^transition=/) s[$i] = 1 }
		     $3 == "hook-output" && !($4 in s) { exit 1 }' "$dir/flood-m1.log"
	tap_check "m2 never found m1 silent meanwhile" \
		eval '! grep -q " role role=fault " "$dir/flood-m2.log"'
	tap_check "and m1 dropped none of its lines" eval '! grep -q " log-dropped " "$dir/flood-m1.log"'
	# The hook writing 390-byte lines for 8 s, faster than m1's log
	# takes them: a pipe read at 20 KB/s (a slow journal). The hook's
	# lines are dropped and counted once half of m1's log queue is full
	# (log_queue.h); the other half stays m1's own.
	printf '#!/bin/sh\n[ "$1" = active ] && timeout 8 yes "%s"\nexit 0\n' \
		"$(head -c 390 /dev/zero | tr '\0' x)" > "$dir/flood"
	python3 - "$dir/slow-m1.log" "$dir/slow-m1.pid" "$availctl" arbiter \
		--config "$dir/flood-m1.conf" <<-'PY' &
	import os, sys, time
	r, w = os.pipe()
	child = os.fork()
	if child == 0:
	    os.dup2(w, 2)
	    os.execv(sys.argv[3], sys.argv[3:])
	os.close(w)
	with open(sys.argv[2], "w") as f:
	    f.write(f"{child}\n")
	with open(sys.argv[1], "wb", buffering=0) as out:
	    while data := os.read(r, 2000):
	        out.write(data)
	        time.sleep(0.1)
	PY
	wait_until 10 test -s "$dir/slow-m1.pid"
	m1=$(cat "$dir/slow-m1.pid")
	"$availctl" arbiter --config "$dir/flood-m2.conf" 2> "$dir/slow-m2.log" &
	m2=$!
	pids="$m1 $m2"
	tap_check "a hook flooding a slow log: its end is logged" \
		wait_until 60 grep -q " m1 hook-ended .*role=active" "$dir/slow-m1.log"
	tap_check "the hook's lines dropped count in the status's log_dropped" \
		eval '[ "$("$availctl" --json status --socket "$dir/state-m1/m1.sock" |
			python3 -c "import json, sys; print(json.load(sys.stdin)[\"log_dropped\"])")" -gt 0 ]'
	kill "$m1" "$m2"
	wait 2> /dev/null
	pids=
	tap_check "the hook's lines the log had no room for are counted: hook-output-dropped" \
		grep -qE ' m1 hook-output-dropped transition=[0-9]+ lines=[1-9]' "$dir/slow-m1.log"
	tap_check "and m1 dropped none of its own lines" \
		eval '! grep -q " log-dropped " "$dir/slow-m1.log"'
	# A hook leaving a process behind that writes on (the standby hook's,
	# while the active hook runs): its lines are the standby hook's.
	cat > "$dir/orphan" <<-'EOF'
		#!/bin/sh
		[ "$1" = standby ] && ( sleep 1; for i in 1 2 3 4 5; do echo "left by $1 $i"; sleep 0.2; done ) &
		[ "$1" = active ] && sleep 3
		exit 0
	EOF
	chmod 755 "$dir/orphan"
	sed "s|^hook = .*|hook = $dir/orphan|" "$dir/flood-m1.conf" > "$dir/orphan-m1.conf"
	pair_until orphan ' m1 hook-output .*line="left by standby 5"'
	standby=$(awk '$3 == "hook-started" && / role=standby / {
		for (i = 4; i <= NF; i++) if ($i ~ /^transition=/) print $i; exit }' "$dir/orphan-m1.log")
	tap_check "a hook's background process: its 5 lines are its hook's (${standby:-none})" \
		test "$(grep -c " m1 hook-output ${standby:-none} line=\"left by standby" "$dir/orphan-m1.log")" = 5
	# The active hook leaves a process writing without end ('yes') as
	# m1 stops: the stop hook still runs at once, its line whole (read in
	# part as the rate runs out, it was cut where the hook ended), and
	# the lines left in the active hook's pipe are counted.
	cat > "$dir/orphan" <<-EOF
		#!/bin/sh
		echo "hello from the \$1 hook"
		[ "\$1" = active ] && { setsid sh -c 'exec yes left-behind' & echo \$! > "$dir/yes.pid"; }
		exit 0
	EOF
	pair yes orphan-m1.conf
	wait_until 30 test -s "$dir/yes.pid"
	wait_until 10 grep -q " m1 hook-output .*line=left-behind" "$dir/yes-m1.log"
	kill "$m1"
	wait "$m1"
	kill "$m2" "$(cat "$dir/yes.pid")"
	wait 2> /dev/null
	pids=
	tap_check "a hook's process writing on as m1 stops: the stop hook's line is whole" \
		grep -q ' m1 hook-output transition=[0-9]* line="hello from the stop hook"$' "$dir/yes-m1.log"
	tap_check "and it ended by itself" grep -q ' m1 hook-ended .*role=stop .*status=0$' "$dir/yes-m1.log"
	tap_check "and the lines left behind are counted" \
		grep -qE ' m1 hook-output-dropped transition=[0-9]+ lines=[1-9]' "$dir/yes-m1.log"
	# What is left in a hook's pipe as it is closed is counted whole: the
	# standby hook's process leaves a line unfinished, the active hook's
	# makes its pipe 1 MiB (F_SETPIPE_SZ) and fills it with 90000 lines;
	# both keep their pipes open until m1 has stopped.
	cat > "$dir/orphan" <<-EOF
		#!/bin/sh
		[ "\$1" = standby ] && setsid sh -c 'printf unfinished; : > "$dir/unfinished.done"; exec sleep 60' &
		[ "\$1" = active ] && setsid python3 -c '
		import fcntl, os, time
		fcntl.fcntl(1, 1031, 1 << 20)
		os.write(1, b"".join(b"big %06d\\n" % i for i in range(90000)))
		open("$dir/big.done", "w").close()
		time.sleep(60)' &
		exit 0
	EOF
	rm -f "$dir/unfinished.done" "$dir/big.done"
	pair left orphan-m1.conf
	wait_until 30 test -e "$dir/big.done" -a -e "$dir/unfinished.done"
	kill "$m1"
	wait "$m1"
	kill "$m2"
	pkill -f "exec sleep 60|big %06d"
	wait 2> /dev/null
	pids=
	standby=$(awk '$3 == "hook-started" && / role=standby / {
		for (i = 4; i <= NF; i++) if ($i ~ /^transition=/) print $i; exit }' "$dir/left-m1.log")
	active=$(awk '$3 == "hook-started" && / role=active / {
		for (i = 4; i <= NF; i++) if ($i ~ /^transition=/) print $i; exit }' "$dir/left-m1.log")
	tap_check "a line a hook's process left unfinished in its pipe is counted" \
		grep -qE " m1 hook-output-dropped ${standby:-none} lines=[1-9]" "$dir/left-m1.log"
	logged_big=$(grep -c " m1 hook-output ${active:-none} line=\"big " "$dir/left-m1.log")
	dropped_big=$(grep -oE " m1 hook-output-dropped ${active:-none} lines=[0-9]+" "$dir/left-m1.log" |
		awk -F= '{ n += $NF } END { print n + 0 }')
	tap_check "90000 lines in a pipe made 1 MiB: $logged_big logged and $dropped_big counted make them all" \
		test $((logged_big + dropped_big)) = 90000
	# m1 alone in a network namespace whose firewall drops what it sends
	# to m2 (sendto() fails, EPERM): its log says so, at warning, once a
	# second at most, not only its counters.
	: > "$dir/unsent-m1.log"
	native_config prio m1 "$dir/secret" "$dir" "$port" > "$dir/unsent-m1.conf"
	JOURNAL_STREAM=$(stat -c '%d:%i' "$dir/unsent-m1.log") unshare -n sh -c '
		ip link set lo up && nft add table inet unsent &&
		nft add chain inet unsent out "{ type filter hook output priority 0; }" &&
		nft add rule inet unsent out udp dport "$1" drop && shift &&
		exec "$@" 2>> "$0"' "$dir/unsent-m1.log" $((port + 1)) \
		"$availctl" arbiter --config "$dir/unsent-m1.conf" &
	pids=$!
	tap_check "a datagram m1 cannot send is logged at warning: <4>" \
		wait_until 10 logged '^<4>[0-9]+ m1 send-failed to=m2 error="Operation not permitted" ' \
		"$dir/unsent-m1.log"
	sleep 3	# an observation window, not a wait for anything
	kill "$pids"
	wait 2> /dev/null
	pids=
	sed 's/^<[0-7]>//' "$dir/unsent-m1.log" > "$dir/unsent-m1.plain"
	tap_check "once a second at most, with how many were not logged" \
		awk '$3 == "send-failed" { if (last && $1 - last < 1000) bad = 1; last = $1; n++ }
		     $3 == "send-failed" && / unlogged_before=[1-9]/ { counted = 1 }
		     END { exit bad || n < 2 || !counted }' "$dir/unsent-m1.plain"
	# What availctl says before or outside the daemon's log is an error:
	# a start that fails, availctl check refusing the file (ExecReload
	# runs it first: systemctl reload shows only its line), a refused
	# availctl reload, a usage error.
	for command in "arbiter --config $dir/m1.conf" "check --config $dir/m1.conf" \
		"reload --socket $dir/none.sock" "check --no-such-option"; do
		: > "$dir/cli.log"
		# shellcheck disable=SC2086
		JOURNAL_STREAM=$(stat -c '%d:%i' "$dir/cli.log") \
			timeout 10 "$availctl" $command 2>> "$dir/cli.log"
		tap_check "availctl ${command%% *}'s failure is at error, every line: <3>" \
			bash -c "grep -q . '$dir/cli.log' && ! grep -v '^<3>availctl ${command%% *}' '$dir/cli.log' | grep -v '^<3>Try '"
	done
	# A relay that cannot read the host's pressure (/proc/pressure hidden
	# in a mount namespace of its own) says so at warning.
	"$availctl" keygen --node h0 --secret "$dir/secret" "$dir/h0.key"
	native_config prio h0 "$dir/h0.key" "$dir" "$port" > "$dir/h0.conf"
	: > "$dir/h0.log"
	JOURNAL_STREAM=$(stat -c '%d:%i' "$dir/h0.log") unshare -m --propagation private \
		bash -c 'mount -t tmpfs none /proc/pressure && exec "$@" 2>> "$0"' \
		"$dir/h0.log" "$availctl" relay --config "$dir/h0.conf" &
	pids=$!
	tap_check "a relay with no pressure to report: at warning: <4>" \
		wait_until 10 logged '^<4>[0-9]+ h0 pressure state=unreported ' "$dir/h0.log"
	kill "$pids"
	wait 2> /dev/null
	pids=
	# What availctl check warns of (here a runtime-dir it cannot use),
	# its standard output the journal's stream too, as under ExecReload=:
	# at warning, the rest as it was.
	native_config prio m1 "$dir/secret" "$dir" "$port" |
		sed 's|^runtime-dir = .*|runtime-dir = /proc/none/run|' > "$dir/warn.conf"
	: > "$dir/cli.log"
	JOURNAL_STREAM=$(stat -c '%d:%i' "$dir/cli.log") \
		timeout 10 "$availctl" check --config "$dir/warn.conf" >> "$dir/cli.log" 2>&1
	tap_check "availctl check's warning is at warning: <4>" \
		grep -q '^<4>warning: .*runtime-dir /proc/none/run' "$dir/cli.log"
	# Usage errors of availctl itself: two lines, both at error.
	for command in "" "frob" "--json"; do
		: > "$dir/cli.log"
		# shellcheck disable=SC2086
		JOURNAL_STREAM=$(stat -c '%d:%i' "$dir/cli.log") "$availctl" $command 2>> "$dir/cli.log"
		tap_check "availctl ${command:-(no command)}: two lines, both at error" \
			bash -c "[ \$(grep -c '' '$dir/cli.log') = 2 ] && ! grep -qv '^<3>' '$dir/cli.log'"
	done
	# The same file under a directory with a newline in its name.
	for command in arbiter check; do
		: > "$dir/cli.log"
		JOURNAL_STREAM=$(stat -c '%d:%i' "$dir/cli.log") \
			timeout 10 "$availctl" "$command" --config "$conf" 2>> "$dir/cli.log"
		tap_check "availctl $command's failure naming a path with a newline is one line at error" \
			bash -c "[ \$(grep -c '' '$dir/cli.log') = 1 ] && grep -q '^<3>availctl $command: ' '$dir/cli.log'"
	done
	tap_check "elsewhere availctl check's refusal has no prefix" \
		bash -c "'$availctl' check --config '$dir/m1.conf' 2>&1 | grep -q '^availctl check: .*no-such-key'"
done
tap_done
