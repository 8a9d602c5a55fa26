#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Loading, refusing and unloading availcast, and what each leaves behind.
# Starts with the module unloaded and ends with it loaded from $AVAILCAST_KO.

. "$(dirname "$0")/lib/tap.sh"
ko=${AVAILCAST_KO:?AVAILCAST_KO must name the module to test}

loaded() { grep -q '^availcast ' /proc/modules; }
family_registered() { genl ctrl get name availcast > /dev/null 2>&1; }
node_id() { cat /sys/kernel/availcast/node_id; }
node_id_is() { [ "$(node_id)" = "$1" ]; }
node_id_is_uuid() {
	node_id | grep -Eqx '[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}'
}

tap_check_fails "the module is not loaded before the test" loaded

tap_check "insmod loads the module" insmod "$ko"
tap_check "the family is registered once loaded" family_registered
tap_check "/sys/kernel/availcast exists once loaded" test -d /sys/kernel/availcast
tap_check "rmmod unloads the module" rmmod availcast
tap_check_fails "rmmod leaves no family" family_registered
tap_check_fails "rmmod leaves no /sys/kernel/availcast" test -e /sys/kernel/availcast

tap_check_fails "insmod refuses an invalid node_id parameter" \
	insmod "$ko" node_id=not/valid
tap_check_fails "a refused load leaves no module" loaded
tap_check_fails "a refused load leaves no family" family_registered
tap_check_fails "a refused load leaves no /sys/kernel/availcast" \
	test -e /sys/kernel/availcast

tap_check "insmod node_id=param-node.1 loads" insmod "$ko" node_id=param-node.1
tap_check "the node_id parameter sets the node id" node_id_is param-node.1
rmmod availcast

saved_hostname=$(hostname)
hostname availcast-vm
insmod "$ko"
tap_check "the node id defaults to the host name" node_id_is availcast-vm
rmmod availcast
# What the kernel reports before anyone sets a name; hostname(1) refuses it.
echo '(none)' > /proc/sys/kernel/hostname
insmod "$ko"
tap_check "without a host name the node id defaults to a UUID" node_id_is_uuid
rmmod availcast
hostname "$saved_hostname"

tap_check "insmod loads the module for the tests that follow" insmod "$ko"
tap_done
