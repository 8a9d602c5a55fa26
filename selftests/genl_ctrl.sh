#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# iproute2's genl, a client we did not write, sees the family as the UAPI
# header describes it: its name, its commands and its multicast group.

. "$(dirname "$0")/lib/tap.sh"
uapi=$(dirname "$0")/../include/uapi/linux/availcast.h

# The value of an enumerator in the UAPI header, counting from its enum's
# first member; enough for our plain, sequential command enum.
command_id() {
	awk -v name="$1" '
		/^enum/ { n = -1 }
		/^\tAVAILCAST_CMD_/ { n++; sub(/,.*/, ""); if ($1 == name) printf "0x%x\n", n }
	' "$uapi"
}

if ! listing=$(genl ctrl get name availcast 2>&1); then
	tap_fail "genl ctrl get name availcast answers" "$listing"
	tap_done
fi
tap_ok "genl ctrl get name availcast answers"

has() { grep -qE "$1" <<< "$listing"; }
tap_check "the family is named availcast" has 'Name: availcast'
tap_check "the family has version 1" has 'Version: 0x1'
for cmd in AVAILCAST_CMD_GET AVAILCAST_CMD_CONFIG_GET AVAILCAST_CMD_CONFIG_SET; do
	id=$(command_id "$cmd")
	tap_check "the family lists $cmd ($id)" has "ID-$id( |$)"
done
tap_check "the family lists the multicast group avail" has 'name: avail *$'
tap_done
