# SPDX-License-Identifier: GPL-2.0
#
# Daemons run natively on 127.0.0.1, for the host tests that need no
# module (the arbiters answer status without one): sourced by them.

# native_config CLUSTER NODE KEY_FILE DIR PORT: the configuration NODE
# reads: managers m1 and m2 at PORT and PORT + 1, host h0 at PORT + 2,
# state and runtime directories of its own under DIR.
native_config() {
	local cluster=$1 node=$2 key=$3 dir=$4 port=$5
	echo "cluster = $cluster"
	echo "node = $node"
	echo "key-file = $key"
	echo "state-dir = $dir/state-$node"
	echo "runtime-dir = $dir/run-$node"
	echo "manager = m1 127.0.0.1:$port"
	echo "manager = m2 127.0.0.1:$((port + 1))"
	echo "host = h0 127.0.0.1:$((port + 2))"
}

# native_dir NAME: a directory of its own for the test, in $dir, and the
# daemons it starts, in $pids (space-separated), stopped at exit; the
# directory removed at exit unless KEEP is set.
native_dir() {
	dir=$(mktemp -d "/tmp/$1.XXXXXX")
	pids=
	trap native_cleanup EXIT
}

native_cleanup() {
	# shellcheck disable=SC2086
	[ -n "$pids" ] && kill -CONT $pids 2> /dev/null && kill $pids 2> /dev/null
	wait 2> /dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$dir"
}
