#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The README's main command (make demo): installs what is missing, builds
# availcast for Debian's 6.12 kernel (or DEMO_KERNEL=6.1), boots that
# kernel in qemu and shows the module loaded and answering, live.

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

selftests/setup.sh
abi=$(selftests/vm/kernels.sh --one "${DEMO_KERNEL:-6.12}")

echo "== building availcast.ko for $abi and availctl"
selftests/host/build_module.sh "$abi" | grep -v '^1\.\.\|^TAP'
make -s -C userspace
# The demo's timeline marks its faults with the daemons' clock.
make -s -C selftests "$top/build/selftests/cluster_inject"

out=build/demo
mkdir -p "$out"
: > "$out/console.log"
echo "== booting $abi in qemu (TCG, no KVM needed)"
# Without the kernel's own last word as the VM ends ("reboot: Restarting
# system"): the guest's last line is the demo's.
tail -n +1 -F "$out/console.log" 2> /dev/null \
	> >(sed -u '/^\(\[ *[0-9.]*\] \)\?reboot: /d') &
tail_pid=$!
trap 'kill $tail_pid 2> /dev/null' EXIT
status=0
selftests/vm/run.sh --timeout 300 --append quiet "$abi" "$out" \
	selftests/vm/demo-guest.sh || status=$?
sleep 0.5	# let tail print the last lines it has read
exit "$status"
