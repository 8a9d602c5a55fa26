#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What availctl status says of the peer, natively on
# 127.0.0.1 (the daemons need no module to answer): two managers, their
# one host never running. A peer never heard is said so; one in contact with its role,
# epoch and round trip; one silent for grace-ms or more as silent, for
# how long, with what it last said as history (not as its state now).
# The host table's header names the level's unit. status --role gives
# the role alone and exits by it (0 active, 5 any other).
# Usage: peer_status.sh AVAILCTL...  (plain and sanitizer builds)

. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/wait.sh"
. "$(dirname "$0")/../lib/native.sh"

dir=$(mktemp -d /tmp/peer-status.XXXXXX)
pids=
cleanup() {
	# shellcheck disable=SC2086
	[ -n "$pids" ] && kill -CONT $pids 2> /dev/null && kill $pids 2> /dev/null
	wait 2> /dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

port=$((20000 + RANDOM % 20000))

# config NODE: the cluster's configuration as NODE reads it.
config() { native_config peers "$1" "$dir/secret" "$dir" "$port"; }

status() { timeout 5 "$availctl" status --socket "$dir/state-$1/$1.sock" 2> /dev/null; }

# says NODE PATTERN: NODE's status has a line matching PATTERN (grep -E).
says() { status "$1" | grep -qE "$2"; }

for availctl in "$@"; do
	rm -rf "${dir:?}"/*
	"$availctl" keygen "$dir/secret"
	for node in m1 m2; do
		config "$node" > "$dir/$node.conf"
	done
	"$availctl" arbiter --config "$dir/m1.conf" 2> "$dir/m1.log" &
	pids=$!
	tap_check "a peer not heard yet: 'never heard'" \
		wait_until 10 says m1 "^peer: +m2, never heard$"
	tap_check "the host table gives the level's unit (per mille)" \
		says m1 "^  NAME +STATE +LEVEL/1000 +RESOURCES"
	"$availctl" arbiter --config "$dir/m2.conf" 2> "$dir/m2.log" &
	m2=$!
	pids+=" $m2"
	tap_check "a peer in contact: its role, epoch, last contact and round trip" \
		wait_until 30 says m1 "^peer: +m2, standby at epoch 1, heard [0-9]+ ms ago, round trip [0-9]+ ms \(slowest lately [0-9]+ ms\)$"
	# --role, for health checks: the role alone, exit 0 only when active.
	tap_expect 0 "active" "$availctl" status --role --socket "$dir/state-m1/m1.sock"
	tap_expect 5 "standby" "$availctl" status --role --socket "$dir/state-m2/m2.sock"
	tap_check "--role prints the role alone" \
		test "$("$availctl" status --role --socket "$dir/state-m1/m1.sock")" = active
	kill -STOP "$m2"
	tap_check "a peer silent for grace-ms: silent, for how long, and what it last said" \
		wait_until 10 says m1 "^peer: +m2, silent for [0-9]+ ms \(it last said: standby at epoch 1\)$"
	tap_check_fails "and nothing of it as if it were its state now" \
		says m1 "^peer:.*(heard|round trip)"
	kill -CONT "$m2"
	tap_check "heard again: in contact" \
		wait_until 10 says m1 "^peer: +m2, [a-z]+ at epoch [0-9]+, heard [0-9]+ ms ago, round trip"
	# shellcheck disable=SC2086
	kill $pids 2> /dev/null
	wait 2> /dev/null
	pids=
done

tap_done
