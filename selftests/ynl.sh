#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's own YNL client, which we did not write, drives the family
# from Documentation/netlink/specs/availcast.yaml alone: do, dump and
# subscribe, for reading and for changes.

. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/ynl.sh"

# check NAME EXPR YNL-ARGS...: YNL succeeds and EXPR holds of its output.
check() {
	local name=$1 expr=$2 out
	shift 2
	if ! out=$(ynl "$@" 2>&1); then
		tap_fail "$name" "ynl $*" "$out"
	elif ! json_check "$expr" <<< "$out"; then
		tap_fail "$name" "ynl $*" "not true of its output: $expr" "$out"
	else
		tap_ok "$name"
	fi
}

saved=$(ynl --do config-get)

check "--do get returns a snapshot" \
	"out['node-id'] and 0 <= out['level'] <= 1000 and 'sent' in out['stats']" \
	--do get
check "--dump resource-get lists the built-in resources" \
	"[r['name'] for r in out][:2] == ['cpu', 'memory']" \
	--dump resource-get
check "--do config-get returns the configuration" \
	"out['interval-min-ms'] <= out['interval-max-ms'] and out['aggregation'] == 'min'" \
	--do config-get
check "--do config-set changes a tunable" "out is None" \
	--do config-set --json '{"delta": 150, "aggregation": "mean"}'
check "the change is seen by config-get" \
	"out['delta'] == 150 and out['aggregation'] == 'mean'" --do config-get
check "--do pool-new creates a pool" "out is None" \
	--do pool-new --json '{"name": "ynl-pool", "capacity": 100}'
check "--do pool-charge charges it" "out is None" \
	--do pool-charge --json '{"name": "ynl-pool", "amount": 30}'
check "--do resource-get reads it back" \
	"out['kind'] == 'pool' and out['used'] == 30 and out['level'] == 700" \
	--do resource-get --json '{"name": "ynl-pool"}'
check "--dump resource-get filters by kind" \
	"[r['name'] for r in out] == ['ynl-pool']" \
	--dump resource-get --json '{"kind": "pool"}'

if out=$(ynl --do pool-charge --json '{"name": "ynl-pool", "amount": 1000}' 2>&1); then
	tap_fail "a refusal reaches YNL with its extack message" "$out"
else
	tap_check "a refusal reaches YNL with its extack message" \
		grep -q "the amount exceeds the pool's capacity" <<< "$out"
fi

check "--subscribe avail receives broadcasts with every attribute" \
	"len(out) >= 2 and all(n['name'] == 'notify' and n['msg']['reason'] in ('periodic', 'threshold', 'request') and n['msg']['next-deadline-ns'] > n['msg']['timestamp-ns'] and any(r['name'] == 'ynl-pool' for r in n['msg']['resource']) for n in out)" \
	--subscribe avail --sleep 2
check "--do pool-del deletes it" "out is None" \
	--do pool-del --json '{"name": "ynl-pool"}'

# Put the configuration back as it was.
restore=$(/usr/bin/python3 -c 'import json, sys; print(json.dumps(json.loads(sys.argv[1])))' "$saved")
ynl --do config-set --json "$restore" > /dev/null
tap_done
