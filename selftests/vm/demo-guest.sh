#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What make demo shows inside the VM: the module loading, the family as
# iproute2 sees it, availctl reading it, live broadcasts whose rate follows
# availability, a pool crossing a threshold, and a clean unload.

set -e
ko=$AVAILCAST_TREE/build/kmod/$(uname -r)/availcast.ko
availctl=$AVAILCAST_TREE/build/userspace/availctl

say() { printf '\n$ %s\n' "$*"; "$@"; }

echo
echo "== availcast on $(uname -r)"
hostname demo-host
say insmod "$ko"
say genl ctrl get name availcast
say "$availctl" show
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
echo "== periodic ones further apart (f = f_min + (f_max - f_min) * level / 1000)"
say cat /sys/kernel/availcast/stats/sent
say rmmod availcast
tainted=$(cat /proc/sys/kernel/tainted)
echo
echo "== unloaded; kernel taint $tainted (4096 = out-of-tree, 8192 = unsigned)"
