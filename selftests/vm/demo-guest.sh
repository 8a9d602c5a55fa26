#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What make demo shows inside the VM: the module loading, the family as
# iproute2 sees it, availctl asking it, a tunable, and a clean unload.

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
say ls -l /sys/kernel/availcast
say sh -c 'echo rack7-node3 > /sys/kernel/availcast/node_id'
say "$availctl" show
say rmmod availcast
tainted=$(cat /proc/sys/kernel/tainted)
echo
echo "== unloaded; kernel taint $tainted (4096 = out-of-tree, 8192 = unsigned)"
