#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The daemons lock their memory with their realtime priority (issue 15,
# kind 7: a renewal must not wait for a page to come back from disk or
# swap), natively on 127.0.0.1, as root: a plain build's arbiter has its
# pages locked (VmLck in /proc/PID/status) and says "memory-locked"; with
# realtime-priority = 0 it locks nothing, and a reload that sets 0 unlocks
# what was locked (one back to a priority locks at the next start, not in
# the loop); under a finite memory-lock limit it cannot raise, it says
# why and runs on unlocked; a sanitizer build says it does not lock.
# Usage: memory_lock.sh AVAILCTL ASAN_AVAILCTL

. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/wait.sh"
. "$(dirname "$0")/../lib/native.sh"

plain=$1
asan=$2
native_dir memory-lock
port=$((20000 + RANDOM % 20000))
"$plain" keygen "$dir/secret"
native_config lock m1 "$dir/secret" "$dir" "$port" > "$dir/m1.conf"

logged() { grep -qE "$1" "$dir/m1.log"; }
locked_kb() { sed -n 's/^VmLck:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$m1/status"; }
locked() { [ "$(locked_kb)" -gt 0 ]; }
unlocked() { [ "$(locked_kb)" -eq 0 ]; }

# start AVAILCTL [PRLIMIT...]: m1's arbiter, logging to m1.log.
start() {
	local availctl=$1
	shift
	: > "$dir/m1.log"
	"$@" "$availctl" arbiter --config "$dir/m1.conf" 2> "$dir/m1.log" &
	m1=$!
	pids=$m1
	wait_until 30 logged ' m1 started '
}
stop() { kill "$m1"; wait 2> /dev/null; pids=; }

start "$plain"
tap_check "the arbiter says it locked its memory" wait_until 10 logged ' m1 memory-locked priority=1$'
tap_check "its pages are locked (VmLck $(locked_kb) kB)" locked
sed -i 's/^realtime-priority = .*//' "$dir/m1.conf"
echo "realtime-priority = 0" >> "$dir/m1.conf"
"$plain" reload --socket "$dir/state-m1/m1.sock" > /dev/null 2>&1
tap_check "a reload to realtime-priority 0 unlocks them" wait_until 10 unlocked
# Locking faults in every page: not in the middle of the daemon's loop.
sed -i 's/^realtime-priority = .*//' "$dir/m1.conf"
"$plain" reload --socket "$dir/state-m1/m1.sock" > /dev/null 2>&1
tap_check "a reload back to a priority does not lock, and says when it will" \
	wait_until 10 logged ' m1 memory-unlocked reason="reload \(locked at the next start\)"$'
tap_check "still unlocked" unlocked
stop

echo "realtime-priority = 0" >> "$dir/m1.conf"
start "$plain"
# Locked or not before "started" is logged.
tap_check "with realtime-priority 0 nothing is locked, nothing said" \
	bash -c "! grep -q ' m1 memory-' '$dir/m1.log'"
tap_check "and VmLck is 0" unlocked
stop

sed -i 's/^realtime-priority = .*//' "$dir/m1.conf"
# A hard limit of 64 kB, which only CAP_SYS_RESOURCE may raise, and no
# CAP_IPC_LOCK to lock beyond it: both dropped.
start "$plain" setpriv --bounding-set=-sys_resource,-ipc_lock \
	prlimit --memlock=65536:65536
tap_check "under a limit it cannot raise, it says so and runs on" \
	wait_until 10 logged ' m1 memory-unlocked reason=limit limit_bytes=65536$'
tap_check "unlocked" unlocked
stop

start "$asan"
tap_check "a sanitizer build says it does not lock" \
	wait_until 10 logged ' m1 memory-unlocked reason=sanitizer$'
stop
tap_done
