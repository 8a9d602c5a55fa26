#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Other kernel code uses availcast's exported API: the selftests' module
# availcast_test.ko runs its tests at load, and holds a pool that userspace
# may see but not change or delete.

. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/ynl.sh"

test_ko=$(dirname "${AVAILCAST_KO:?}")/selftests/kmod/availcast_test.ko

# load_test TEST: loads the module with test=TEST, then unloads it.
load_test() {
	insmod "$test_ko" test="$1" && rmmod availcast_test
}

tap_check "the API refuses bad names, capacities and duplicates" load_test api
tap_check "charges from every CPU and from hard interrupts sum exactly" \
	load_test concurrent

insmod "$test_ko" hold=kernel-held
out=$(ynl --do resource-get --json '{"name": "kernel-held"}' 2>&1)
tap_check "userspace sees a pool held by kernel code" \
	json_check "out['used'] == 40 and out['kind'] == 'pool'" <<< "$out"
out=$(ynl --do pool-del --json '{"name": "kernel-held"}' 2>&1)
tap_check "userspace cannot delete it" \
	grep -q "the pool belongs to kernel code" <<< "$out"
out=$(ynl --do pool-charge --json '{"name": "kernel-held", "amount": 1}' 2>&1)
tap_check "userspace cannot charge it" \
	grep -q "the pool belongs to kernel code" <<< "$out"
tap_check_fails "availcast cannot unload while a user of its API is loaded" \
	rmmod availcast
tap_check "its user unloads" rmmod availcast_test
out=$(ynl --do resource-get --json '{"name": "kernel-held"}' 2>&1)
tap_check "and its pool is gone with it" grep -q "no resource with that name" <<< "$out"
tap_done
