#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What make demo shows inside the VM: the module loading, the family as
# iproute2 sees it, availctl reading it, live broadcasts whose rate follows
# availability, a pool crossing a threshold; then the whole system: two
# managers and three hosts as network namespaces, the live host table, the
# witness chosen, the active killed and the standby taking over, with the
# timeline; and a clean unload.

set -e
ko=$AVAILCAST_TREE/build/kmod/$(uname -r)/availcast.ko
availctl=$AVAILCAST_TREE/build/userspace/availctl

say() { printf '\n$ %s\n' "$*"; "$@"; }

echo
echo "== availcast on $(uname -r)"
hostname demo-host
say insmod "$ko"
say genl ctrl get name availcast
echo "== (the family's id and its multicast group's, given by the kernel at load:"
echo "== subscribers look them up by name, as availctl does)"
say "$availctl" show
echo "== ('unheard': broadcasts that fell due while no one subscribed: counted, not sent)"
say "$availctl" pool create gpu-slots 8
# Only crossings of 50% broadcast at once here: in an emulated machine,
# every process started swings the cpu level by more than the default delta.
say "$availctl" set delta 1000 thresholds 500

echo
echo "== 3 s of broadcasts; after 1.5 s, 6 of the 8 gpu-slots are charged"
"$availctl" watch --duration 3 > /tmp/watch.log &
watcher=$!
sleep 1.5	# pacing for people, not synchronisation
"$availctl" pool charge gpu-slots 6
wait $watcher
cat /tmp/watch.log
echo
echo "== the charge crossed 50%: a threshold broadcast at once, then, at 25% free,"
echo "== periodic ones further apart (f = f_min + (f_max - f_min) * level / 1000)."
echo "== Other threshold lines are the emulated CPU crossing 50% (every process"
echo "== started swings it). 'next within' is the deadline each one promises: the"
echo "== period, plus 20 ms and an eighth of the period for timer and scheduling."
say cat /sys/kernel/availcast/stats/sent
"$availctl" pool delete gpu-slots > /dev/null

echo
echo "== the cluster: managers m1 (preferred) and m2, hosts h1 h2 h3, each a network"
echo "== namespace on one bridge running its availctl daemon: relays on the hosts"
echo "== (forwarding the module's broadcasts, serving a witness store), arbiters on"
echo "== the managers. Datagrams are HMAC-SHA256 signed with a key each pair of"
echo "== nodes shares: the managers hold the cluster secret, each host a key derived"
echo "== for it alone (keygen --node), so a host cannot speak for another node. The"
echo "== configs also name h4, a host that is never started: it stays unavailable."
cluster_dir=/tmp/cluster
. "$AVAILCAST_TREE/selftests/lib/cluster.sh"
mark() { echo "$("$AVAILCAST_TREE/build/selftests/cluster_inject" now) demo $*" >> "$cluster_dir/demo.log"; }
cluster_setup
for node in $cluster_hosts $cluster_managers; do
	cluster_start "$node"
done
mark "started relays on h1 h2 h3 and arbiters on m1 m2"
wait_until 20 cluster_role_is m1 active
wait_until 10 cluster_role_is m2 standby
say cat "$cluster_dir/m1.conf"
echo
echo "$ availctl status    # on m1"
cluster_status m1
echo "== (A host's 3 RESOURCES are cpu and memory, counted by the module, and"
echo "== pressure, which its relay adds from /proc/pressure. Its LEVEL is the least"
echo "== free of them: the emulated CPU, busy with five daemons, is near 0% free"
echo "== here. 'available' says its reports come.)"
witness=$(cluster_witness m1)
echo
echo "$ cat $(cluster_witness_file "$witness")    # the witness record on $witness"
cat "$(cluster_witness_file "$witness")"

echo
echo "== kill -9 the active's daemon (m1): the standby waits for the lease on $witness"
echo "== to run out, then takes over through it at the next epoch"
mark "kill -9 m1's arbiter"
cluster_kill m1
wait_until 10 cluster_role_is m2 active
echo "$ availctl status    # on m2"
cluster_status m2
echo
echo "== m1 restarts: it reads the newer epoch and rejoins as standby"
mark "m1's arbiter restarted"
cluster_start m1
wait_until 10 cluster_role_is m1 standby
# Both as they should be before the timeline is read: m2 still active
# (on a starved emulated CPU it may have stepped down and back meanwhile;
# the timeline then shows it, with its reason).
wait_until 10 cluster_role_is m2 active
cluster_status m1 | head -n 5

echo
echo "== the timeline (CLOCK_BOOTTIME, shared by every namespace), role changes,"
echo "== witness writes and hooks, from the daemons' logs:"
grep -h "^[0-9]" "$cluster_dir"/*.log | sort -n | awk '
	function field(name,   v) {
		if (!match($0, " " name "=(\"[^\"]*\"|[^ ]*)"))
			return ""
		v = substr($0, RSTART + length(name) + 2, RLENGTH - length(name) - 2)
		gsub(/"/, "", v)
		return v
	}
	!t0 { t0 = $1 }
	$3 == "role" && field("role") != field("previous") {
		what = sprintf("%s: %s -> %s at epoch %s, because %s", $2, field("previous"),
			       field("role"), field("epoch"), field("reason"))
	}
	$3 == "hook-started" {
		what = sprintf("%s: hook started for %s at epoch %s", $2, field("role"),
			       field("epoch"))
	}
	$3 == "witness" && field("status") == "done" {
		what = sprintf("%s: witness record now names %s at epoch %s", $2,
			       field("active"), field("epoch"))
	}
	$2 == "demo" { what = "demo: " substr($0, index($0, "demo ") + 5) }
	$2 == "demo" && /kill -9/ { killed = $1 }
	what { printf "  +%6.3f s  %s\n", ($1 - t0) / 1000, what; what = "" }
	killed && !took && $3 == "role" && field("role") == "active" {
		took = $1 - killed
	}
	took && !hooked && $3 == "hook-started" && field("role") == "active" {
		hooked = $1 - killed
	}
	END {
		if (took)
			printf "\n== failover: %d ms from kill -9 of the active to the standby active", took
		if (hooked)
			printf ";\n== its active hook (what would start the service) started at %d ms:\n" \
			       "== hooks run one at a time, in the order of the role changes", hooked
		if (took)
			printf "\n"
	}'
{ cluster_teardown; } 2> /dev/null
say rmmod availcast
tainted=$(cat /proc/sys/kernel/tainted)
echo
echo "== unloaded; kernel taint $tainted (4096 = out-of-tree, 8192 = unsigned)"
echo "== the demo ran to its end: the VM powers off"
