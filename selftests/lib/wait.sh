# SPDX-License-Identifier: GPL-2.0
#
# Waiting on a condition with a deadline, for shell selftests: sourced by
# them (and by lib/cluster.sh), prints nothing.

# wait_until SECONDS COMMAND...: polls COMMAND every 0.1 s until it
# succeeds (status 0) or SECONDS pass (status 1).
wait_until() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.1
	done
}
