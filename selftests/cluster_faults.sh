#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The faults operators meet, on the real daemons with the real module:
# two managers and three hosts as network namespaces (lib/cluster.sh),
# each running its availctl daemon (sanitizer build). One scenario per
# kind of fault that once gave two actives (Documentation/arbitration.rst,
# "The failure table"); after each, lib/cluster_check.py reads every log
# so far and must find no violation: at most one active at any moment,
# one manager per epoch, no store accepting an older epoch, no manager
# entering active or running its active hook with its hold over.

. "$(dirname "$0")/lib/tap.sh"

selftests=$(cd "$(dirname "$0")" && pwd)
availctl=${AVAILCTL:-$selftests/../build/userspace-asan/availctl}
inject=$selftests/../build/selftests/cluster_inject
suspend_shim=$selftests/../build/selftests/suspend_clock.so
cluster_dir=${AVAILCAST_OUT:-/tmp}/cluster-faults
cluster_state=/run/availcast-cluster-faults
. "$selftests/lib/cluster.sh"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:verify_asan_link_order=0

now_ms() { "$inject" now; }

# checked NAME: the checker finds no violation in the logs so far.
checked() {
	local output
	if output=$(python3 "$selftests/lib/cluster_check.py" "$cluster_dir"/*.log); then
		tap_ok "$1: the checker finds no violation"
	else
		tap_fail "$1: the checker finds no violation" "$(grep -v '^active ' <<< "$output")"
	fi
}

# roles ACTIVE: ACTIVE is active, the other manager standby.
roles() {
	wait_until 15 cluster_role_is "$1" active &&
		wait_until 15 cluster_role_is "$(cluster_other "$1")" standby
}

# --- helpers -------------------------------------------------------------

# drop_from A B: A hears nothing from B (nftables); B still hears A.
drop_from() {
	cluster_in "$1" nft add table inet cut 2> /dev/null
	cluster_in "$1" nft add chain inet cut input '{ type filter hook input priority 0; }'
	cluster_in "$1" nft add rule inet cut input ip saddr "$(cluster_ip "$2")" drop
}
# drop_between A B: A and B hear nothing from each other.
drop_between() {
	drop_from "$1" "$2"
	drop_from "$2" "$1"
}
heal() {
	local node pid
	for node in "$@"; do
		cluster_in "$node" nft delete table inet cut 2> /dev/null
	done
	true
}

# set_key NODE KEY VALUE: KEY = VALUE in NODE's configuration file.
set_key() {
	local file=$cluster_dir/$1.conf
	sed -i "/^$2 = /d" "$file"
	echo "$2 = $3" >> "$file"
}
unset_key() { sed -i "/^$2 = /d" "$cluster_dir/$1.conf"; }

# reload NODE: SIGHUP, and wait until it says it reread the file.
reload() {
	local before
	before=$(grep -c " reloaded \| reload-refused " "$cluster_dir/$1.log")
	cluster_signal "$1" HUP
	wait_until 10 test "$(grep -c " reloaded \| reload-refused " "$cluster_dir/$1.log")" -gt "$before"
}

# stop NODE: SIGTERM, and wait for it to be gone.
stop() {
	local pid
	pid=$(cluster_pid "$1")
	kill -TERM "$pid" 2> /dev/null
	wait "$pid" 2> /dev/null || true
}
# start_node NODE: its daemon, m1's with the suspend shim; waits until it answers.
start_node() {
	if [ "$1" = m1 ]; then
		cluster_start m1 LD_PRELOAD="$suspend_shim" \
			AVAILCAST_SUSPEND_FILE="$cluster_dir/m1.suspended" AVAILCAST_NODE=m1
	else
		cluster_start "$1"
	fi
	wait_until 30 cluster_status "$1" > /dev/null
}
restart() {
	cluster_kill "$1"
	start_node "$1"
}

# active_now: the manager that is active, once one is and the other is
# standby (waits up to 30 s); nothing if none.
active_now() {
	local m
	for m in $cluster_managers; do
		if wait_until 30 cluster_role_is "$m" active &&
			wait_until 30 cluster_role_is "$(cluster_other "$m")" standby; then
			echo "$m"
			return 0
		fi
	done
	return 1
}

# mount_disk NODE KIND: NODE's state directory moved onto a disk of KIND,
# with NODE stopped meanwhile: "small" (a 64 KiB tmpfs), or "slow MS" (an
# ext4 on dm-delay, every I/O MS ms late).
mount_disk() {
	local node=$1 dir=$cluster_state/$1 keep=$cluster_state/$1.keep
	shift
	stop "$node"
	rm -rf "$keep"
	cp -a "$dir" "$keep"
	case $1 in
	small)
		mount -t tmpfs -o size=64k,mode=0700 tmpfs "$dir" ;;
	slow)
		truncate -s 32M "$cluster_state/$node.img"
		mkfs.ext4 -q -F "$cluster_state/$node.img"
		losetup -f --show "$cluster_state/$node.img" > "$cluster_state/$node.loop"
		dmsetup create "slow-$node" --table \
			"0 65536 delay $(cat "$cluster_state/$node.loop") 0 $2"
		# No udev in the VM: the /dev/mapper name is made here.
		dmsetup mknodes "slow-$node"
		mount "/dev/mapper/slow-$node" "$dir"
		chmod 700 "$dir" ;;
	esac
	tap_check "$node's state directory is on a $1 disk" mountpoint -q "$dir"
	cp -a "$keep"/. "$dir"/
	start_node "$node"
}

# set_delay NODE MS: NODE's "slow" disk now takes MS ms an I/O, under
# its running store.
set_delay() {
	local loop
	loop=$(cat "$cluster_state/$1.loop")
	dmsetup suspend "slow-$1"
	dmsetup reload "slow-$1" --table "0 65536 delay $loop 0 $2"
	dmsetup resume "slow-$1"
}

# stays_active MANAGER SECONDS [SEEN]: MANAGER is active at each of
# SECONDS looks a second apart (a role that flaps is caught by liveness's
# count); not judged across a stall of the VM that can cost a role, from
# SEEN (when MANAGER was picked as the active; now by default) on.
stays_active() {
	local i seen=${3:-$(now_ms)}
	for ((i = 0; i < $2; i++)); do
		sleep 1		# an observation window, not a wait for anything
		cluster_role_is "$1" active || break
	done
	cluster_roles_judged "$1 still active $2 s later" "$seen" cluster_role_is "$1" active
}

# umount_disk NODE: back on the plain state directory.
umount_disk() {
	local node=$1 dir=$cluster_state/$1 keep=$cluster_state/$1.keep
	stop "$node"
	rm -rf "$keep"
	cp -a "$dir" "$keep"
	umount "$dir"
	if [ -e "$cluster_state/$node.loop" ]; then
		dmsetup remove "slow-$node"
		losetup -d "$(cat "$cluster_state/$node.loop")"
		rm -f "$cluster_state/$node.loop" "$cluster_state/$node.img"
	fi
	cp -a "$keep"/. "$dir"/
	start_node "$node"
}

# fill NODE: its state directory's disk full to the last byte.
fill() { dd if=/dev/zero of="$cluster_state/$1/fill" bs=4k 2> /dev/null; true; }
unfill() { rm -f "$cluster_state/$1/fill"; }

witness_changes() { [ "$(cluster_witness "$1")" != "$2" ] && [ -n "$(cluster_witness "$1")" ]; }

# settled_witness MANAGER: its agreed witness, once it has stayed the same
# for a second (up to 30 s).
witness_stays() {
	local before
	before=$(cluster_witness "$1")
	sleep 1		# "stays": the same a second later
	[ -n "$before" ] && [ "$(cluster_witness "$1")" = "$before" ]
}
# witness_moved MANAGER OLD: MANAGER's witness is another than OLD, and stays.
witness_moved() {
	local now
	now=$(cluster_witness "$1")
	[ -n "$now" ] && [ "$now" != "$2" ] && witness_stays "$1"
}
settled_witness() {
	wait_until 30 witness_stays "$1"
	cluster_witness "$1"
}

# A random moment in the next half second: reloads land anywhere in the
# protocol's rhythm. (Not a wait for anything: any moment is as good.)
random_moment() { sleep "0.$((RANDOM % 500))"; }

# --- the scenarios, each leaving one manager active, one standby ----------

# Kind: time that passes while a node is suspended. The active's host
# sleeps (its process stopped, and its CLOCK_MONOTONIC with it) until the
# standby took over, then wakes: it must count its hold on a clock that
# went on, and step down before it acts.
scenario_suspend() {
	start=$(now_ms)
	cluster_signal m1 STOP
	if wait_until 15 cluster_role_is m2 active; then
		tap_ok "m1's host suspended: m2 takes over"
	else
		tap_fail "m1's host suspended: m2 takes over" "$(cluster_status m2 2>&1)"
	fi
	echo $(($(now_ms) - start)) > "$suspended_ms"
	cluster_signal m1 CONT
	cluster_judged "m1 wakes and rejoins as standby" "$start" "$cluster_role_stall_ms" roles m2
	checked "suspend of the active"
}

# Kind: safety that depends on two configs matching. grace-ms goes from
# 500 to 1000 on the active only (the documented reload), and the active
# is cut off: it must hold on the promise the standby made, not on the
# one it would make.
scenario_reload_grace() {
	active=$(active_now)
	set_key "$active" grace-ms 1000
	reload "$active"
	fault_ms=$(now_ms)
	ip -n "ac-$active" link set eth0 down
	tap_check "grace-ms 1000 on the active alone, which is cut off: the standby takes over" \
		wait_until 15 cluster_role_is "$(cluster_other "$active")" active
	ip -n "ac-$active" link set eth0 up
	unset_key "$active" grace-ms
	reload "$active"
	checked "a one-sided reload of grace-ms"
}

# Every timing key, changed by a reload on either side at a random moment,
# then a fault of the active (killed, or cut off).
scenario_reload_any() {
	round=0
	for key in lease-ms grace-ms heartbeat-ms margin-ms drift-ppm lease-ms grace-ms; do
		round=$((round + 1))
		active=$(active_now) || break
		case $key in
		heartbeat-ms) value=$((50 + RANDOM % 71)) ;;
		grace-ms) value=$((300 + RANDOM % 900)) ;;
		lease-ms) value=$((400 + RANDOM % 1100)) ;;
		margin-ms) value=$((5 + RANDOM % 36)) ;;
		drift-ppm) value=$((RANDOM % 5000)) ;;
		esac
		side=$active
		[ $((round % 2)) = 0 ] && side=$(cluster_other "$active")
		set_key "$side" "$key" "$value"
		random_moment
		reload "$side"
		random_moment
		if [ $((round % 2)) = 0 ]; then
			cluster_kill "$active"
		else
			ip -n "ac-$active" link set eth0 down
		fi
		if ! wait_until 20 cluster_role_is "$(cluster_other "$active")" active; then
			tap_fail "$key = $value reloaded on $side; $active faulted: the other takes over" \
				"$(cluster_status "$(cluster_other "$active")" 2>&1)"
		else
			tap_ok "$key = $value reloaded on $side; $active faulted: the other takes over"
		fi
		ip -n "ac-$active" link set eth0 up
		[ $((round % 2)) = 0 ] && start_node "$active"
		unset_key "$side" "$key"
		reload "$side"
	done
	checked "timing reloaded on either side at random moments"
}

# Kind: a write that failed is treated as done. The standby's state
# directory fills up while the witness moves: it must answer no (the
# active keeps the old witness), and when it restarts cut off from the
# active with the old witness back, it must not fail over through the old
# witness beside the active.
scenario_full_manager() {
	active=$(active_now)
	standby=$(cluster_other "$active")
	mount_disk "$standby" small
	fill "$standby"
	old_witness=$(cluster_witness "$active")
	cluster_kill "$old_witness"
	tap_check "the standby's disk is full: writing the new witness down fails" \
		wait_until 15 grep -q "persist-failed.*No space left" "$cluster_dir/$standby.log"
	sleep 1		# a fault that lasts: the witness must not move meanwhile
	tap_check "so it answers no, and the active keeps the old witness" \
		test "$(cluster_witness "$active")" = "$old_witness"
	drop_between "$active" "$standby"
	restart "$standby"
	cluster_start "$old_witness"
	wait_until 30 cluster_role_is "$standby" active
	heal "$active" "$standby"
	unfill "$standby"
	tap_check "the cluster settles again" active_now
	umount_disk "$standby"
	checked "a standby that cannot write down a new witness"
}

# Issue 15: a manager whose disk cannot write, in contact with the other.
# It can neither claim an epoch nor promise at the other's claim (both are
# written down first): it says fault, and the other takes over through the
# witness instead of waiting on it. First the standby's state directory
# full when the active restarts; then m1's, the preferred one, when both
# restart at once (a power cut): each time the other one is active.
scenario_full_disk_restart() {
	local active standby since starting
	active=$(active_now)
	standby=$(cluster_other "$active")
	mount_disk "$standby" small
	active_now > /dev/null
	fill "$standby"
	since=$(now_ms)
	restart "$active"
	tap_check "the standby's disk full, the active restarted: it is active again" \
		wait_until 15 cluster_role_is "$active" active
	tap_check "and the standby, in contact, says fault" cluster_role_is "$standby" fault
	liveness "the standby's disk full, the active restarted" "$since" 1
	unfill "$standby"
	tap_check "its disk writable again: a standby" \
		wait_until 10 cluster_role_is "$standby" standby
	umount_disk "$standby"
	mount_disk m1 small
	active_now > /dev/null
	fill m1
	cluster_kill m1
	cluster_kill m2
	since=$(now_ms)
	start_node m1 &
	starting=$!
	start_node m2
	wait "$starting"
	tap_check "m1's disk full when both restarted at once: m2 is active" \
		wait_until 15 cluster_role_is m2 active
	tap_check "and m1, the preferred one, says fault" cluster_role_is m1 fault
	liveness "the preferred one's disk full, both restarted" "$since" 1
	unfill m1
	tap_check "its disk writable again: a standby" wait_until 10 cluster_role_is m1 standby
	umount_disk m1
	checked "a manager whose disk cannot write, in contact"
}

# A read-only remount of the standby's state directory: the same.
scenario_readonly_manager() {
	active=$(active_now)
	standby=$(cluster_other "$active")
	mount_disk "$standby" small
	mount -o remount,ro "$cluster_state/$standby"
	old_witness=$(cluster_witness "$active")
	cluster_kill "$old_witness"
	tap_check "the standby's state directory is read-only: writing fails" \
		wait_until 15 grep -q "persist-failed.*Read-only" "$cluster_dir/$standby.log"
	sleep 1		# a fault that lasts
	tap_check "so the active keeps the old witness" test "$(cluster_witness "$active")" = "$old_witness"
	cluster_start "$old_witness"
	mount -o remount,rw "$cluster_state/$standby"
	tap_check "writable again: the cluster settles" active_now
	umount_disk "$standby"
	checked "a read-only state directory"
}

# Issue 15, kind 4: a witness that cannot write. The witness store's disk
# fills while both managers are up: renewals write nothing, but the
# store's write probe fails, its replies say so, and the active moves the
# witness to a host that writes, so that when the active then dies the
# standby takes over through it. (Every host's disk is small, so that
# wherever the witness is, it is on one: moving a disk restarts the relay,
# which moves the witness.)
scenario_full_witness() {
	local active standby witness since
	for node in $cluster_hosts; do
		mount_disk "$node" small
	done
	active=$(active_now)
	standby=$(cluster_other "$active")
	witness=$(settled_witness "$active")
	since=$(now_ms)
	fill "$witness"
	tap_check "the witness's disk is full: its store says so" \
		wait_until 15 grep -q "witness-writes state=failing" "$cluster_dir/$witness.log"
	tap_check "and the active moves the witness off it" \
		wait_until 15 witness_changes "$active" "$witness"
	tap_check "to one both name" wait_until 15 same_witness
	cluster_kill "$active"
	tap_check "the active killed: the standby takes over through the new witness" \
		wait_until 15 cluster_role_is "$standby" active
	liveness "witness disk full" "$since" 1
	unfill "$witness"
	start_node "$active"
	for node in $cluster_hosts; do
		umount_disk "$node"
	done
	checked "a witness store whose disk is full"
}

# And the witness store's disk turns slow under it (600 ms an I/O, longer
# than a takeover's hold): the active moves the witness to a host that
# writes in time, and a failover through it leaves a steady active.
scenario_slowed_witness() {
	local active standby witness since
	for node in $cluster_hosts; do
		mount_disk "$node" slow 0
	done
	active=$(active_now)
	standby=$(cluster_other "$active")
	witness=$(settled_witness "$active")
	since=$(now_ms)
	set_delay "$witness" 600
	tap_check "the witness's disk turns slow: the active moves the witness off it" \
		wait_until 30 witness_changes "$active" "$witness"
	tap_check "to one both name" wait_until 15 same_witness
	cluster_kill "$active"
	tap_check "the active killed: the standby takes over through the new witness" \
		wait_until 15 cluster_role_is "$standby" active
	stays_active "$standby" 5
	liveness "witness disk slowed" "$since" 1
	set_delay "$witness" 0
	start_node "$active"
	for node in $cluster_hosts; do
		umount_disk "$node"
	done
	checked "a witness store whose disk turned slow"
}

# Kind: acting after the hold ran out. Every I/O of the witness store's
# disk takes 600 ms: the takeover's answer comes after the hold it
# grants; the new active must not act on it, and acts on the renewal.
scenario_slow_witness() {
	for node in $cluster_hosts; do
		mount_disk "$node" slow 600
	done
	active=$(active_now)
	standby=$(cluster_other "$active")
	witness=$(settled_witness "$active")
	since=$(now_ms)
	cluster_kill "$active"
	tap_check "a witness store on a slow disk (600 ms an I/O): the standby takes over" \
		wait_until 30 cluster_role_is "$standby" active
	stays_active "$standby" 5
	liveness "every store slow" "$since" 1
	start_node "$active"
	for node in $cluster_hosts; do
		umount_disk "$node"
	done
	checked "a slow witness store"
}

# managers_back_on_plain_disks KILLED: KILLED and every host stopped are
# started again, and both managers leave their slow disks.
managers_back_on_plain_disks() {
	local node
	start_node "$1"
	for node in $cluster_hosts; do
		[ -n "$(cluster_status "$node" 2> /dev/null)" ] || cluster_start "$node"
	done
	umount_disk m1
	umount_disk m2
}

# And the managers' own state directories slow (300 ms an I/O) while the
# witness moves and the active dies.
scenario_slow_managers() {
	active=$(active_now)
	mount_disk m1 slow 300
	mount_disk m2 slow 300
	active=$(active_now)
	cluster_kill "$(cluster_witness "$active")"
	random_moment
	cluster_kill "$active"
	wait_until 30 cluster_role_is "$(cluster_other "$active")" active
	managers_back_on_plain_disks "$active"
	tap_check "slow state directories: the cluster settles" active_now
	checked "managers on slow disks"
}

# Kind: a round trip near the timing values, from the managers' own
# disks. Their state directories on disks whose every I/O takes 30 ms (a
# durable write, with its fsyncs and rename, several of them, each
# blocking the daemon): the witness moves (both managers write), then the
# active dies (the standby writes its takeover). The active keeps its role
# through the move, and the standby takes over once and keeps it.
scenario_slow_manager_disks() {
	local active standby since old
	mount_disk m1 slow 30
	mount_disk m2 slow 30
	active=$(active_now)
	standby=$(cluster_other "$active")
	old=$(settled_witness "$active")
	since=$(now_ms)
	cluster_kill "$old"
	tap_check "managers on 30 ms disks: the witness moves" \
		wait_until 30 witness_moved "$active" "$old"
	cluster_kill "$active"
	tap_check "and when the active dies, the standby takes over" \
		wait_until 30 cluster_role_is "$standby" active
	stays_active "$standby" 10
	# The takeover, and one more for a whole-VM stall under TCG.
	liveness "managers on 30 ms disks" "$since" 2
	managers_back_on_plain_disks "$active"
	tap_check "managers on 30 ms disks: the cluster settles" active_now
	checked "managers on slow disks that still write"
}

# Kind: durable state older than what was promised. A backup of the
# witness file, from before a takeover, restored over it while its store
# runs, and again while it is stopped: the store keeps what it promised.
scenario_restored_witness() {
	for when in running stopped; do
		active=$(active_now)
		standby=$(cluster_other "$active")
		witness=$(cluster_witness "$active")
		cp "$(cluster_witness_file "$witness")" "$cluster_dir/witness.backup"
		cluster_kill "$active"
		wait_until 20 cluster_role_is "$standby" active
		[ "$(cluster_witness "$standby")" = "$witness" ] || continue
		[ "$when" = stopped ] && stop "$witness"
		cp "$cluster_dir/witness.backup" "$(cluster_witness_file "$witness")"
		[ "$when" = stopped ] && cluster_start "$witness"
		drop_between "$active" "$standby"
		seen=$(now_ms)
		start_node "$active"
		wait_until 10 grep -q "witness-restored" "$cluster_dir/$witness.log"
		tap_check "a witness file restored from a backup while its store is $when: it is written back" \
			grep -q "witness-restored" "$cluster_dir/$witness.log"
		sleep 2		# a fault that lasts: the old active must not come back meanwhile
		# Unless a stall of the VM lapsed the new active's lease: the
		# old one may then take over, at a new epoch (the checker
		# still judges that).
		cluster_roles_judged "and the old active, cut off, does not take over through it" \
			"$seen" test "$(cluster_field "$active" role)" != active
		heal "$active" "$standby"
		checked "a witness file restored while its store is $when"
	done
}

# A manager's state directory restored from before it agreed on a new
# witness, and the manager restarted cut off from the active, with the
# old witness back: its runtime copy since boot holds the promise.
scenario_restored_manager() {
	active=$(active_now)
	standby=$(cluster_other "$active")
	old_witness=$(cluster_witness "$active")
	cp "$cluster_state/$standby/demo.agreed" "$cluster_dir/agreed.backup"
	cluster_kill "$old_witness"
	wait_until 15 witness_changes "$standby" "$old_witness"
	cluster_kill "$standby"
	cp "$cluster_dir/agreed.backup" "$cluster_state/$standby/demo.agreed"
	drop_between "$active" "$standby"
	start_node "$standby"
	cluster_start "$old_witness"
	tap_check "a manager restored from a backup finds its runtime copy newer" \
		wait_until 10 grep -q "state-rolled-back" "$cluster_dir/$standby.log"
	sleep 3		# a fault that lasts
	heal "$active" "$standby"
	checked "a manager's state restored from a backup"
}

# Kind: who may say what. A host signs, with its own key, a heartbeat of
# the other manager "active at epoch 1000" (as h4, which runs no relay
# whose numbers it would disturb): dropped. Then the agreed witness's
# host answers a request never made, a month ahead, and the active is cut
# off at once: it must step down when its real hold ends.
scenario_forged() {
	active=$(active_now)
	standby=$(cluster_other "$active")
	witness=$(cluster_witness "$active")
	start=$(now_ms)
	cluster_in h1 "$inject" attack "$cluster_dir/cluster.key" 1 "$active" \
		"$(cluster_ip "$active")" "$cluster_port" "$cluster_absent_host" > /dev/null
	tap_check "a manager's heartbeat made with a host's key is dropped as forged" wait_until 5 \
		bash -c "ip netns exec ac-$active $availctl status --json --socket $cluster_state/$active/$active.sock | grep -qE '\"forged\":[1-9]'"
	cluster_roles_judged "and changes no role" "$start" \
		test "$(cluster_field "$active" role)" = active
	epoch=$(cluster_field "$active" epoch)
	generation=$(cluster_status "$active" --json | sed -n 's/.*"witness":{[^}]*"generation":\([0-9]*\).*/\1/p')
	cluster_in "$witness" "$inject" reply "$cluster_dir/cluster.key" 1 "$active" \
		"$(cluster_ip "$active")" "$cluster_port" "$witness" "$epoch" "$generation" > /dev/null
	ip -n "ac-$active" link set eth0 down
	tap_check "the active, cut off after an unasked witness answer, is replaced" \
		wait_until 15 cluster_role_is "$standby" active
	tap_check "and it stepped down on its own" wait_until 10 cluster_role_is "$active" fault
	ip -n "ac-$active" link set eth0 up
	restart "$witness"	# its numbers are behind the injected one's now
	checked "forged datagrams"
}

# Key rollover with no failover: a new secret and host keys, accepted
# everywhere, then sent with everywhere, then the old one dropped, one node
# at a time, with a reload each.
scenario_rollover() {
	active=$(active_now)
	rollover_ms=$(now_ms)
	roles_before=$(cat "$cluster_dir"/m?.log | grep -c " role ")
	"$availctl" keygen "$cluster_dir/cluster-2.key"
	for node in $cluster_hosts $cluster_absent_host; do
		"$availctl" keygen --node "$node" --secret "$cluster_dir/cluster-2.key" \
			"$cluster_dir/$node-2.key"
	done
	key2() { cluster_is_manager "$1" && echo "$cluster_dir/cluster-2.key" || echo "$cluster_dir/$1-2.key"; }
	running_nodes="$cluster_managers $cluster_hosts"
	for node in $running_nodes; do
		set_key "$node" accept-key "2 $(key2 "$node")"
		reload "$node"
	done
	for node in $running_nodes; do
		set_key "$node" accept-key "1 $(cluster_key_file "$node")"
		set_key "$node" key-file "$(key2 "$node")"
		set_key "$node" key-id 2
		reload "$node"
	done
	for node in $running_nodes; do
		unset_key "$node" accept-key
		reload "$node"
	done
	sleep 2		# reports keep coming: none may be refused
	cluster_roles_judged "a key rollover across the cluster changes no role" "$rollover_ms" \
		test "$(cat "$cluster_dir"/m?.log | grep -c " role ")" = "$roles_before"
	tap_check "and no node refused a datagram for its key" \
		bash -c "! grep -h 'verdict=unknown_key\|verdict=forged' $cluster_dir/*.log | awk '\$1 > $rollover_ms' | grep -q ."
	tap_check "every node took every reload" bash -c "! grep -q reload-refused $cluster_dir/*.log"
	checked "a key rollover"
}

# host_available MANAGER HOST: MANAGER counts HOST available.
host_available() {
	cluster_status "$1" --json | python3 -c "import json,sys
sys.exit(not any(h['name'] == '$2' and h['available'] for h in json.load(sys.stdin)['hosts']))"
}

# set_clock_by SECONDS: the wall clock of the whole machine stepped.
set_clock_by() { date -s "@$(( $(date +%s) + $1 ))" > /dev/null; }

# Issue 15's kind: replay protection that depended on the wall clock going
# forward across restarts. With the wall clock 20 s ahead, a manager
# restarts and becomes active through the witness, and a relay restarts.
# The clock is then set right, as NTP would, and both restart again:
# their peers must hear them at once, not drop them as replays of what
# they sent with the clock ahead; and when the other manager dies, the
# restarted one must take over through the witness that heard it before.
scenario_clock_back() {
	local first second host since witness
	first=$(active_now)
	second=$(cluster_other "$first")
	witness=$(settled_witness "$first")
	for host in $cluster_hosts; do
		[ "$host" != "$witness" ] && break
	done
	set_clock_by 20
	restart "$second"
	restart "$host"
	wait_until 15 cluster_role_is "$second" standby
	cluster_kill "$first"
	wait_until 15 cluster_role_is "$second" active
	start_node "$first"
	wait_until 15 cluster_role_is "$first" standby
	set_clock_by -20
	since=$(now_ms)
	restart "$second"
	restart "$host"
	# Either may be active now: a preferred manager restarted at once
	# takes the role back. Once the other is killed if need be, the
	# restarted one must be active through the witness that heard it.
	active=$(active_now)
	tap_check "the wall clock set back, the active restarted: the roles settle" test -n "$active"
	tap_check "the restarted relay's host is available again" \
		wait_until 15 host_available "$first" "$host"
	if [ "$active" = "$first" ]; then
		cluster_kill "$first"
	fi
	tap_check "the restarted manager is active through the witness that heard it before" \
		wait_until 15 cluster_role_is "$second" active
	tap_check "no datagram was dropped as a replay" \
		bash -c "! grep -h 'verdict=replayed' $cluster_dir/*.log | awk '\$1 > $since' | grep -q ."
	[ -n "$(cluster_field "$first" role)" ] || start_node "$first"
	checked "the wall clock set back between restarts"
}

# A stall of heartbeat-ms (100 ms) or more costs every daemon a beat: the
# timing that ran was not the one a scenario set, and is not judged.
stall_limit_ms=100

# timing_check NAME SINCE COMMAND...: cluster_judged at stall_limit_ms.
timing_check() {
	cluster_judged "$1" "$2" "$stall_limit_ms" "${@:3}"
}

# liveness_figures NAME SINCE: the checker's liveness figures from SINCE
# to now, in the TAP output as comments; its whole output in $figures.
liveness_figures() {
	figures=$(python3 "$selftests/lib/cluster_check.py" --since "$2" --until "$(now_ms)" \
		"$cluster_dir"/*.log)
	grep "^longest without an active\|^entered active" <<< "$figures" | sed "s/^/# $1: /"
}

# entries_into_active: how many times a manager entered active, from the
# last liveness_figures.
entries_into_active() {
	sed -n 's/^entered active: \([0-9]*\) times/\1/p' <<< "$figures"
}

# liveness NAME SINCE MOST [LONGEST]: the checker's liveness figures from
# SINCE to now, in the TAP output; a manager entered active at most MOST
# times since (more is a role that flaps). The times are reported, not
# asserted: the VM's emulated CPU sets their scale (the simulator asserts
# the bounds). Only LONGEST 0, an active that must keep its role, is
# asserted: no stretch at all without an active. Neither is judged
# across a stall of the whole VM (timing_check).
liveness() {
	local entered longest
	liveness_figures "$1" "$2"
	entered=$(entries_into_active)
	timing_check "$1: a manager entered active at most $3 times, not flapping" "$2" \
		test "${entered:-0}" -le "$3"
	[ $# -ge 4 ] || return 0
	longest=$(sed -n 's/^longest without an active: \([0-9]*\) ms.*/\1/p' <<< "$figures")
	timing_check "$1: the active kept its role throughout" "$2" test "${longest:-0}" -le "$4"
}

# same_witness: both managers name one witness, at one generation.
same_witness() {
	local m1 m2
	m1=$(cluster_status m1 --json | python3 -c "import json,sys; w=json.load(sys.stdin)['witness']; print(w['host'], w['generation'])")
	m2=$(cluster_status m2 --json | python3 -c "import json,sys; w=json.load(sys.stdin)['witness']; print(w['host'], w['generation'])")
	[ -n "${m1% *}" ] && [ "$m1" = "$m2" ]
}

# lose_type NODE FROM TYPE: NODE drops every datagram of TYPE (the byte
# after magic and version) that FROM sends it, and nothing else.
lose_type() {
	cluster_in "$1" nft add table inet lose 2> /dev/null
	cluster_in "$1" nft add chain inet lose input '{ type filter hook input priority 0; }'
	cluster_in "$1" nft add rule inet lose input ip saddr "$(cluster_ip "$2")" \
		udp dport "$cluster_port" @th,104,8 "$3" drop
}
unlose() { cluster_in "$1" nft delete table inet lose 2> /dev/null; true; }

# Issue 15, kind 2: a lost message in a two-step exchange. Every yes of
# the standby to a new witness (PROPOSE_REPLY, type 4) is lost on its way
# to the active, while the agreed witness comes and goes three times:
# the managers must still end on one witness, which carries a failover.
scenario_lost_yes() {
	local first second witness round since
	first=$(active_now)
	second=$(cluster_other "$first")
	since=$(now_ms)
	lose_type "$first" "$second" 4
	for round in 1 2 3; do
		witness=$(settled_witness "$first")
		drop_between "$first" "$witness"
		tap_check "every yes lost ($round): the active still moves the witness off the one it lost" \
			wait_until 15 witness_changes "$first" "$witness"
		heal "$first" "$witness"
	done
	tap_check "and both managers name the same witness" wait_until 15 same_witness
	cluster_kill "$first"
	tap_check "the active killed: the standby takes over through it" \
		wait_until 15 cluster_role_is "$second" active
	unlose "$first"
	start_node "$first"
	wait_until 15 cluster_role_is "$first" standby
	liveness "yes lost" "$since" 1
	checked "a standby's yes lost every time"
}

# Issue 15, kind 2, its worst case: the active dies in the middle of a
# move of the witness, after the standby's yes and before its own write
# on the new one. Made certain rather than timed: the active is cut from
# the agreed witness, so that it moves it, and every write it sends the
# other hosts (WITNESS_CAS, type 6) is lost; once it is at the move's
# write, it is killed. The standby must take over: before, it had said
# yes to a host the active never wrote, and no takeover goes through a
# witness whose record is older than the one agreed, so there was no
# active until the old one came back. Now the active writes its record
# first and offers the host only then.
writing_elsewhere() { cluster_status "$1" | grep -q "writing our record on"; }
scenario_dies_mid_move() {
	local first second witness host since
	first=$(active_now)
	second=$(cluster_other "$first")
	witness=$(settled_witness "$first")
	since=$(now_ms)
	for host in $cluster_hosts; do
		[ "$host" = "$witness" ] || lose_type "$host" "$first" 6
	done
	drop_between "$first" "$witness"
	# A stall of the VM meanwhile can cost the active its role first.
	cluster_judged "the active cut from the witness writes its record on another" \
		"$since" "$cluster_role_stall_ms" wait_until 15 writing_elsewhere "$first"
	cluster_kill "$first"
	tap_check "the active killed in the middle of the move: the standby takes over" \
		wait_until 15 cluster_role_is "$second" active
	for host in $cluster_hosts; do
		unlose "$host"
	done
	heal "$first" "$witness"
	start_node "$first"
	wait_until 15 cluster_role_is "$first" standby
	liveness "dies mid-move" "$since" 1
	checked "the active dead in the middle of a move"
}

# Issue 15, kind 6: the standby loses sight of the agreed witness, the
# active still reaching it: cut from it both ways, or only its requests
# lost on the way (a firewall at the witness's host dropping what the
# standby sends; the witness's reports still reach the standby). The
# active must move the witness to one the standby reaches, and the
# standby then take over through it when the active dies.
scenario_standby_cut_witness() {
	standby_loses_witness "cut from the witness" drop_between
	standby_loses_witness "whose requests to the witness are lost" drop_at_witness
}
drop_at_witness() { drop_from "$2" "$1"; }

# A variant: the standby far from the witness, the active near. What
# passes between the standby and the witness's host 400 ms late each way:
# a round trip of 800 ms, past the 552 ms a takeover's answer may take
# (Documentation/arbitration.rst, rule 6), though every datagram comes.
scenario_far_from_standby() {
	standby_loses_witness "800 ms from the witness" delay_between undelay_between
}

# delay_path A B MS: what A sends B leaves MS ms late (netem on A's side,
# for B's address only); 0 lifts every such delay of A's.
delay_path() {
	if [ "$3" = 0 ]; then
		cluster_in "$1" tc qdisc del dev eth0 root 2> /dev/null
		return 0
	fi
	# Everything else in band 1:1, undelayed; B's datagrams in 1:4.
	cluster_in "$1" tc qdisc replace dev eth0 root handle 1: prio bands 4 \
		priomap 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 &&
	cluster_in "$1" tc qdisc replace dev eth0 parent 1:4 handle 40: netem delay "${3}ms" &&
	cluster_in "$1" tc filter add dev eth0 parent 1: protocol ip prio 1 u32 \
		match ip dst "$(cluster_ip "$2")/32" flowid 1:4
}
delay_between() { delay_path "$1" "$2" 400 && delay_path "$2" "$1" 400; }
undelay_between() { delay_path "$1" "$2" 0; delay_path "$2" "$1" 0; }

# standby_loses_witness WHAT CUT [UNDO]: CUT STANDBY WITNESS makes the
# standby lose the witness (or unable to take over through it); UNDO
# STANDBY WITNESS (heal by default) ends it.
standby_loses_witness() {
	local what=$1 cut=$2 undo=${3:-heal} first second witness since
	first=$(active_now)
	second=$(cluster_other "$first")
	witness=$(settled_witness "$first")
	since=$(now_ms)
	"$cut" "$second" "$witness"
	tap_check "the standby $what: the active moves it" \
		wait_until 15 witness_changes "$first" "$witness"
	tap_check "to one both name" wait_until 15 same_witness
	cluster_kill "$first"
	tap_check "the active killed: the standby takes over through the new witness" \
		wait_until 15 cluster_role_is "$second" active
	"$undo" "$second" "$witness"
	start_node "$first"
	wait_until 15 cluster_role_is "$first" standby
	liveness "standby $what" "$since" 1
	checked "the standby $what"
}

# host_gone MANAGER: MANAGER counts no host available.
no_host_available() {
	local host
	for host in $cluster_hosts; do
		host_available "$1" "$host" && return 1
	done
	return 0
}

# Issue 15, kind 5: no witness available while both managers are in
# contact. Every relay stopped (no host available, no store to answer),
# the active restarted: the two managers, in contact, must have an active
# again. A host back, the witness is chosen on it and carries a failover.
scenario_no_host() {
	local first host since active
	first=$(active_now)
	for host in $cluster_hosts; do
		stop "$host"
	done
	wait_until 15 no_host_available m1
	wait_until 15 no_host_available m2
	since=$(now_ms)
	restart "$first"
	active=$(active_now)
	tap_check "no host available, the active restarted: a manager is active again" \
		test -n "$active"
	liveness "no host available" "$since" 1
	host=${cluster_hosts%% *}
	start_node "$host"
	tap_check "a host back: both managers agree on it as the witness" \
		wait_until 15 same_witness
	for host in ${cluster_hosts#* }; do
		start_node "$host"
	done
	cluster_kill "$active"
	tap_check "the active killed: the other takes over through that witness" \
		wait_until 15 cluster_role_is "$(cluster_other "$active")" active
	start_node "$active"
	wait_until 15 cluster_role_is "$active" standby
	checked "no host available"
}

# delay_node NODE MS [JITTER [LOSS]]: NODE's datagrams leave MS ms late,
# give or take JITTER ms at random, and LOSS % of them never leave
# (netem on its side of its link); 0 lifts it.
delay_node() {
	if [ "$2" = 0 ]; then
		cluster_in "$1" tc qdisc del dev eth0 root 2> /dev/null
	else
		cluster_in "$1" tc qdisc replace dev eth0 root netem \
			delay "${2}ms" "${3:-0}ms" loss "${4:-0}%"
	fi
	true
}

# delay_links MS [JITTER [LOSS]]: the same for every node, so every path
# is that much slower one way.
delay_links() {
	local node
	for node in $cluster_nodes; do
		delay_node "$node" "$@"
	done
}

# check_warns MANAGER TEXT: availctl check on its config passes, with TEXT.
check_warns() {
	local output
	output=$(cluster_in "$1" "$availctl" check --config "$cluster_dir/$1.conf") &&
		grep -qF "$2" <<< "$output"
}

# says_round_trip MANAGER: its status gives the round trip as the reason.
says_round_trip() { cluster_status "$1" | grep -q "round trip"; }

# Issue 15, kind 3: round trips near the timing values (defaults:
# hold(grace-ms) 478 ms, hold(lease-ms) 678 ms, heartbeat-ms 100).
# - Every link 200 +- 20 ms slower each way and the active killed: the
#   other takes over through the witness and holds the role.
# - 180 +- 20 ms, both managers restarted: a promise of the standby's
#   comes back sometimes in time and sometimes not. The cluster either
#   forms and holds, or stays out and says why; it does not take the role
#   up again and again at rising epochs.
scenario_slow_links() {
	local first second since
	first=$(active_now)
	second=$(cluster_other "$first")
	delay_links 200 20
	since=$(now_ms)
	cluster_kill "$first"
	tap_check "links 200 ms slow, the active killed: the other takes over" \
		wait_until 15 cluster_role_is "$second" active
	stays_active "$second" 10
	liveness "links 200 ms slow, a lone manager" "$since" 1
	delay_links 180 20
	since=$(now_ms)
	cluster_kill "$second"
	start_node m1
	start_node m2
	sleep 20	# an observation window, not a wait for anything
	liveness "links 180 ms slow, both restarted" "$since" 1
	if ! cluster_role_is m1 active && ! cluster_role_is m2 active; then
		tap_check "links 180 ms slow, no active: the status says it is the round trip" \
			says_round_trip m1
	fi
	tap_check "links 180 ms slow: availctl check warns of the round trips to the peer" \
		check_warns m1 "warning: round trips to m2 of up to"
	delay_links 0
	tap_check "links fast again: a manager is active" test -n "$(active_now)"
	checked "slow links"
}

# witness_generation MANAGER: the generation of the witness it agreed on.
witness_generation() {
	cluster_status "$1" --json |
		python3 -c "import json,sys; print(json.load(sys.stdin)['witness']['generation'])"
}

# Issue 15, kind 3, two more variants:
# - Every datagram of the hosts leaves 760 ms late, so a witness answers
#   later than its lease allows (hold(lease-ms) 678 ms): the active keeps
#   its role on the standby's promise and its witness where it is (not
#   moved on and on among hosts no nearer); the active killed, the other
#   stays out and its status says it is the round trip.
# - Every link 60 +- 10 ms slower and losing 30 % of its datagrams: the
#   active keeps its role for 30 s (a hold near its end asks again):
#   before that, 5 entries into active in 30 s.
scenario_far_witness() {
	local first second since before host seen
	# From a witness both agree on: the scenario before may have just
	# reconnected a manager.
	wait_until 30 same_witness
	# A stall of the VM from here on costs no verdict (CI saw one of
	# 668 ms take the role from the active picked 8 s before its check).
	seen=$(now_ms)
	first=$(active_now)
	second=$(cluster_other "$first")
	before=$(witness_generation "$first")
	for host in $cluster_hosts; do
		delay_node "$host" 760
	done
	since=$(now_ms)
	stays_active "$first" 20 "$seen"
	liveness "witness hosts 760 ms late" "$since" 0
	timing_check "witness hosts 760 ms late: the witness stays (generation $before, now $(witness_generation "$first"))" \
		"$since" test "$(witness_generation "$first")" -le $((before + 1))
	cluster_kill "$first"
	tap_check "witness hosts 760 ms late, the active killed: the other says it is the round trip" \
		wait_until 15 says_round_trip "$second"
	delay_links 0
	start_node "$first"
	tap_check "links fast again: a manager is active" test -n "$(active_now)"
	checked "far witness"
}

scenario_lossy_links() {
	local first since
	first=$(active_now)
	delay_links 60 10 30
	since=$(now_ms)
	sleep 30	# an observation window, not a wait for anything
	# At most one entry: a whole-VM stall under TCG can cost a hold once.
	liveness "links 60 ms slow losing 30 %" "$since" 1
	delay_links 0
	checked "lossy links"
}

# starve QUOTA_US NODE...: each NODE's daemon in a cgroup of its own,
# allowed QUOTA_US of CPU time in every 100 ms; NODE+NODE... names
# daemons that share one. "starve" alone lets them out again.
starved_cgroups=/sys/fs/cgroup/availcast-starved
starve() {
	local node pid group
	if [ $# -eq 0 ]; then
		[ -d "$starved_cgroups" ] || return 0
		for group in "$starved_cgroups"/*/; do
			[ -d "$group" ] || continue
			for pid in $(cat "$group/cgroup.procs"); do
				echo "$pid" > /sys/fs/cgroup/cgroup.procs
			done
			wait_until 10 rmdir "$group"
		done
		rmdir "$starved_cgroups"
		return
	fi
	echo +cpu > /sys/fs/cgroup/cgroup.subtree_control
	mkdir -p "$starved_cgroups"
	echo +cpu > "$starved_cgroups/cgroup.subtree_control"
	for group in "${@:2}"; do
		mkdir -p "$starved_cgroups/$group"
		echo "$1 100000" > "$starved_cgroups/$group/cpu.max"
		for node in ${group//+/ }; do
			cluster_pid "$node" > "$starved_cgroups/$group/cgroup.procs"
		done
	done
}

# scheduled_as POLICY NODE...: every NODE's daemon runs at POLICY
# (SCHED_RR, SCHED_OTHER): its main thread, which serves the datagrams.
scheduled_as() {
	local policy=$1 node
	shift
	for node; do
		chrt --pid "$(cluster_pid "$node")" | grep -Eq "policy: $policy(\||$)" || return 1
	done
}

# pair_then_lone_active_starved NAME PERCENT LONE NODE...: the module
# broadcasting every 10 ms and the NODEs (ACTIVE, STANDBY: the managers)
# each held to PERCENT % of a CPU by a cgroup of its own (starve()). For
# 10 s the pair must not flap; then, the standby killed, for 20 s the lone
# active must keep its role throughout (LONE "keeps"; "figures": only
# reported). Fed again, the other manager rejoins.
pair_then_lone_active_starved() {
	local name=$1 percent=$2 lone=$3 active standby since node nodes=()
	shift 3
	active=$(active_now)
	standby=$(cluster_other "$active")
	for node; do
		node=${node/STANDBY/$standby}
		nodes+=("${node/ACTIVE/$active}")
	done
	"$availctl" set interval_min_ms 10 interval_max_ms 10 > /dev/null
	starve $((percent * 1000)) "${nodes[@]}"
	since=$(now_ms)
	sleep 10	# an observation window, not a wait for anything
	liveness "$name, a pair" "$since" 0 0
	# The standby of now: the role may have moved before the window
	# (seen in CI: a 960 ms stall of the whole VM as the limits were set
	# lapsed m2's hold, and m1, preferred, took the role), and killing
	# the standby of then killed the active. Read from the logs: starved,
	# a daemon answers status last (renewals come first), and active_now
	# saw no answer in 60 s (CI, under load).
	active=$(cluster_active_by_log)
	standby=$(cluster_other "$active")
	cluster_kill "$standby"
	since=$(now_ms)
	sleep 20	# likewise
	if [ "$lone" = keeps ]; then
		liveness "$name, a lone active" "$since" 0 0
	else
		liveness_figures "$name, a lone active" "$since"
	fi
	starve
	"$availctl" set interval_min_ms 100 interval_max_ms 1000 > /dev/null
	[ "$lone" = keeps ] &&
		cluster_judged "$name: $active is still active" "$since" "$cluster_role_stall_ms" \
			cluster_role_is "$active" active
	start_node "$standby"
	tap_check "$name, then fed again: the other manager rejoins as standby" \
		wait_until 30 cluster_role_is "$standby" standby
	checked "$name"
}

# relays_starved NAME LONE GROUP...: the relays as ordinary tasks (a
# relay without the privilege for realtime-priority) held to 10 % of a
# CPU in each GROUP (pair_then_lone_active_starved, LONE as there), then
# back at SCHED_RR 1, as started, for the scenarios after (the write
# probe's thread stays ordinary). The witness must not move: a relay
# behind on broadcasts answers witness requests first, and a witness is
# judged by its store's answers, not by its host's reports alone
# (Documentation/arbitration.rst, rule 6). Its generation rises by one at
# each takeover through it, and at each move. Not judged across a stall
# of the whole VM: the managers then lose each other, and a takeover's
# write that lands after the claim that ended it leaves the store with a
# record the claimant's own write of the witness does not expect (seen:
# the witness moved once, for that).
relays_starved() {
	local name=$1 lone=$2 host before after entered active since
	shift 2
	for host in $cluster_hosts; do
		chrt --all-tasks --other --pid 0 "$(cluster_pid "$host")"
	done
	# shellcheck disable=SC2086 # the host names, one word each
	tap_check "$name: the relays run as ordinary tasks" scheduled_as SCHED_OTHER $cluster_hosts
	active=$(active_now)
	before=$(witness_generation "$active")
	since=$(now_ms)
	pair_then_lone_active_starved "$name" 10 "$lone" "$@"
	after=$(witness_generation "$active")
	liveness_figures "$name, the whole scenario" "$since"
	entered=$(entries_into_active)
	timing_check "$name: the witness was not moved (generation $before, now $after, $entered entries into active)" \
		"$since" test "$after" -le $((before + entered))
	for host in $cluster_hosts; do
		chrt --rr --reset-on-fork --pid 1 "$(cluster_pid "$host")"
	done
	# shellcheck disable=SC2086
	tap_check "$name: the relays run at SCHED_RR again" scheduled_as SCHED_RR $cluster_hosts
}

# Issue 15, kind 7, starved by a cgroup's CPU limit: each relay held to
# 10 % of a CPU falls behind the broadcasts (a relay that forwards every
# one needs about 17 % of the VM's emulated CPU): it must answer the
# witness requests first, and forward only the newest broadcast. The pair
# must not flap and the witness must not move; the lone active's figures
# are reported, not judged: whether a store held to 10 % of an emulated
# CPU answers every renewal within the hold depends on how fast that CPU
# runs (once in CI, with the host busy: one lapse, 120 ms without an
# active). The daemons that renew, at their realtime priority, are held
# to it by scenario_starved_all.
scenario_starved_relays() {
	# shellcheck disable=SC2086 # the host names, one word each
	relays_starved "relays starved" figures $cluster_hosts
}

# The three relays sharing 10 % of a CPU: their reports come late and
# every host looks unavailable now and then, while their stores still
# answer. Before the witness was judged by its store's answers, the
# active moved it among them (generations 2 to 35 and 4 to 49 in 30 s),
# and once, the standby killed, the agreed generation had never been
# written: the lone active lost its role for good. A relay at 3.3 % of
# the emulated CPU still answers a renewal later than its 600 ms hold now
# and then (0 and 2 takeovers in 20 s seen): the lone active's figures
# are reported, not judged.
scenario_starved_relays_together() {
	relays_starved "relays starved together" figures "${cluster_hosts// /+}"
}

# Every daemon starved, at realtime-priority (SCHED_RR), which a cgroup's
# CPU limit does not hold back: renewals and answers still go out in time.
scenario_starved_all() {
	# shellcheck disable=SC2086 # the node names, one word each
	tap_check "every daemon runs at SCHED_RR" scheduled_as SCHED_RR $cluster_nodes
	# shellcheck disable=SC2086 # the host names, one word each
	pair_then_lone_active_starved "every daemon starved" 5 keeps ACTIVE STANDBY $cluster_hosts
	tap_check "the hooks ran as ordinary tasks (SCHED_RESET_ON_FORK)" \
		grep -q "policy=SCHED_OTHER$" "$cluster_dir/hooks.log"
	tap_check "and none at SCHED_RR" bash -c "! grep -q 'policy=SCHED_RR' '$cluster_dir/hooks.log'"
}

# --- the cluster -----------------------------------------------------------

cluster_teardown > /dev/null 2>&1
trap cluster_teardown EXIT
cluster_setup
# The disks mounted under the state directories must come and go in the
# daemons' mount namespaces too (ip netns exec makes each a slave of this
# one): with mounts private, as without systemd in the VM, each would keep
# a copy that holds the device busy after it is unmounted here.
mount --make-rshared /
modprobe loop 2> /dev/null
modprobe dm-mod 2> /dev/null
modprobe dm-delay 2> /dev/null
modprobe sch_netem 2> /dev/null
modprobe sch_prio 2> /dev/null	# delay_path()
modprobe cls_u32 2> /dev/null
modprobe ext4 2> /dev/null

# The stall watchers, for timing_check.
cluster_watch_stalls

for node in $cluster_hosts; do
	cluster_start "$node"
done
# m1 sees its host suspend when the test says so (selftests/suspend_clock.c).
suspended_ms=$cluster_dir/m1.suspended
echo 0 > "$suspended_ms"
start_node m1
start_node m2
cluster_judged "the cluster forms: m1 active, m2 standby" 0 "$cluster_role_stall_ms" roles m1
# Every scenario starts from a witness both managers agreed on.
tap_check "both managers agree on a witness" wait_until 30 same_witness


# The scenarios in two groups of about the same length (about 20
# minutes each under TCG, side by side with one CPU each), which
# selftests/run-tests.sh runs in two VMs at once: the faults of disks
# (the managers' state directories and the witness stores), the
# standby's distance from the witness, a CPU's and the keys' rollover;
# and those of timing (suspends, restarts, reloads, clocks, the network
# and the CPU). No VM of two CPUs starts while either group runs, so
# the first to end leaves a core idle until the other does: CI measured
# 1302 s and 1039 s of scenarios before standby_cut_witness (89 s) and
# rollover (44 s) moved to disks. Each scenario's time is in its log.
faults_disks="full_manager readonly_manager full_witness slowed_witness slow_witness
	slow_managers slow_manager_disks restored_witness restored_manager far_witness
	far_from_standby standby_cut_witness starved_relays_together rollover"
faults_timing="suspend starved_all starved_relays reload_grace reload_any forged
	clock_back lost_yes dies_mid_move no_host slow_links lossy_links full_disk_restart"

# FAULTS names the scenarios to run, or a group ("disks", "timing"); all
# by default. One scenario alone is the quick lane.
case ${FAULTS:-all} in
all) scenarios="$faults_timing $faults_disks" ;;	# suspend first: m1 active
disks) scenarios=$faults_disks ;;
timing) scenarios=$faults_timing ;;
*) scenarios=$FAULTS ;;
esac
for scenario in $scenarios; do
	started=$SECONDS
	"scenario_$scenario"
	echo "# $scenario: $((SECONDS - started)) s"
done

cluster_stop_all
tap_check "no sanitizer report from any daemon" cluster_no_sanitizer_report

tap_done
