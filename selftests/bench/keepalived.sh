# SPDX-License-Identifier: GPL-2.0
#
# keepalived (Debian's) as the failover benchmark's peer, sourced by
# guest-failover.sh after availcast's runs: the same two manager
# namespaces of lib/cluster.sh, the same fault (kill -9 of the master,
# every process of it), timed the same way (from just before the fault,
# CLOCK_BOOTTIME, to the moment the other says it took over).
#
# Two VRRP instances sharing 10.77.0.100 on eth0, both "state BACKUP" with
# "nopreempt" and one priority, so that a restarted one stays backup as
# availcast's restarted manager stays standby. Each tells its state
# changes through its notify FIFO, where a reader started with it stamps
# them as they come (no process is forked per change, as none is for
# availcast's log line):
#
#   NODE STATE MS       (MS: CLOCK_BOOTTIME, as cluster_inject now)
#
# keepalived has no witness and no fencing: a partition gives two masters,
# so only kill is timed.
#
# Set before sourcing: cluster_dir, inject, out (the results file). The
# FIFOs are made in cluster_state: the VMs' 9p mounts cannot hold one.

keepalived_states=$cluster_dir/keepalived.states

# keepalived_config NODE PROFILE: NODE's configuration for PROFILE:
#   defaults     VRRPv2, advert_int 1 (keepalived's own defaults);
#   aggressive   VRRPv3, advert_int 0.01, the shortest keepalived accepts.
keepalived_config() {
	local node=$1 profile=$2 version=2 advert=1
	if [ "$profile" = aggressive ]; then
		version=3
		advert=0.01
	fi
	cat <<-CONF
	global_defs {
		router_id $node
		vrrp_version $version
		notify_fifo $cluster_state/keepalived-$node.fifo
	}
	vrrp_instance bench {
		state BACKUP
		nopreempt
		interface eth0
		virtual_router_id 77
		priority 100
		advert_int $advert
		virtual_ipaddress {
			10.77.0.100/24
		}
	}
	CONF
}

# keepalived_stamp NODE: stamps the state changes NODE's keepalived
# writes to its FIFO ("INSTANCE bench MASTER 100") until it closes it;
# its other news (MASTER_RX_LOWER_PRI: an advert heard) are no state.
keepalived_stamp() {
	python3 -c '
import sys, time
node, fifo, states = sys.argv[1:]
with open(fifo) as changes, open(states, "a", buffering=1) as out:
    for line in changes:
        words = line.split()
        if len(words) >= 3 and words[0] == "INSTANCE" and \
           words[2] in ("MASTER", "BACKUP", "FAULT", "STOP"):
            ms = int(time.clock_gettime(time.CLOCK_BOOTTIME) * 1000)
            out.write(f"{node} {words[2]} {ms}\n")
' "$1" "$cluster_state/keepalived-$1.fifo" "$keepalived_states" &
	echo $! > "$cluster_dir/keepalived-$1.stamp"
}

keepalived_start() {
	local node=$1
	keepalived_stamp "$node"
	ip netns exec "ac-$node" keepalived --vrrp --dont-fork --log-console --log-detail \
		--use-file "$cluster_dir/keepalived-$node.conf" \
		--pid "$cluster_dir/keepalived-$node.pid" \
		--vrrp_pid "$cluster_dir/keepalived-$node.vrrp.pid" \
		>> "$cluster_dir/keepalived-$node.out" 2>&1 &
	echo $! > "$cluster_dir/keepalived-$node.main"
}

# keepalived_kill NODE: kill -9 its VRRP child and its parent at once (a
# parent killed alone makes the child resign, which is not a crash).
keepalived_kill() {
	local node=$1 main
	main=$(cat "$cluster_dir/keepalived-$node.main")
	kill -9 "$(cat "$cluster_dir/keepalived-$node.vrrp.pid" 2> /dev/null)" "$main" 2> /dev/null
	wait "$main" 2> /dev/null || true
	# Its stamper ends with the FIFO's writer, or waits for one for ever.
	kill "$(cat "$cluster_dir/keepalived-$node.stamp")" 2> /dev/null
	rm -f "$cluster_dir/keepalived-$node".{main,pid,vrrp.pid,stamp}
}

# keepalived_state_after NODE STATE MS: the time of NODE's first STATE at
# or after MS, or nothing.
keepalived_state_after() {
	awk -v n="$1" -v s="$2" -v t="$3" '
		!found && $1 == n && $2 == s && $3 >= t { print $3; found = 1 }
		END { exit !found }' "$keepalived_states"
}

# keepalived_runs PROFILE RUNS: RUNS kills of the master under PROFILE.
keepalived_runs() {
	local profile=$1 runs=$2 node master standby since fault_ms took run
	: > "$keepalived_states"
	for node in m1 m2; do
		keepalived_config "$node" "$profile" > "$cluster_dir/keepalived-$node.conf"
	done
	since=$("$inject" now)
	keepalived_start m1
	keepalived_start m2
	if ! wait_until 30 keepalived_master_since "$since" > /dev/null; then
		echo "guest-failover: keepalived ($profile) elected no master" >&2
		return 1
	fi
	master=$(keepalived_master_since "$since")
	for run in $(seq "$runs"); do
		standby=$(cluster_other "$master")
		fault_ms=$("$inject" now)
		keepalived_kill "$master"
		if ! wait_until 30 keepalived_state_after "$standby" MASTER "$fault_ms" > /dev/null; then
			echo "guest-failover: keepalived ($profile) run $run: $standby did not take over" >&2
			return 1
		fi
		took=$(keepalived_state_after "$standby" MASTER "$fault_ms")
		echo "peer-failover: tool=keepalived profile=$profile fault=kill run=$run ms=$((took - fault_ms))" >> "$out"
		since=$("$inject" now)
		keepalived_start "$master"
		if ! wait_until 30 keepalived_state_after "$master" BACKUP "$since" > /dev/null; then
			echo "guest-failover: keepalived ($profile) run $run: $master did not rejoin as backup" >&2
			return 1
		fi
		master=$standby
	done
	keepalived_teardown
}

# keepalived_master_since MS: the one node whose last state since MS is
# MASTER (printed), if there is one: at the first election both may
# become master before the one with the lower address yields.
keepalived_master_since() {
	awk -v t="$1" '$3 >= t { state[$1] = $2 }
		END {
			for (n in state)
				if (state[n] == "MASTER") { m = m ? "two" : n }
			if (!m || m == "two")
				exit 1
			print m
		}' "$keepalived_states"
}

# keepalived_teardown: whatever keepalived_runs left running (it stopped
# half way), so that nothing holds the console when the guest ends.
keepalived_teardown() {
	local node
	for node in m1 m2; do
		[ -e "$cluster_dir/keepalived-$node.main" ] && keepalived_kill "$node"
	done
	true
}

keepalived_setup() {
	local node
	for node in m1 m2; do
		rm -f "$cluster_state/keepalived-$node.fifo"
		mkfifo "$cluster_state/keepalived-$node.fifo"
	done
}
