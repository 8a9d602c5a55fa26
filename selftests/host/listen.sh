#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Each daemon listens where its node is configured, natively on
# loopback: two managers on 127.0.0.2 and 127.0.0.3 share one port and
# form a cluster (bound to 0.0.0.0 the second could not start); the
# socket is bound to the node's own address and port, not to every
# address; an address this machine does not have is refused at start
# with the address named; bind-address = 0.0.0.0 (a node behind NAT)
# listens on every address at the node's port; a reload that would
# move the socket is refused, as it needs a restart.
# Usage: listen.sh AVAILCTL...  (plain and sanitizer builds)

. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/wait.sh"
. "$(dirname "$0")/../lib/native.sh"

native_dir listen

port=$((20000 + RANDOM % 20000))

# config NODE [LINE...]: the cluster's configuration as NODE reads it:
# m1 at 127.0.0.2, m2 at 127.0.0.3 and h0 at 127.0.0.4, all at $port.
config() {
	local node=$1
	shift
	printf '%s\n' "cluster = listen" "node = $node" "key-file = $dir/secret" \
		"state-dir = $dir/state-$node" "runtime-dir = $dir/run-$node" \
		"manager = m1 127.0.0.2:$port" "manager = m2 127.0.0.3:$port" \
		"host = h0 127.0.0.4:$port" "$@"
}

# bound ADDRESS: a UDP socket is bound to ADDRESS:$port.
bound() { ss -H -uln "sport = :$port" | awk '{ print $4 }' | grep -qxF "$1:$port"; }
export -f bound
export port

for availctl in "$@"; do
	rm -rf "${dir:?}"/*
	"$availctl" keygen "$dir/secret"
	config m1 > "$dir/m1.conf"
	config m2 > "$dir/m2.conf"
	"$availctl" arbiter --config "$dir/m1.conf" 2> "$dir/m1.log" &
	m1=$!
	"$availctl" arbiter --config "$dir/m2.conf" 2> "$dir/m2.log" &
	m2=$!
	pids="$m1 $m2"
	tap_check "two managers on one port at 127.0.0.2 and 127.0.0.3 form a cluster" \
		wait_until 30 bash -c "[ \"\$('$availctl' status --role --socket '$dir/state-m1/m1.sock' 2> /dev/null)\" = active ] &&
			[ \"\$('$availctl' status --role --socket '$dir/state-m2/m2.sock' 2> /dev/null)\" = standby ]"
	tap_check "m1 listens on its own address, 127.0.0.2:$port" bound 127.0.0.2
	tap_check "m2 listens on its own address, 127.0.0.3:$port" bound 127.0.0.3
	tap_check "no daemon listens on every address at $port" bash -c "! ss -H -uln 'sport = :$port' | grep -qF '0.0.0.0:$port'"

	# A reload may not move the socket: the address is the node's too.
	# Refused with the file and the line that changed.
	sed -i "s/^manager = m1 127.0.0.2:/manager = m1 127.0.0.5:/" "$dir/m1.conf"
	tap_expect 1 "$dir/m1.conf: line 6: this node's address or port changed: only a restart takes that" \
		"$availctl" reload --socket "$dir/state-m1/m1.sock"
	config m1 "bind-address = 0.0.0.0" > "$dir/m1.conf"
	tap_expect 1 "$dir/m1.conf: line 9: bind-address changed: only a restart takes that" \
		"$availctl" reload --socket "$dir/state-m1/m1.sock"
	# The node's address is the cluster's to know, whatever bind-address says.
	config m1 "bind-address = 127.0.0.2" |
		sed "s/^manager = m1 127.0.0.2:/manager = m1 127.0.0.5:/" > "$dir/m1.conf"
	tap_expect 1 "$dir/m1.conf: line 6: this node's address or port changed" \
		"$availctl" reload --socket "$dir/state-m1/m1.sock"
	# Two nodes at one address and port would take each other's datagrams.
	config m1 | sed "s/^host = h0 127.0.0.4:/host = h0 127.0.0.3:/" > "$dir/m1.conf"
	tap_expect 1 "127.0.0.3:$port" "$availctl" reload --socket "$dir/state-m1/m1.sock"
	tap_check "m1 is still active on 127.0.0.2 after the refused reloads" \
		bash -c "bound 127.0.0.2 && [ \"\$('$availctl' status --role --socket '$dir/state-m1/m1.sock')\" = active ]"
	kill "$m1" "$m2"
	wait "$m1" "$m2" 2> /dev/null
	pids=

	# An address this machine does not have: refused, and named.
	config m1 | sed "s/^manager = m1 127.0.0.2:/manager = m1 192.0.2.1:/" > "$dir/m1.conf"
	tap_expect 1 "192.0.2.1:$port: Cannot assign requested address" \
		timeout 10 "$availctl" arbiter --config "$dir/m1.conf"

	# Behind NAT the configured address is not this machine's: bind-address.
	config m1 "bind-address = 0.0.0.0" |
		sed "s/^manager = m1 127.0.0.2:/manager = m1 192.0.2.1:/" > "$dir/m1.conf"
	"$availctl" arbiter --config "$dir/m1.conf" 2> "$dir/m1.log" &
	pids=$!
	tap_check "bind-address = 0.0.0.0 listens on every address at the node's port" \
		wait_until 10 bound 0.0.0.0
	kill "$pids"
	wait "$pids" 2> /dev/null
	pids=
	tap_expect 1 "bind-address: '::1' is an IPv6 address" \
		"$availctl" check --config <(config m1 "bind-address = ::1")
	# A node's address is one a datagram can be sent to, and its own.
	for bad in 0.0.0.0 0.1.2.3 224.0.0.1 239.1.1.1 240.0.0.1 255.255.255.255; do
		tap_expect 1 "$bad is not a unicast address" "$availctl" check --config \
			<(config m1 | sed "s/^host = h0 127.0.0.4:/host = h0 $bad:/")
	done
	tap_expect 1 "bind-address: 224.0.0.1 is not a unicast address" \
		"$availctl" check --config <(config m1 "bind-address = 224.0.0.1")
	tap_expect 1 "h0 is at 127.0.0.3:$port, as m2 on line" "$availctl" check --config \
		<(config m1 | sed "s/^host = h0 127.0.0.4:/host = h0 127.0.0.3:/")
	tap_expect 0 "" "$availctl" check --config \
		<(config m1 | sed "s/^host = h0 127.0.0.4:$port/host = h0 127.0.0.3:$((port + 1))/")
done
tap_done
