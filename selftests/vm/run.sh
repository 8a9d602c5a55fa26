#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [options] ABI OUTDIR COMMAND...
#
# Boots kernel ABI (a Debian kernel, or a debug kernel of
# selftests/debug-kernel/) in qemu (TCG) and runs COMMAND inside it, from
# the project tree, as root with the host's root filesystem as its root.
# OUTDIR (inside the tree, so that the guest can write to it) receives
# console.log (everything the kernel and the command printed) and status.
# Exits with the command's status, 124 on timeout, 125 when the guest never
# reported one (panic, WARN with panic_on_warn, hang, qemu failure).
#
# Options:
#   --timeout SECONDS  wall-clock limit for the whole VM (default 600)
#   --smp N            virtual CPUs (default 1: steadier under TCG)
#   --mem MB           memory (default 1024)
#   --append ARGS      extra kernel command line

set -euo pipefail

timeout=600
smp=1
mem=1024
append=

while [ $# -gt 0 ]; do
	case "$1" in
	--timeout) timeout=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--) shift; break ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
if [ $# -lt 3 ]; then
	echo "usage: run.sh [--timeout S] [--smp N] [--mem MB] [--append ARGS] ABI OUTDIR COMMAND..." >&2
	exit 2
fi

abi=$1
outdir=$2
shift 2

here=$(cd "$(dirname "$0")" && pwd)
tree=$(cd "$here/../.." && pwd)
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
# The tree's path travels on the kernel command line, split at whitespace.
case "$tree" in
*[[:space:]]*) echo "run.sh: the tree's path must not contain whitespace: $tree" >&2; exit 2 ;;
esac
case "$outdir/" in
"$tree"/*) ;;
*) echo "run.sh: OUTDIR must be inside $tree" >&2; exit 2 ;;
esac

kernel=$("$here/kernels.sh" --image "$abi")
if [ ! -r "$kernel" ]; then
	echo "run.sh: no $kernel (run selftests/setup.sh, or debug-kernel/build.sh)" >&2
	exit 2
fi

# The initramfs depends only on the kernel and on init: rebuild it when
# either is newer than the cached one. Two VMs of one kernel may start at
# once: each builds its own and renames it into place.
initramfs=$tree/build/vm/$abi/initramfs.cpio.gz
if [ ! -e "$initramfs" ] || [ "$here/init" -nt "$initramfs" ] ||
   [ "$here/initramfs.sh" -nt "$initramfs" ] || [ "$kernel" -nt "$initramfs" ]; then
	"$here/initramfs.sh" "$abi" "$initramfs.$$"
	mv -f "$initramfs.$$" "$initramfs"
fi

# The job: COMMAND, run from the tree with the environment it needs.
job=$outdir/job.sh
{
	echo "#!/bin/bash"
	printf 'export AVAILCAST_TREE=%q AVAILCAST_OUT=%q\n' "$tree" "$outdir"
	echo "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	printf '%q ' "$@"
	echo
} > "$job"

# panic_on_warn and oops=panic turn any kernel WARN or oops into a panic,
# which reboots (panic=-1) and so ends qemu (-no-reboot) with no status.
cmdline="console=ttyS0 panic=-1 panic_on_warn=1 oops=panic"
# Under TCG the emulated TSC drifts from the emulated HPET by a ms or so
# when the host is busy; the clocksource watchdog then marks the TSC
# unstable mid-run, and the static key that flips (sched_clock) was seen
# to oops in its int3 text patching on 2 vCPUs. Not what is under test.
cmdline+=" tsc=reliable"
cmdline+=" AC_TREE=$tree AC_JOB=${job#"$tree"/} $append"
# A kernel fetched into the cache has its modules there: init puts them
# where modprobe looks.
modules_root=$("$here/kernels.sh" --modules-root "$abi")
[ "$modules_root" = / ] || cmdline+=" AC_MODULES=$modules_root/lib/modules"

boot() {
	rm -f "$outdir/console.log" "$outdir/status"
	: > "$outdir/status"
	set +e
	timeout -k 10 "$timeout" qemu-system-x86_64 \
		-nodefaults -no-user-config -accel tcg -cpu max \
		-smp "$smp" -m "$mem" -display none -no-reboot -monitor none \
		-kernel "$kernel" -initrd "$initramfs" -append "$cmdline" \
		-serial "file:$outdir/console.log" -serial "file:$outdir/status" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		-virtfs "local,path=$tree,mount_tag=tree,security_model=none,multidevs=remap" \
		> "$outdir/qemu.log" 2>&1
	qemu_status=$?
	set -e
}

# A kernel that dies before init runs (seen once in hundreds of boots:
# an int3 oops while the boot patched a static key, on two emulated
# vCPUs) never ran the job or the module: boot it once more, and keep
# the console of the failed boot.
boot
if [ "$qemu_status" -ne 124 ] && [ "$qemu_status" -ne 137 ] &&
   ! grep -q '^init' "$outdir/status"; then
	mv "$outdir/console.log" "$outdir/console-boot-failed.log"
	echo "run.sh: $abi: the kernel died before init ran (see" \
		"$outdir/console-boot-failed.log); booting again" >&2
	boot
fi

if [ "$qemu_status" -eq 124 ] || [ "$qemu_status" -eq 137 ]; then
	echo "run.sh: $abi: timed out after ${timeout}s" >&2
	exit 124
fi
status=$(sed -n 's/^exit=\([0-9]*\).*/\1/p' "$outdir/status" | tail -n 1)
if [ -z "$status" ]; then
	echo "run.sh: $abi: the guest reported no status (panic, WARN or hang); see $outdir/console.log" >&2
	exit 125
fi
exit "$status"
