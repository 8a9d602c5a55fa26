#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module DKMS built from the packaged sources (selftests/host/
# packaging.sh, into build/dkms/ABI/) loads into its kernel, carries the
# tree's version, works (a broadcast reaches availctl watch) and unloads.
# Runs before the other tests, with the module unloaded, and leaves it so.

. "$(dirname "$0")/lib/tap.sh"

top=$(cd "$(dirname "$0")/.." && pwd)
ko=$top/build/dkms/$(uname -r)/availcast.ko
availctl=$top/build/userspace/availctl
version=$(cat "$top/VERSION")

if [ ! -f "$ko" ]; then
	tap_fail "DKMS built a module for $(uname -r)" "no $ko: see selftests/host/packaging.sh"
	tap_done
fi
tap_check "the DKMS-built module is version $version" \
	test "$(modinfo -F version "$ko")" = "$version"
tap_check "insmod loads the DKMS-built module" insmod "$ko"
tap_check "its family answers: availctl show" "$availctl" show
tap_check "a broadcast reaches availctl watch" "$availctl" watch --count 1 --duration 10
tap_check "sysfs reports version $version" test "$(cat /sys/module/availcast/version)" = "$version"
tap_check "rmmod unloads it" rmmod availcast
tap_done
