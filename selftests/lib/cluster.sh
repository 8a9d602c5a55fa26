# SPDX-License-Identifier: GPL-2.0
#
# A cluster of network namespaces on one bridge, for selftests/cluster.sh
# and the demo: managers m1 (preferred) and m2, hosts h1..h3, each with its
# availctl daemon. They share one kernel, one availcast module and one
# CLOCK_BOOTTIME, so their logs can be laid on one timeline.
#
# Set before sourcing: cluster_dir (configs, key, logs) and availctl;
# inject (build/selftests/cluster_inject) for the stall watchers.
# State directories and control sockets live under cluster_state, on a
# local filesystem: unix sockets cannot be bound on the VMs' 9p mounts.
cluster_state=${cluster_state:-/run/availcast-cluster}

. "$(dirname "${BASH_SOURCE[0]}")/wait.sh"

cluster_managers="m1 m2"
cluster_hosts="h1 h2 h3"
cluster_nodes="$cluster_managers $cluster_hosts"
# Configured but never started: the tests speak for it.
cluster_absent_host=h4
cluster_port=7450

cluster_ip() {
	case $1 in
	m1) echo 10.77.0.1 ;; m2) echo 10.77.0.2 ;;
	h1) echo 10.77.0.11 ;; h2) echo 10.77.0.12 ;; h3) echo 10.77.0.13 ;;
	h4) echo 10.77.0.14 ;;
	esac
}

# cluster_key_file NODE: its key: the cluster secret on a manager, its
# own key on a host.
cluster_key_file() {
	if cluster_is_manager "$1"; then
		echo "$cluster_dir/cluster.key"
	else
		echo "$cluster_dir/$1.key"
	fi
}

# cluster_witness_file HOST: the witness record HOST's store keeps.
cluster_witness_file() { echo "$cluster_state/$1/demo.witness"; }

cluster_is_manager() { [ "$1" = m1 ] || [ "$1" = m2 ]; }

# cluster_other MANAGER: the other manager.
cluster_other() { [ "$1" = m1 ] && echo m2 || echo m1; }

# cluster_active_after MS NODE: ms from MS (CLOCK_BOOTTIME, as the logs)
# to NODE's first "role=active" log line at or after it; nothing if none.
cluster_active_after() {
	awk -v t="$1" '$3 == "role" && / role=active / && $1 >= t { print $1 - t; exit }' \
		"$cluster_dir/$2.log"
}

# cluster_in NODE COMMAND...: COMMAND in NODE's namespace.
cluster_in() {
	local node=$1
	shift
	ip netns exec "ac-$node" "$@"
}

cluster_write_config() {
	local node=$1 file=$cluster_dir/$1.conf n
	{
		echo "# availctl cluster configuration for node $node"
		echo "cluster = demo"
		echo "node = $node"
		echo "key-file = $(cluster_key_file "$node")"
		echo "state-dir = $cluster_state/$node"
		echo "runtime-dir = $cluster_state/run"
		echo "hook = $cluster_dir/hook.sh"
		for n in $cluster_managers; do
			echo "manager = $n $(cluster_ip "$n"):$cluster_port"
		done
		for n in $cluster_hosts $cluster_absent_host; do
			echo "host = $n $(cluster_ip "$n")"
		done
		echo "${CLUSTER_EXTRA_CONFIG:-}"
	} > "$file"
}

# The bridge, a namespace per node, configs, the key and the hook.
cluster_setup() {
	local node
	rm -rf "$cluster_dir" "$cluster_state"
	mkdir -p "$cluster_dir" "$cluster_state"
	modprobe veth 2> /dev/null || true
	modprobe bridge 2> /dev/null || true
	modprobe nf_tables 2> /dev/null || true
	ip link add acbr0 type bridge
	ip link set acbr0 up
	for node in $cluster_nodes; do
		ip netns add "ac-$node"
		ip link add "ac-$node" type veth peer name eth0 netns "ac-$node"
		ip link set "ac-$node" master acbr0 up
		ip -n "ac-$node" addr add "$(cluster_ip "$node")/24" dev eth0
		ip -n "ac-$node" link set eth0 up
		ip -n "ac-$node" link set lo up
	done
	"$availctl" keygen "$cluster_dir/cluster.key"
	for node in $cluster_hosts $cluster_absent_host; do
		"$availctl" keygen --node "$node" --secret "$cluster_dir/cluster.key" \
			"$(cluster_key_file "$node")"
	done
	cat > "$cluster_dir/hook.sh" <<-HOOK
	#!/bin/sh
	# Records every role change it is told of, and how it was scheduled.
	policy=\$(chrt --pid \$\$ | sed -n 's/.*policy: //p')
	echo "\$AVAILCTL_NODE \$1 epoch=\$AVAILCTL_EPOCH previous=\$AVAILCTL_PREVIOUS_ROLE witness=\$AVAILCTL_WITNESS policy=\$policy" >> "$cluster_dir/hooks.log"
	HOOK
	chmod +x "$cluster_dir/hook.sh"
	for node in $cluster_nodes; do
		cluster_write_config "$node"
	done
	# The relays in the namespaces hear the module only with all_netns.
	"$availctl" set all-netns 1 > /dev/null
}

# cluster_start NODE [VAR=VALUE...]: NODE's daemon, with VAR=VALUE... in
# its environment.
cluster_start() {
	local node=$1 daemon=relay
	shift
	cluster_is_manager "$node" && daemon=arbiter
	# Not through a function: $! must be the daemon (ip and env exec it),
	# not a subshell that signals would never reach.
	ip netns exec "ac-$node" env "$@" "$availctl" "$daemon" \
		--config "$cluster_dir/$node.conf" 2>> "$cluster_dir/$node.log" &
	echo $! > "$cluster_dir/$node.pid"
}

cluster_pid() { cat "$cluster_dir/$1.pid"; }

cluster_signal() { kill "-$2" "$(cluster_pid "$1")"; }

# cluster_kill NODE: kill -9, and wait for it to be gone.
cluster_kill() {
	local pid
	pid=$(cluster_pid "$1")
	kill -9 "$pid" 2> /dev/null
	wait "$pid" 2> /dev/null || true
}

cluster_status() {
	local node=$1
	shift
	cluster_in "$node" "$availctl" status --socket "$cluster_state/$node/$node.sock" "$@"
}

# cluster_field NODE KEY: a top-level "KEY":value of NODE's JSON status
# (top-level keys come before the nested ones that share their names).
cluster_field() {
	cluster_status "$1" --json 2> /dev/null | grep -o "\"$2\":[^,}]*" |
		head -n 1 | sed 's/^[^:]*://; s/"//g'
}

cluster_witness() {
	cluster_status "$1" --json 2> /dev/null |
		sed -n 's/.*"witness":{"host":"\([^"]*\)".*/\1/p'
}

cluster_role_is() { [ "$(cluster_field "$1" role)" = "$2" ]; }

# cluster_logged_role NODE: the role NODE's last role line names
# ("role=active"); nothing if none.
cluster_logged_role() {
	awk '$3 == "role" { r = $4 } END { print r }' "$cluster_dir/$1.log"
}

# cluster_active_by_log: the manager whose last role line says active,
# the other's not; nothing (and false) if none. For a cluster too busy to
# answer status.
cluster_active_by_log() {
	local node
	for node in $cluster_managers; do
		[ "$(cluster_logged_role "$node")" = role=active ] &&
			[ "$(cluster_logged_role "$(cluster_other "$node")")" != role=active ] &&
			{ echo "$node"; return 0; }
	done
	return 1
}

cluster_active() {
	local node
	for node in $cluster_managers; do
		cluster_role_is "$node" active && { echo "$node"; return 0; }
	done
	return 1
}

# cluster_watch_stalls: a stall watcher (cluster_inject stallwatch) on
# each CPU, pinned there: the emulator of a busy host stops a vCPU now and
# then, and every process on it, the daemons' timers with them; a watcher
# on another CPU would not see it. Each stall of 20 ms or more is a line
# "BOOTTIME_MS LATE_MS" in $cluster_dir/stalls (for cluster_stalled).
cluster_watch_stalls() {
	local cpu
	: > "$cluster_dir/stalls"
	for cpu in $(seq 0 $(($(nproc --all) - 1))); do
		grep -q 1 "/sys/devices/system/cpu/cpu$cpu/online" 2> /dev/null ||
			[ "$cpu" = 0 ] || continue
		taskset -c "$cpu" "$inject" stallwatch "$cluster_dir/stalls" &
		cluster_watchers="${cluster_watchers:-} $!"
	done
}

# cluster_stalled SINCE: the longest stall (ms) the watchers saw end from
# SINCE (CLOCK_BOOTTIME ms, as the logs) to now; 0 when none.
cluster_stalled() {
	touch "$cluster_dir/stalls"
	awk -v since="$1" '$1 >= since && $2 > most { most = $2 } END { print most + 0 }' \
		"$cluster_dir/stalls"
}

# A stall of the whole VM (or of the vCPU a daemon runs on) can cost a
# role once it outlasts the shortest span a role rests on less the
# heartbeat-ms (100 ms) that renews it and the round trip that carries
# the renewal after the stall (tens of ms under TCG, when every process
# wakes at once). At the daemons' default timing the shortest span is
# the active's hold on the standby's promise alone, before a witness is
# agreed: about 470 ms past each renewal (grace-ms, 500 ms, less the
# margin; the "hold" lines); the standby's grace-ms is the next. So 300
# ms: a stall of 362 ms cost m1 its first epoch in CI (hold 468 ms). The
# roles may then change, as they must on a real host that stood still
# that long. A check of what the roles are is not judged across such a
# stall.
cluster_role_stall_ms=300
# And one that ended up to lease-ms (700 ms at the default timing) before
# the roles were last seen can cost a hold after.
cluster_lease_ms=700

# cluster_judged NAME SINCE LIMIT_MS COMMAND...: tap_check, unless the VM
# stalled LIMIT_MS or more from SINCE to the end of COMMAND (the timing
# that ran was not the one configured; a COMMAND that waits can see a
# stall end meanwhile); then the check passes with the stall and
# COMMAND's verdict in its name, as a figure only. Never for safety. The
# locals' names are ones no caller's COMMAND would use (as tap_check).
cluster_judged() {
	local _judged_name=$1 _judged_since=$2 _judged_limit=$3 _judged_output
	local _judged_held=true _judged_stalled
	shift 3
	_judged_output=$("$@" 2>&1) || _judged_held=false
	_judged_stalled=$(cluster_stalled "$_judged_since")
	if [ "$_judged_stalled" -lt "$_judged_limit" ]; then
		if $_judged_held; then
			tap_ok "$_judged_name"
		else
			tap_fail "$_judged_name" "failed: $*" "$_judged_output"
		fi
	elif $_judged_held; then
		tap_ok "$_judged_name (the VM stalled $_judged_stalled ms: not judged; held)"
	else
		tap_ok "$_judged_name (the VM stalled $_judged_stalled ms: not judged; did not hold)"
	fi
}

# cluster_roles_judged NAME SEEN COMMAND...: cluster_judged of what the
# roles are, as they were seen at SEEN: across stalls of
# cluster_role_stall_ms from cluster_lease_ms before SEEN.
cluster_roles_judged() {
	cluster_judged "$1" "$(($2 - cluster_lease_ms))" "$cluster_role_stall_ms" "${@:3}"
}

cluster_unwatch_stalls() {
	[ -n "${cluster_watchers:-}" ] || return 0
	# shellcheck disable=SC2086 # a list of pids
	kill $cluster_watchers 2> /dev/null
	# shellcheck disable=SC2086
	wait $cluster_watchers 2> /dev/null
	cluster_watchers=
}

# cluster_stop_all: SIGTERM to every daemon, so that the sanitizers can
# report, and wait for them (the stall watchers stopped first: wait
# waits for every child).
cluster_stop_all() {
	local node
	cluster_unwatch_stalls
	for node in $cluster_managers $cluster_hosts; do
		cluster_signal "$node" TERM
	done
	wait
}

# cluster_no_sanitizer_report: true when no daemon's log holds one.
cluster_no_sanitizer_report() {
	! grep -l 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error' \
		"$cluster_dir"/*.log
}

cluster_teardown() {
	local node
	cluster_unwatch_stalls
	for node in $cluster_nodes; do
		[ -e "$cluster_dir/$node.pid" ] && kill -9 "$(cluster_pid "$node")" 2> /dev/null
	done
	wait 2> /dev/null
	for node in $cluster_nodes; do
		ip netns del "ac-$node" 2> /dev/null
	done
	ip link del acbr0 2> /dev/null
	"$availctl" set all-netns 0 > /dev/null 2>&1
	true
}
