#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The relay reads the host's pressure stall information from
# /proc/pressure itself (the module no longer opens files by path) and
# says whether it adds it to its reports: in status (text and JSON), in
# its metrics and in its log, natively on 127.0.0.1 (no module needed).
# Then the same relay in a mount namespace where /proc/pressure is a
# directory of the test's own: empty, as on a kernel without PSI (it says
# so, and why, everywhere), then with files the test writes (a reason
# that changes is logged again; a value not as the kernel writes it is
# refused; once all read, pressure is reported).
# The reports themselves, with the module, are cluster.sh's (VM).
# Usage: pressure.sh AVAILCTL...  (plain and sanitizer builds)

. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/wait.sh"
. "$(dirname "$0")/../lib/native.sh"

native_dir pressure
port=$((20000 + RANDOM % 20000))

status() { timeout 5 "$availctl" status --socket "$dir/state-h0/h0.sock" "$@" 2> /dev/null; }
says() { status | grep -qE "$1"; }
json_says() {	# json_says PYTHON-EXPR: true of the status's JSON, d
	status --json | python3 -c "import json,sys; d=json.load(sys.stdin)['pressure']; sys.exit(not ($1))"
}
metric_is() {
	timeout 5 "$availctl" metrics --socket "$dir/state-h0/h0.sock" 2> /dev/null |
		grep -qE "^availctl_relay_pressure_reported\{.*\} $1\$"
}

# start [unshare...]: the relay h0, under the given wrapper, logging to
# $dir/h0.log; its pid in $relay.
start() {
	"$@" "$availctl" relay --config "$dir/h0.conf" 2> "$dir/h0.log" &
	relay=$!
	pids+=" $relay"
	wait_until 10 test -S "$dir/state-h0/h0.sock"
}

stop() {
	kill "$relay" 2> /dev/null
	wait "$relay" 2> /dev/null
}

for availctl in "$@"; do
	rm -rf "${dir:?}"/*
	"$availctl" keygen "$dir/secret"
	"$availctl" keygen --node h0 --secret "$dir/secret" "$dir/h0.key"
	native_config pressure h0 "$dir/h0.key" "$dir" "$port" > "$dir/h0.conf"

	if [ -r /proc/pressure/cpu ]; then
		start
		tap_check "with PSI, status gives pressure in per mille and says every report has it" \
			wait_until 10 says "^pressure: +[0-9]+ per mille, the worst \"some avg10\" of /proc/pressure, in every report$"
		tap_check "and JSON says reported, 0 to 1000 per mille, no problem" \
			json_says "d['reported'] is True and 0 <= d['per_mille'] <= 1000 and d['problem'] == ''"
		tap_check "and the metric availctl_relay_pressure_reported is 1" metric_is 1
		tap_check "and the log says reported" grep -qE "pressure state=reported per_mille=[0-9]+" "$dir/h0.log"
		stop
	else
		tap_skip "this host has no /proc/pressure (no PSI)"
	fi

	rm -rf "$dir/state-h0" "$dir/run-h0"
	# A directory of the test's own over /proc/pressure, empty at first:
	# what a kernel without PSI (or booted with psi=0) shows. Then files
	# appear in it, as the test writes them.
	mkdir -p "$dir/psi"
	rm -f "$dir/psi"/*
	start unshare -m sh -c 'mount --bind "$1" /proc/pressure && shift && exec "$@"' \
		sh "$dir/psi"
	hint="no PSI here: a kernel built without CONFIG_PSI, booted with psi=0 \(or without psi=1 where CONFIG_PSI_DEFAULT_DISABLED\), or /proc mounted with subset=pid, as systemd's ProcSubset=pid does"
	problem="/proc/pressure/cpu: No such file or directory \($hint\)"
	tap_check "without PSI, status says pressure is not reported, and why" \
		wait_until 10 says "^pressure: +not reported: $problem$"
	tap_check "and JSON says not reported, with the problem" \
		json_says "d['reported'] is False and d['problem'].startswith('/proc/pressure/cpu: No such file')"
	tap_check "and the metric availctl_relay_pressure_reported is 0" metric_is 0
	tap_check "and the log says unreported, and why" \
		grep -qE "pressure state=unreported error=\"$problem\"" "$dir/h0.log"
	# Another file missing is another reason: said in the log too.
	some="some avg10=12.34 avg60=0.00 avg300=0.00 total=0"
	echo "$some" > "$dir/psi/cpu"
	problem="/proc/pressure/memory: No such file or directory \($hint\)"
	tap_check "a reason that changes is said again in the log" \
		wait_until 10 grep -qE "pressure state=unreported error=\"$problem\"" "$dir/h0.log"
	echo "some avg10=5.-3 avg60=0.00 avg300=0.00 total=0" > "$dir/psi/memory"
	tap_check "a file not as the kernel writes it is not read, and named" \
		wait_until 10 says "^pressure: +not reported: /proc/pressure/memory: its first line gives no some avg10= percentage$"
	echo "$some" > "$dir/psi/memory"
	echo "$some" > "$dir/psi/io"
	tap_check "once every file reads, pressure is reported, as the files say" \
		wait_until 10 says "^pressure: +123 per mille"
	tap_check "and the log says reported" \
		grep -qE "pressure state=reported per_mille=123" "$dir/h0.log"
	stop
done

tap_done
