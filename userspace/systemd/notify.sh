#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# An example hook for availctl arbiter ("hook = /etc/availctl/notify.sh"):
# run once per role change, one at a time and in the order of the
# changes, as "notify.sh ROLE" with ROLE one of active, standby, fault or
# stop (the daemon is stopping). AVAILCTL_EPOCH, AVAILCTL_TRANSITION,
# AVAILCTL_WITNESS, AVAILCTL_REASON and more are in the environment (see
# "Hooks and status" in /usr/share/doc/availctl/arbitration.rst). A hook
# still running when the role changes again is ended after
# hook-timeout-ms. Here it only says what happened, in the journal.
#
# Starting a service on "active" and stopping it on anything else is the
# usual use; the unit's sandbox applies to the hook (see "The daemons
# under systemd" in admin-guide.rst, and the hooks in arbitration.rst).

echo "availctl hook: $1 at epoch $AVAILCTL_EPOCH (change $AVAILCTL_TRANSITION): $AVAILCTL_REASON"
case $1 in
active) ;;		# e.g. systemctl start my-service
standby|fault|stop) ;;	# e.g. systemctl stop my-service
esac
