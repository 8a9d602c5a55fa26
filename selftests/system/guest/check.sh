#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The real-system test's checks, inside the booted Debian 12 guest (run
# by availcast-system-test.service, once multi-user.target is reached),
# as an admin would do them after `apt-get install ./*.deb`. TAP goes to
# the second serial port, which the host reads (selftests/system/run.sh
# numbers it); the detail of a failure as "#" lines under it.
#
# Two boots. Phase 1: the DKMS-built module loads, a cluster of two
# managers and a host on 127.0.0.1 is set up from the packaged units,
# reloads good and bad, the active stopped, the module unloaded and
# loaded again under the relay, and what of it all the journal holds at
# which priority; then a reboot. Phase 2: all
# of it back by itself, then apt-get remove and purge. The last line is
# "# system-test: done", then the guest powers off; without it the host
# counts the run as failed.
#
# Every wait is on a condition with a deadline (wait_until), never a
# fixed sleep. The deadlines are generous: this runs under qemu's
# software emulation, on a host that may be running another VM.

# selftests/lib's, installed beside this script in the guest.
lib=/usr/local/lib/availcast-system
# shellcheck source=SCRIPTDIR/../../lib/tap.sh
. "$lib/tap.sh" > /dev/null
# shellcheck source=SCRIPTDIR/../../lib/wait.sh
. "$lib/wait.sh"

phase_file=/var/lib/availcast-system/phase
conf=/etc/availctl
m1=$conf/availctl.conf
m2=$conf/m2.conf
h1=$conf/h1.conf

# TAP to the host: the serial port raw (no \r added), opened once.
stty -F /dev/ttyS1 raw -echo 2> /dev/null
exec > /dev/ttyS1

# When the script ends without rebooting (its last step, or anything
# unexpected), the VM powers off so that the host need not wait for its
# timeout.
rebooting=false
finish() {
	$rebooting && return
	systemctl --no-block poweroff
}
trap finish EXIT

note() { echo "# $*"; }

# role FILE: the exit status of `availctl status --role` for the node of
# FILE (0 active, 5 any other role, 1 no daemon).
role() {
	timeout 10 availctl status --role --config "$1" > /dev/null 2>&1
	echo $?
}
role_is() { [ "$(role "$1")" = "$2" ]; }
one_active_one_standby() {
	local r1 r2
	r1=$(role "$m1")
	r2=$(role "$m2")
	{ [ "$r1" = 0 ] && [ "$r2" = 5 ]; } || { [ "$r1" = 5 ] && [ "$r2" = 0 ]; }
}

# check_within SECONDS NAME COMMAND...: passes when COMMAND succeeds
# within SECONDS; a failure shows COMMAND's last output.
check_within() {
	local seconds=$1 name=$2 out
	shift 2
	if wait_until "$seconds" "$@" > /dev/null 2>&1; then
		tap_ok "$name"
	else
		out=$("$@" 2>&1)
		tap_fail "$name" "not within ${seconds}s: $*" "$out"
	fi
}

# journal UNIT: the unit's last log lines, for a failure's detail.
journal() { journalctl -b --no-pager -n 15 -u "$1" 2>&1 | sed 's/^/    /'; }

# journal_mark: the time (CLOCK_MONOTONIC, in s) of the journal's last
# line, once journald has taken in every line written before (--sync):
# where journal_since starts. Not a cursor: with --after-cursor, -p and
# -u together, journalctl 252 left out lines that were there (systemd's
# "Reload failed").
journal_mark() {
	journalctl --sync 2> /dev/null
	journalctl -b -q --no-pager -n 1 -o short-monotonic |
		sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p'
}

# journal_since MARK PRIORITY UNIT: the journal's lines of UNIT (a glob,
# as -u takes it) at PRIORITY or above after MARK ("" for the whole
# boot), systemd's about the unit and the daemon's alike.
journal_since() {
	local mark=${1:-0} priority=$2 unit=$3
	journalctl -b -q --no-pager -o short-monotonic -p "$priority" -u "$unit" |
		awk -v mark="$mark" '{ t = $0; sub(/^\[ */, "", t); sub(/\].*/, "", t) }
			t + 0 > mark + 0'
}

# journal_has MARK PRIORITY UNIT ERE...: each ERE matches a line of
# journal_since MARK PRIORITY UNIT; else prints what is there.
journal_has() {
	local mark=$1 priority=$2 unit=$3 lines ere
	shift 3
	lines=$(journal_since "$mark" "$priority" "$unit")
	for ere in "$@"; do
		if ! grep -qE -- "$ere" <<< "$lines"; then
			printf 'no line matches %s in:\n%s\n' "$ere" "$lines"
			return 1
		fi
	done
}

# warnings_but MARK ERE: the lines of the availctl units at warning or
# above after MARK that ERE does not match, all of them (--sync first);
# succeeds, and prints them, when there is one.
warnings_but() {
	journalctl --sync 2> /dev/null
	journal_since "$1" warning 'availctl*' | grep -vE -- "$2" | grep .
}

# The lines at warning or above that the test provokes on purpose, each
# step's: m1, started first, waiting for m2 (a role change to fault is a
# warning); the refused reload, systemd's and the daemon's; m1 stopped,
# m2 asking the witness to hand over; the module unloaded under the
# relay, and absent until modprobe.
provoked_startup=' m1 role role=fault previous=startup .* reason="m2 silent for [0-9]+ ms or more'
provoked_reload='Reload failed for availctl-arbiter\.service|availctl check: .*unknown key| m1 reload-refused error="[^"]*unknown key'
provoked_stop=' m2 role role=fault .* reason="m1 silent for [0-9]+ ms or more'
provoked_rmmod=' h1 module state=(lost|absent) error="the availcast module (was unloaded|is not loaded)'

# relay_status: `availctl status` of h1's relay, over its socket.
relay_status() { timeout 10 availctl status --config "$h1" 2>&1; }
relay_says() { relay_status | grep -qE "$1"; }
# forwarded: how many broadcasts the relay forwarded so far.
forwarded() { relay_status | sed -n 's/^forwarded: *\([0-9]*\) broadcasts.*/\1/p'; }
forwarded_above() { [ "$(forwarded)" -gt "$1" ] 2> /dev/null; }

# h1_available FILE true|false: the table of the manager of FILE says
# so of h1 (`availctl status --json`); h1_available_both: both managers'.
h1_available() {
	timeout 10 availctl status --json --config "$1" 2> /dev/null |
		grep -q "\"name\":\"h1\",\"available\":$2"
}
h1_available_both() { h1_available "$m1" "$1" && h1_available "$m2" "$1"; }
relay_subscribed_h1_available() {
	relay_says '^module: +subscribed$' && h1_available_both true
}

# unit_status_says UNIT ERE: the Status: line of systemctl status UNIT
# (the daemon's sd_notify STATUS=) matches ERE.
unit_status_says() {
	systemctl status --no-pager "$1" 2> /dev/null | sed -n 's/^ *Status: //p' | grep -qE "$2"
}

# The address m1's hook holds while m1 is active.
service_address=192.0.2.77/32

# has_service_address: it is on lo.
has_service_address() { ip -o address show dev lo | grep -qF " ${service_address%/*}/"; }

# hook_log NODE: where the managers' hook writes (see notify.sh below).
hook_log() {
	case $1 in
	m1) echo /var/lib/availctl/hooks.log ;;
	*) echo "/var/lib/availctl-$1/hooks.log" ;;
	esac
}

config() {
	local node=$1 key=$2 state=$3
	cat <<-EOF
	# The real-system test's node $node: the cluster on one machine, a
	# port per node on 127.0.0.1.
	cluster = system
	node = $node
	key-file = $key
	state-dir = $state
	manager = m1 127.0.0.1:7401
	manager = m2 127.0.0.1:7402
	host = h1 127.0.0.1:7403
	# Roomy timing, as on a loaded machine: this VM shares the host's
	# cores with the other test VMs under TCG, and stalls of the whole
	# VM of half a second happen, which at the defaults (a hold of
	# about 470 ms on a promise) cost a role and log a fault. What
	# this test checks is not timing; the cluster tests judge that,
	# with a stall watcher.
	heartbeat-ms = 200
	grace-ms = 2000
	lease-ms = 3000
	EOF
	[ -n "${4:-}" ] && echo "runtime-dir = $4"
	[ "$node" = h1 ] || echo "hook = $conf/notify.sh"
}

phase1_module() {
	local kernel
	kernel=$(uname -r)
	check_within 60 "dkms status: availcast is installed for the running kernel ($kernel)" \
		sh -c "dkms status -m availcast -k '$kernel' | grep -q ': installed'"
	tap_check "modprobe availcast loads the DKMS-built module" modprobe availcast
	tap_check "the loaded module is the one DKMS installed for $kernel" \
		sh -c "modinfo -n availcast | grep -q '^/lib/modules/$kernel/updates/dkms/' &&
			test -d /sys/module/availcast"
	tap_check "availctl show prints this host's availability" \
		sh -c "availctl show | grep -qi cpu"
}

phase1_cluster() {
	local unit mark
	# Issue 16 item 3: without a configuration the unit must fail, not
	# loop in restarts behind a start that "succeeded".
	tap_check_fails "systemctl start availctl-arbiter fails without a configuration" \
		systemctl start availctl-arbiter
	systemctl stop availctl-arbiter 2> /dev/null
	systemctl reset-failed availctl-arbiter 2> /dev/null

	tap_check "the package made $conf, for the README's keygen" test -d "$conf"
	# As the admin would after that failure: the checks below are about
	# other behaviours.
	mkdir -p "$conf"
	tap_check "availctl keygen writes the cluster secret (README)" \
		availctl keygen "$conf/cluster.key"
	tap_check "availctl keygen --node h1 writes h1's key (README)" \
		availctl keygen --node h1 --secret "$conf/cluster.key" "$conf/h1.key"

	# The hook runs in the arbiter's sandbox (ProtectSystem=strict): it
	# may write the node's state directory, nowhere else on disk. m1's
	# also moves the service's address, as the admin guide's drop-in
	# lets it (CAP_NET_ADMIN; m2's unit has no drop-in).
	cat > "$conf/notify.sh" <<-EOF
	#!/bin/sh
	# Appends the role change to a log in this node's state directory;
	# m1 holds $service_address while active.
	case \$AVAILCTL_NODE in
	m1) log=/var/lib/availctl/hooks.log
	    if [ "\$1" = active ]; then
		ip address replace $service_address dev lo
	    else
		ip address del $service_address dev lo 2> /dev/null
	    fi ;;
	*) log=/var/lib/availctl-\$AVAILCTL_NODE/hooks.log ;;
	esac
	echo "\$1 \$AVAILCTL_TRANSITION" >> "\$log"
	EOF
	chmod 0755 "$conf/notify.sh"
	# The drop-in exactly as the shipped admin guide writes it.
	mkdir -p /etc/systemd/system/availctl-arbiter.service.d
	zcat -f /usr/share/doc/availctl/admin-guide.rst* |
		awk '/# systemctl edit availctl-arbiter.service/ { on = 1; next }
		     on && /^$/ { exit } on { sub(/^    /, ""); print }' \
		> /etc/systemd/system/availctl-arbiter.service.d/move-address.conf
	tap_check "the admin guide's drop-in for a hook that moves an address is found" \
		grep -qx 'AmbientCapabilities=CAP_NET_ADMIN' \
		/etc/systemd/system/availctl-arbiter.service.d/move-address.conf

	# m1 runs from the packaged unit and its default file; h1 (the
	# relay) and m2 each need a file, a state directory and a runtime
	# directory of their own, which the sandbox lets the unit write only
	# when the unit names them.
	# The start reads the routing table under the unit's sandbox, as
	# availctl check does: a host at lo's broadcast address is refused
	# (78, not restarted), and the journal says why.
	mark=$(journal_mark)
	config m1 "$conf/cluster.key" /var/lib/availctl |
		sed 's/^host = h1 .*/host = h1 127.255.255.255:7403/' > "$m1"
	tap_check_fails "systemctl start availctl-arbiter fails with a host at a broadcast address" \
		systemctl start availctl-arbiter
	tap_check "the unit's start said it is one" journal_has "$mark" err availctl-arbiter \
		'127\.255\.255\.255 is a broadcast address here'
	systemctl reset-failed availctl-arbiter 2> /dev/null
	config m1 "$conf/cluster.key" /var/lib/availctl > "$m1"
	config m2 "$conf/cluster.key" /var/lib/availctl-m2 /run/availctl-m2 > "$m2"
	config h1 "$conf/h1.key" /var/lib/availctl-h1 /run/availctl-h1 > "$h1"

	# The relay: a drop-in, as `systemctl edit availctl-relay` makes,
	# with the packaged command lines pointed at h1's file.
	mkdir -p /etc/systemd/system/availctl-relay.service.d
	{
		echo "[Service]"
		echo "ExecStart="
		echo "ExecReload="
		grep -E '^Exec(Start|Reload)=' /lib/systemd/system/availctl-relay.service |
			sed "s|$m1|$h1|g"
		echo "StateDirectory=availctl-h1"
		echo "RuntimeDirectory=availctl-h1"
	} > /etc/systemd/system/availctl-relay.service.d/h1.conf
	# The second manager: a copy of the packaged unit.
	sed -e "s|$m1|$m2|g" \
		-e 's|^StateDirectory=availctl$|StateDirectory=availctl-m2|' \
		-e 's|^RuntimeDirectory=availctl$|RuntimeDirectory=availctl-m2|' \
		/lib/systemd/system/availctl-arbiter.service \
		> /etc/systemd/system/availctl-arbiter-m2.service
	systemctl daemon-reload

	# From here to the good reload only good things happen: see
	# phase1_reload for what the journal holds of it.
	formation_mark=$(journal_mark)
	for unit in availctl-relay availctl-arbiter availctl-arbiter-m2; do
		if systemctl enable --now "$unit" > /dev/null 2>&1; then
			tap_ok "systemctl enable --now $unit"
		else
			tap_fail "systemctl enable --now $unit" "$(journal "$unit")"
		fi
	done
	check_within 60 "m1 is active: availctl status --role exits 0" role_is "$m1" 0
	check_within 60 "m2 is standby: availctl status --role exits 5" role_is "$m2" 5
	# The relay's part: h1's broadcasts, relayed, make it available in
	# the active's table.
	check_within 30 "h1's relay reaches the managers: m1's table has h1 available" \
		h1_available "$m1" true
	check_within 30 "m1's hook ran with active" grep -q '^active ' "$(hook_log m1)"
	check_within 30 "m1's hook, with the documented drop-in, put $service_address on lo" \
		has_service_address
	check_within 30 "m2's hook ran with standby" grep -q '^standby ' "$(hook_log m2)"
}

# arbiter_runs_on PID: m1's unit is active, its main process still PID,
# and m1 answers on its status socket (availctl status --config would
# read the file as it is now).
arbiter_runs_on() {
	systemctl is-active --quiet availctl-arbiter &&
		test "$(systemctl show -p MainPID --value availctl-arbiter)" = "$1" &&
		availctl status --role --socket /var/lib/availctl/m1.sock
}

phase1_reload() {
	local pid mark
	pid=$(systemctl show -p MainPID --value availctl-arbiter)
	cp "$m1" "$m1.good"
	# A timing key, which a reload takes without a restart.
	echo "hook-timeout-ms = 4000" >> "$m1"
	tap_check "systemctl reload availctl-arbiter takes a good edit" \
		systemctl reload availctl-arbiter

	# Issue 16 item 10, log priorities: the formation and the good reload
	# are in the journal at notice (so the query finds the daemons'
	# lines), and none of their lines is at warning or above, the
	# daemons' or systemd's, but m1's wait for m2 when it starts first.
	# Each step after this one that provokes a warning checks that it is
	# there, and then that nothing else is: from here to the end of the
	# phase, journalctl -p warning -u 'availctl*' holds only what the
	# test provoked.
	journalctl --sync 2> /dev/null
	tap_check "journalctl -p notice -u 'availctl*': the formation and the good reload are there (role=active, role=standby, reloaded)" \
		journal_has "$formation_mark" notice 'availctl*' \
		' m1 role role=active ' ' m2 role role=standby ' ' m1 reloaded '
	tap_check_fails "journalctl -p warning -u 'availctl*': nothing of the formation and the good reload (but m1 waiting for m2)" \
		warnings_but "$formation_mark" "$provoked_startup"

	mark=$(journal_mark)
	echo "no-such-key = 1" >> "$m1"
	tap_check_fails "systemctl reload availctl-arbiter fails on an unknown key" \
		systemctl reload availctl-arbiter
	# What the admin sees of it with journalctl -p warning: systemd's
	# failed reload, and why: availctl check, the unit's ExecReload,
	# refused the file (the daemon never saw it).
	check_within 30 "journalctl -p warning -u availctl-arbiter shows the failed reload and its reason" \
		journal_has "$mark" warning availctl-arbiter 'Reload failed for availctl-arbiter\.service' \
		'availctl check: .*unknown key'
	# Asked directly, the daemon refuses it itself, and says why at
	# warning.
	tap_check_fails "availctl reload: the arbiter itself refuses the unknown key" \
		availctl reload --socket /var/lib/availctl/m1.sock
	check_within 30 "journalctl -p warning -u availctl-arbiter shows the daemon's reload-refused, with the reason" \
		journal_has "$mark" warning availctl-arbiter ' m1 reload-refused error="[^"]*unknown key'
	tap_check_fails "journalctl -p warning -u 'availctl*': of the refused reload, nothing but the refusal" \
		warnings_but "$mark" "$provoked_reload"
	tap_check "after the refused reload the arbiter runs on: the same process, still active" \
		arbiter_runs_on "$pid"

	# A realtime priority other than the unit's: the sandbox refuses the
	# daemon's sched_setscheduler() (@resources), and the call fails
	# (SystemCallErrorNumber=EPERM) rather than killing it with SIGSYS.
	# The reload is taken, the refusal said, the daemon runs on.
	mark=$(journal_mark)
	{ cat "$m1.good"; echo "realtime-priority = 2"; } > "$m1"
	tap_check "systemctl reload availctl-arbiter takes realtime-priority = 2, which the sandbox refuses" \
		systemctl reload availctl-arbiter
	check_within 30 "journalctl -p warning -u availctl-arbiter: m1's scheduling-refused, priority 2" \
		journal_has "$mark" warning availctl-arbiter \
		' m1 scheduling-refused policy=rr priority=2 error=.*not permitted'
	tap_check "after it the arbiter runs on: the same process, still active" \
		arbiter_runs_on "$pid"
	mv "$m1.good" "$m1"
}

phase1_stop() {
	local log mark
	log=$(hook_log m1)
	mark=$(journal_mark)
	tap_check "systemctl stop availctl-arbiter (the active)" systemctl stop availctl-arbiter
	# The stop hook runs before the daemon exits: when systemctl stop
	# returns, it is in the log.
	tap_check "m1's hook log ends with stop, right after active, in transition order" \
		sh -c "tail -n 2 '$log' | awk 'NR == 1 { ok = \$1 == \"active\"; n = \$2 }
			NR == 2 { ok = ok && \$1 == \"stop\" && \$2 > n } END { exit !(ok && NR == 2) }'"
	[ -s "$log" ] && note "m1's hooks: $(tr '\n' ',' < "$log")"
	tap_check_fails "m1's stop hook took $service_address away" has_service_address
	check_within 30 "m2 takes over: active within 30 s" role_is "$m2" 0
	tap_check "systemctl start availctl-arbiter again" systemctl start availctl-arbiter
	check_within 60 "m1 rejoins: one manager active, the other standby" \
		one_active_one_standby
	tap_check_fails "journalctl -p warning -u 'availctl*': of the stop and the start, nothing but m2 missing m1" \
		warnings_but "$mark" "$provoked_stop"
	# m2, taking over, asks the witness (h1's relay) again every few ms
	# while m1's lease runs out: one line for as long as the answer is
	# the same, not one per request.
	tap_check_fails "journalctl -u availctl-relay: no witness answer logged twice in a row" \
		repeated_witness_lines "$mark"
}

# repeated_witness_lines MARK: the relay's witness lines since MARK that
# repeat the line before them (their time aside).
repeated_witness_lines() {
	journal_since "$1" notice availctl-relay | sed -n 's/^.* witness from=/from=/p' | uniq -d | grep .
}

# Issue 16 item 6: the module unloaded and loaded again under the
# running relay (rmmod, modprobe: the family comes back with a new id):
# the relay says so, subscribes again by itself, in the same process,
# and h1's reports reach the managers again.
phase1_module_reload() {
	local pid before mark kernel_modprobe modprobe_log=/run/availcast-modprobe.log
	mark=$(journal_mark)
	check_within 30 "before rmmod: the relay is subscribed and both managers have h1 available" \
		relay_subscribed_h1_available
	pid=$(systemctl show -p MainPID --value availctl-relay)
	# The relay retries every second to subscribe again. Asking the
	# controller for the family by name would load the module back by
	# its alias at once (request_module "net-pf-16-proto-16-family-
	# availcast", which runs /proc/sys/kernel/modprobe): an admin's
	# rmmod undone. Every such request is logged while the module is out.
	printf '#!/bin/sh\necho "$*" >> %s\nexec /sbin/modprobe "$@"\n' "$modprobe_log" \
		> /usr/local/sbin/modprobe-logged
	chmod 755 /usr/local/sbin/modprobe-logged
	: > "$modprobe_log"
	kernel_modprobe=$(cat /proc/sys/kernel/modprobe)
	echo /usr/local/sbin/modprobe-logged > /proc/sys/kernel/modprobe
	tap_check "rmmod availcast under the running relay" rmmod availcast
	check_within 30 "the relay's status says the broadcasts stopped: the module was unloaded" \
		relay_says '^module: +the availcast module (was unloaded|is not loaded)'
	check_within 30 "systemctl status availctl-relay says so too: no broadcasts to relay" \
		unit_status_says availctl-relay '^"?no broadcasts to relay: the availcast module'
	check_within 30 "without the module, neither manager has h1 available" \
		h1_available_both false
	check_within 30 "journalctl -p warning -u availctl-relay shows the module lost" \
		journal_has "$mark" warning availctl-relay ' h1 module state=lost '
	sleep 3	# an observation window: three of the relay's retries
	tap_check_fails "the relay did not load the module back by its alias: $(tr '\n' ' ' < "$modprobe_log")" \
		grep -q "family-availcast" "$modprobe_log"
	tap_check_fails "the module is still out" test -d /sys/module/availcast
	echo "$kernel_modprobe" > /proc/sys/kernel/modprobe
	before=$(forwarded)
	tap_check "modprobe availcast again" modprobe availcast
	check_within 30 "the relay subscribes again: its status counts 1 gap" \
		relay_says '^module: +subscribed \(1 gap since start, [0-9]+ ms without broadcasts\)$'
	check_within 30 "the relay forwards again: more than the ${before:-?} broadcasts before modprobe" \
		forwarded_above "${before:-0}"
	check_within 30 "h1's reports reach the managers again: both have h1 available" \
		h1_available_both true
	tap_check "the relay resubscribed, not restarted: the same process (MainPID $pid), active" \
		sh -c "systemctl is-active --quiet availctl-relay &&
			test \"\$(systemctl show -p MainPID --value availctl-relay)\" = '$pid'"
	check_within 30 "systemctl status availctl-relay shows the relay's STATUS=: relaying h1's availability to m1 and m2" \
		unit_status_says availctl-relay "^\"?relaying h1's availability to m1 and m2\"?\$"
	# Its return is notice, not warning: what needs an operator was the
	# loss.
	# The gap it counts spans the module's absence: the 3 s above at
	# least.
	check_within 30 "journalctl -p notice -u availctl-relay has the relay's return (module state=subscribed gap_ms=3000 or more)" \
		journal_has "$mark" notice availctl-relay ' h1 module state=subscribed gap_ms=([3-9][0-9]{3}|[0-9]{5,})$'
	tap_check "journalctl -p warning -u availctl-relay: the unload is one warning (state=lost), not one per state" \
		test "$(journal_since "$mark" warning availctl-relay | grep -cE -- "$provoked_rmmod")" -eq 1
	tap_check_fails "journalctl -p warning -u 'availctl*': of the module's reload, nothing but its loss (not the return)" \
		warnings_but "$mark" "$provoked_rmmod"
}

# The active's hold, renewed every heartbeat at debug, is not in the
# journal at all (LogLevelMax=info), while the role changes (notice)
# are.
phase1_journal() {
	tap_check "journalctl -u 'availctl*' has both actives' role lines (m1's, then m2's after the stop)" \
		journal_has "" info 'availctl*' ' m1 role role=active ' ' m2 role role=active '
	tap_check_fails "journalctl -u 'availctl*': no hold line (debug, every heartbeat: LogLevelMax=info keeps it out)" \
		sh -c "journalctl -b -q --no-pager -u 'availctl*' -o cat | grep -E '^[0-9]+ m[12] hold '"
}

phase2() {
	local unit list=/var/lib/availcast-system/packaged-files
	check_within 30 "availcast is loaded at boot (/etc/modules-load.d/availcast.conf)" \
		test -d /sys/module/availcast
	for unit in availctl-relay availctl-arbiter availctl-arbiter-m2; do
		check_within 60 "$unit is active again after the reboot" \
			systemctl is-active --quiet "$unit"
	done
	check_within 60 "the cluster forms again: one manager active, the other standby" \
		one_active_one_standby

	# What the packages installed, to look for after the purge.
	dpkg -L availctl availcast-dkms > "$list" 2> /dev/null
	find /lib/modules -name 'availcast.ko*' >> "$list"

	# The admin's own additions go first: they are not the packages'.
	systemctl disable --now availctl-arbiter-m2 > /dev/null 2>&1
	rm -rf /etc/systemd/system/availctl-arbiter-m2.service \
		/etc/systemd/system/availctl-relay.service.d \
		/etc/systemd/system/availctl-arbiter.service.d
	systemctl daemon-reload

	tap_check "apt-get remove availctl" \
		env DEBIAN_FRONTEND=noninteractive apt-get remove -y availctl
	tap_check_fails "no availctl process runs after apt-get remove availctl" \
		pgrep -a -x availctl
	tap_check "apt-get purge availctl availcast-dkms" \
		env DEBIAN_FRONTEND=noninteractive apt-get purge -y availctl availcast-dkms
	# Each file the packages had is gone; of their directories, those
	# of their own (named for them), not the shared ones like /usr/sbin,
	# nor those in /etc, which hold the admin's keys and configurations
	# here: dpkg leaves those, for any package. A directory may be a
	# link to one (merged /usr: /lib is usr/lib).
	tap_check_fails "the purge leaves none of the packages' files" \
		sh -c "while read -r path; do
			if [ -d \"\$path\" ]; then
				case \$path in /etc/*) ;; *availc*) echo \"\$path\" ;; esac
			elif [ -e \"\$path\" ] || [ -L \"\$path\" ]; then
				echo \"\$path\"
			fi
		done < '$list' | grep ."
	tap_check_fails "the purge leaves no availctl unit, enabled or not" \
		sh -c "find /etc/systemd /lib/systemd /usr/lib/systemd -name 'availctl*' | grep ."
	tap_check_fails "the purge leaves no availcast module and nothing in DKMS" \
		sh -c "find /lib/modules /var/lib/dkms /usr/src -name 'availcast*' | grep ."
	tap_check_fails "the purge leaves no state: /var/lib/availctl is gone" \
		test -e /var/lib/availctl
}

phase=$(cat "$phase_file" 2> /dev/null || echo 1)
note "phase $phase, $(uname -r), $(cut -d' ' -f1 /proc/uptime) s since boot"
case $phase in
1)
	phase1_module
	phase1_cluster
	phase1_reload
	phase1_stop
	phase1_module_reload
	phase1_journal

	# At boot, as the README says.
	echo availcast > /etc/modules-load.d/availcast.conf
	mkdir -p "${phase_file%/*}"
	echo 2 > "$phase_file"
	sync
	note "rebooting after $(cut -d' ' -f1 /proc/uptime) s"
	rebooting=true
	systemctl reboot
	;;
2)
	phase2
	note "system-test: done after $(cut -d' ' -f1 /proc/uptime) s"
	;;
*)
	tap_fail "the guest knows its phase" "phase file says: $phase"
	;;
esac
