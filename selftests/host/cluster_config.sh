#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The daemons refuse to start on a bad configuration or key, with a clear
# error and exit status 78 (EX_CONFIG), before binding anything; availctl
# check says the same and exits 1; no module needed. Every error found
# after the file is read (a key file, a directory, an address, a port)
# names the file and the line to fix, in the daemon's words and check's.
# Usage: cluster_config.sh AVAILCTL...  (plain and sanitizer builds)

. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/wait.sh"

dir=$(mktemp -d /tmp/cluster_config.XXXXXX)
bin=$(mktemp -d /tmp/cluster_config.bin.XXXXXX)
chmod 755 "$bin"
trap 'rm -rf "$dir" "$bin"' EXIT

good() {
	cat <<-CONF
	# comment lines and blank ones are fine

	cluster = test
	node = m1
	key-file = $dir/key
	state-dir = $dir/state
	runtime-dir = $dir/run
	manager = m1 127.0.0.1:17450
	manager = m2 127.0.0.1:17451
	host = h1 127.0.0.1:17452
	heartbeat-ms = 100   # trailing comment
	CONF
}

# refused NAME TEXT LINE...: a config of LINE... makes arbiter exit 78
# (EX_CONFIG: not restarted by the units) with TEXT within 10 s, and availctl check
# exit 1 with the same.
refused() {
	local name=$1 text=$2
	shift 2
	printf '%s\n' "$@" > "$dir/bad.conf"
	tap_expect 78 "$text" timeout 10 "$availctl" arbiter --config "$dir/bad.conf"
	tap_expect 1 "$text" "$availctl" check --config "$dir/bad.conf"
}

# refused_file TEXT FILE: arbiter exits 78 and availctl check 1 on FILE, with TEXT.
refused_file() {
	tap_expect 78 "$1" timeout 10 "$availctl" arbiter --config "$2"
	tap_expect 1 "$1" "$availctl" check --config "$2"
}

# hold ADDRESS / hold_v6 ADDRESS V6ONLY: another process holds UDP port
# 17450 (m1's) at ADDRESS, an IPv6 one IPv6-only or not, until release.
# hold_v6 ADDRESS V6ONLY PEER: and then connected to PEER.
hold() { hold_family AF_INET "$1" -; }
hold_v6() { hold_family AF_INET6 "$@"; }
hold_family() {
	python3 -c 'import socket, sys, time
s = socket.socket(getattr(socket, sys.argv[1]), socket.SOCK_DGRAM)
if sys.argv[3] != "-":
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, int(sys.argv[3]))
s.bind((sys.argv[2], 17450))
if len(sys.argv) > 4:
    s.connect((sys.argv[4], 9))
print("bound", flush=True)
time.sleep(60)' "$@" > "$dir/holder.out" &
	holder=$!
	wait_until 10 grep -q bound "$dir/holder.out"
}
release() {
	kill "$holder"
	wait "$holder" 2> /dev/null
	rm -f "$dir/holder.out"
}

for availctl in "$@"; do
	rm -f "$dir/key"
	tap_expect 0 "" "$availctl" keygen "$dir/key"
	tap_check "keygen writes mode 0600" test "$(stat -c %a "$dir/key")" = 600
	tap_expect 1 "File exists" "$availctl" keygen "$dir/key"
	tap_expect 2 "expected one FILE" "$availctl" keygen

	good > "$dir/good.conf"
	refused "unknown key" "line 1: unknown key 'colour'" "colour = blue"
	refused "bad number" "heartbeat-ms: 'fast' is not a whole number" "$(good | grep -v heartbeat)" "heartbeat-ms = fast"
	refused "out of range" "from 10 to 60000" "$(good | grep -v heartbeat)" "heartbeat-ms = 5"
	refused "twice" "heartbeat-ms is given twice" "$(good)" "heartbeat-ms = 200"
	refused "bad name" "'m/3' is not a name" "$(good)" "host = m/3 127.0.0.1"
	refused "bad address" "'300.1.1.1' is not an IPv4 address" "$(good)" "host = h2 300.1.1.1"
	refused "bad port" "host port: '0' is not a whole number from 1 to 65535" "$(good)" "host = h2 127.0.0.1:0"
	# Relative directories depend on where the daemon and availctl run.
	refused "relative state-dir" "state-dir: 'rel-state' is not an absolute path" \
		"$(good | grep -v '^state-dir')" "state-dir = rel-state"
	refused "relative runtime-dir" "runtime-dir: 'run/x' is not an absolute path" \
		"$(good | grep -v '^runtime-dir')" "runtime-dir = run/x"
	refused "no equals" "expected 'key = value'" "$(good)" "lease-ms 100"
	refused "missing key" "state-dir is missing" "$(good | grep -v state-dir)"
	refused "one manager" "two 'manager = NAME ADDRESS' lines are needed" \
		"$(good | grep -v 'manager = m2')"
	refused "third manager" "a third manager" "$(good)" "manager = m3 127.0.0.1"
	# What the daemon finds in the file as a whole still names the lines.
	refused "duplicate node" "line 12: node h1 is listed twice (first on line 10)" \
		"$(good)" "host = h1 127.0.0.2"
	refused "duplicate node, the later line a manager's" "line 12: node m2 is listed twice (first on line 11)" \
		"$(good | grep -v 'manager = m2')" "host = m2 127.0.0.9" "manager = m2 127.0.0.1:17451"
	refused "one address for two" "line 12: h2 is at 127.0.0.1:17450, as m1 on line 8 is" \
		"$(good)" "host = h2 127.0.0.1:17450"
	refused "one address for two, the later line a manager's" "line 12: m2 is at 127.0.0.1:17451, as h2 on line 11 is" \
		"$(good | grep -v 'manager = m2')" "host = h2 127.0.0.1:17451" "manager = m2 127.0.0.1:17451"
	refused "IPv6" "line 12: host: 'fe80::1' is an IPv6 address: nodes are reached over IPv4" \
		"$(good)" "host = h2 fe80::1"
	refused "IPv6 with a port" "line 11: manager: '[::1]:7450' is an IPv6 address" \
		"$(good | grep -v 'manager = m2')" "manager = m2 [::1]:7450"
	# The first line a name or an address repeats, and the first line it was on.
	refused "a manager line copied" "line 10: node m2 is listed twice (first on line 9)" \
		"$(good | sed '/manager = m2/p')"
	refused "a host's name on two manager lines" "line 12: node m2 is listed twice (first on line 11)" \
		"$(good | grep -v 'manager = m2')" "host = m2 127.0.0.9" "manager = m2 127.0.0.1:17451" \
		"manager = m2 127.0.0.1:17453"
	refused "a host's address on two manager lines" "line 11: m1 is at 127.0.0.1:17460, as h0 on line 10 is" \
		"$(good | grep -v 'manager = ')" "host = h0 127.0.0.1:17460" "manager = m1 127.0.0.1:17460" \
		"manager = m2 127.0.0.1:17460"
	refused "a key given twice" "line 12: cluster is given twice (first on line 3)" "$(good)" "cluster = test"
	# Names and addresses alike: the line that repeats first is said.
	refused "an address repeated before a name" "line 12: h2 is at 127.0.0.1:17462, as h1 on line 11 is" \
		"$(good | grep -v '^host')" "host = h1 127.0.0.1:17462" "host = h2 127.0.0.1:17462" \
		"host = h3 127.0.0.1:17463" "host = h1 127.0.0.1:17464"
	refused "a name repeated before a third manager" "line 12: node h1 is listed twice (first on line 11)" \
		"$(good | grep -v '^host')" "host = h1 127.0.0.1:17472" "host = h1 127.0.0.1:17473" \
		"manager = h1 127.0.0.1:17474"
	refused "a third manager" "line 12: a third manager: there are exactly two" "$(good)" "manager = m3 127.0.0.1:17480"
	# Paths are absolute: the daemons run from /, check wherever it is run.
	refused "relative key-file" "key-file: 'key' is not an absolute path" \
		"$(good | grep -v '^key-file')" "key-file = key"
	refused "relative hook" "hook: 'hook.sh' is not an absolute path" "$(good)" "hook = hook.sh"
	# Addresses of a form that is not A.B.C.D[:PORT] say what is wrong with them.
	refused "two ports" "line 12: host: '1.2.3.4:5:6' is not A.B.C.D[:PORT]" "$(good)" "host = h2 1.2.3.4:5:6"
	refused "brackets" "'[127.0.0.1]:7450': an IPv4 address is written without brackets" \
		"$(good)" "host = h2 [127.0.0.1]:7450"
	refused "no port" "'1.2.3.4:': no port after the ':'" "$(good)" "host = h2 1.2.3.4:"
	refused "no address" "':7450': no address before the ':'" "$(good)" "host = h2 :7450"
	refused "more words" "host: 'extra' after the address" "$(good)" "host = h2 127.0.0.1:17452 extra"
	refused "IPv6 bind-address" "bind-address: '::' is an IPv6 address" "$(good)" "bind-address = ::"
	# A long value is cut in the message, not the reason.
	refused "a long address" "'$(printf '1%.0s' {1..64})...' is not an IPv4 address" \
		"$(good)" "host = h2 $(printf '1%.0s' {1..300})"
	# A CR alone ends no line: the lines after it would be read as one.
	good | tr '\n' '\r' > "$dir/bad.conf"
	refused_file "line 1: a carriage return within the line: lines end in LF or CRLF" "$dir/bad.conf"
	good | sed 's/$/\r/' > "$dir/crlf.conf"
	tap_expect 0 "manager m1 of cluster test: ok" "$availctl" check --config "$dir/crlf.conf"
	refused "unlisted node" "line 4: node m9 is neither" "$(good | sed 's/node = m1/node = m9/')"
	refused "unsafe timing" "timing: lease-ms 200 leaves the active 178 ms" "$(good)" "lease-ms = 200"
	refused "drift" "drift-ppm" "$(good)" "drift-ppm = 200000"
	head -c 8388609 /dev/zero | tr '\0' '#' > "$dir/bad.conf"
	refused_file "longer than 8388608 bytes" "$dir/bad.conf"
	printf 'cluster = a\0b\n' > "$dir/bad.conf"
	refused_file "NUL byte" "$dir/bad.conf"
	refused_file "No such file" "$dir/none.conf"
	tap_expect 78 "$dir/good.conf: line 4: node m1 is a manager: run 'availctl arbiter'" \
		"$availctl" relay --config "$dir/good.conf"

	chmod 644 "$dir/key"
	refused_file "$dir/good.conf: line 5: key file $dir/key: group or others may access it (mode 644)" \
		"$dir/good.conf"
	chmod 600 "$dir/key"
	mv "$dir/key" "$dir/key.away"
	refused_file "$dir/good.conf: line 5: key file $dir/key: No such file" "$dir/good.conf"
	echo "not hex" > "$dir/key"
	chmod 600 "$dir/key"
	refused_file "must hold 64 hexadecimal digits" "$dir/good.conf"
	mv "$dir/key.away" "$dir/key"

	# Who holds which key: the secret on the managers, a host's own key on it.
	rm -f "$dir/h1.key"
	tap_expect 0 "" "$availctl" keygen --node h1 --secret "$dir/key" "$dir/h1.key"
	tap_expect 2 "--node and --secret go together" "$availctl" keygen --node h1 "$dir/x.key"
	tap_expect 1 "not from another node's key" \
		"$availctl" keygen --node h2 --secret "$dir/h1.key" "$dir/x.key"
	good | sed 's/node = m1/node = h1/' > "$dir/h1.conf"
	tap_expect 78 "holds the cluster secret, which only the managers may hold" \
		"$availctl" relay --config "$dir/h1.conf"
	good | sed "s/node = m1/node = h1/; s|key-file = .*|key-file = $dir/h1.key|" \
		> "$dir/h1-own.conf"
	good | sed "s|key-file = .*|key-file = $dir/h1.key|" > "$dir/bad.conf"
	refused_file "a manager needs the cluster secret" "$dir/bad.conf"
	refused "key id 0" "key-id: '0' is not a whole number from 1 to 65535" "$(good)" "key-id = 0"
	refused "accept-key without a path" "accept-key: expected 'ID PATH'" "$(good)" "accept-key = 2"
	refused "accept-key with the sending key's id" \
		"$dir/bad.conf: line 12: accept-key has the id of key-file (1)" \
		"$(good)" "accept-key = 1 $dir/key"
	tap_expect 0 "$dir/good.conf: manager m1 of cluster test: ok" \
		"$availctl" check --config "$dir/good.conf"
	tap_expect 0 "no arbiter answers at $dir/state/m1.sock: round trips not checked" \
		"$availctl" check --config "$dir/good.conf"
	# Before the daemon starts, as the units run it: a note, not an error.
	tap_check "with no arbiter running, check prints no error" \
		test -z "$("$availctl" check --config "$dir/good.conf" 2>&1 > /dev/null)"
	tap_expect 0 "host h1 of cluster test: ok" "$availctl" check --config "$dir/h1-own.conf"
	# The daemon makes its state-dir, not the directories it is in (a
	# mount not made yet): its start fails and is retried; check says so.
	good | sed "s|^state-dir = .*|state-dir = $dir/unmounted/m1|" > "$dir/unmade.conf"
	tap_expect 1 "$dir/unmade.conf: line 6: state-dir $dir/unmounted/m1: $dir/unmounted does not exist" \
		"$availctl" check --config "$dir/unmade.conf"
	tap_expect 1 "$dir/unmade.conf: line 6: state-dir $dir/unmounted/m1: the directory it is in does not exist" \
		timeout 10 "$availctl" arbiter --config "$dir/unmade.conf"
	# A state-dir that can be no directory: a configuration error, said by check.
	good | sed "s|^state-dir = .*|state-dir = $dir/key/m1|" > "$dir/unmade.conf"
	tap_expect 1 "$dir/unmade.conf: line 6: state-dir $dir/key/m1: $dir/key is not a directory" \
		"$availctl" check --config "$dir/unmade.conf"
	tap_expect 78 "$dir/unmade.conf: line 6: state-dir $dir/key/m1: Not a directory" \
		timeout 10 "$availctl" arbiter --config "$dir/unmade.conf"
	ln -sfn "$dir/nowhere" "$dir/dangling"
	good | sed "s|^state-dir = .*|state-dir = $dir/dangling|" > "$dir/unmade.conf"
	tap_expect 1 "state-dir $dir/dangling: a symlink to nothing" "$availctl" check --config "$dir/unmade.conf"
	# A runtime-dir the daemon cannot make: it runs without runtime
	# copies (and logs runtime-dir-unusable); check warns, and passes.
	for runtime in "$dir/unmounted/run" "$dir/key/run" "$dir/dangling"; do
		good | sed "s|^runtime-dir = .*|runtime-dir = $runtime|" > "$dir/unmade.conf"
		tap_expect 0 "warning: $dir/unmade.conf: line 7: runtime-dir $runtime: " \
			"$availctl" check --config "$dir/unmade.conf"
	done
	good | sed "s|^state-dir = .*|state-dir = $dir/fresh/|" > "$dir/slash.conf"
	tap_expect 0 "manager m1 of cluster test: ok" "$availctl" check --config "$dir/slash.conf"
	printf '#!/bin/sh\n' > "$dir/hook"
	chmod 644 "$dir/hook"
	# The configuration a FIFO whose writer never comes (a process
	# substitution that hangs): the start waits in open(), and a SIGTERM
	# ends the wait (a signal's EINTR is not retried through then).
	rm -f "$dir/fifo.conf"
	mkfifo "$dir/fifo.conf"
	"$availctl" arbiter --config "$dir/fifo.conf" 2> "$dir/fifo.log" &
	fifo_pid=$!
	wait_until 10 grep -q wait_for_partner "/proc/$fifo_pid/wchan"
	kill -TERM "$fifo_pid"
	tap_check "a start waiting for its FIFO's writer ends on SIGTERM" \
		wait_until 10 eval '[ ! -e "/proc/$fifo_pid" ] ||
				    grep -q "^[0-9]* ([^)]*) Z" "/proc/$fifo_pid/stat"'
	kill -KILL "$fifo_pid" 2> /dev/null
	wait "$fifo_pid"
	tap_check "with exit 1, saying why" \
		bash -c "[ $? = 1 ] && grep -q 'fifo.conf: stopped while waiting for its writer' '$dir/fifo.log'"
	# A hook that cannot be run: the start refuses it as check does (an
	# active whose hook never runs serves nothing; systemd's reload runs
	# check first, and a restart must not take what a reload refuses).
	{ good; echo "hook = $dir/hook"; } > "$dir/bad.conf"
	refused_file "$dir/bad.conf: line 12: hook $dir/hook cannot be run: Permission denied" \
		"$dir/bad.conf"
	{ good; echo "hook = $dir/nohook"; } > "$dir/bad.conf"
	refused_file "hook $dir/nohook cannot be run: No such file" "$dir/bad.conf"
	# What root may "execute" (access(2)) and execve(2) still refuses.
	mkdir -p "$dir/hookdir"
	printf 'echo no interpreter line\n' > "$dir/noshebang"
	: > "$dir/empty"
	printf '#!/nonexistent/sh\n' > "$dir/nointerpreter"
	printf '#!%s\n' "$dir/hookdir" > "$dir/dirinterpreter"
	chmod 755 "$dir/hookdir" "$dir/noshebang" "$dir/empty" "$dir/nointerpreter" \
		"$dir/dirinterpreter"
	for hook in "hookdir:not a regular file" \
		    "noshebang:neither a program (ELF) nor a script beginning with #!" \
		    "empty:neither a program (ELF) nor a script beginning with #!" \
		    "nointerpreter:its interpreter /nonexistent/sh: No such file" \
		    "dirinterpreter:its interpreter $dir/hookdir: not a regular file"; do
		{ good; echo "hook = $dir/${hook%%:*}"; } > "$dir/bad.conf"
		refused_file "hook $dir/${hook%%:*} cannot be run: ${hook#*:}" "$dir/bad.conf"
	done
	chmod 755 "$dir/hook"
	# A command line, as keepalived's notify_master takes: the refusal
	# says that hook is a path alone.
	{ good; echo "hook = $dir/hook --verbose"; } > "$dir/bad.conf"
	refused_file "hook $dir/hook --verbose cannot be run: No such file or directory (hook is a program's path alone, without arguments" \
		"$dir/bad.conf"
	{ good; echo "hook = $dir/hook"; } > "$dir/bad.conf"
	tap_expect 0 "manager m1 of cluster test: ok" "$availctl" check --config "$dir/bad.conf"
	# A host runs no hook: the managers' file, hook and all, is its too.
	{ cat "$dir/h1-own.conf"; echo "hook = $dir/nohook"; } > "$dir/h1-hook.conf"
	tap_expect 0 "host h1 of cluster test: ok" "$availctl" check --config "$dir/h1-hook.conf"
	# This node's address not the machine's, or its port held by another
	# process: the start fails (1, tried again); check says so first,
	# without taking the port from a daemon that may be starting.
	good | sed "s/^manager = m1 127.0.0.1:/manager = m1 192.0.2.1:/" > "$dir/foreign.conf"
	tap_expect 1 "$dir/foreign.conf: line 8: 192.0.2.1 is not an address of this machine" \
		"$availctl" check --config "$dir/foreign.conf"
	tap_expect 1 "$dir/foreign.conf: line 8: binding UDP 192.0.2.1:17450" \
		timeout 10 "$availctl" arbiter --config "$dir/foreign.conf"
	{ good; echo "bind-address = 192.0.2.1"; } > "$dir/foreign.conf"
	tap_expect 1 "$dir/foreign.conf: line 12: 192.0.2.1 is not an address of this machine" \
		"$availctl" check --config "$dir/foreign.conf"
	hold 0.0.0.0
	tap_expect 1 "$dir/good.conf: line 8: UDP 127.0.0.1:17450 is held by another process" \
		"$availctl" check --config "$dir/good.conf"
	tap_expect 1 "$dir/good.conf: line 8: binding UDP 127.0.0.1:17450: Address already in use" \
		timeout 10 "$availctl" arbiter --config "$dir/good.conf"
	release
	# Held by IPv6 sockets: at an IPv4-mapped address, or on [::] unless
	# IPv6-only (which sock_diag tells): as surely.
	for address in "::ffff:127.0.0.1 0" ":: 0"; do
		hold_v6 $address
		tap_expect 1 "$dir/good.conf: line 8: UDP 127.0.0.1:17450 is held by another process" \
			"$availctl" check --config "$dir/good.conf"
		tap_expect 1 "$dir/good.conf: line 8: binding UDP 127.0.0.1:17450: Address already in use" \
			timeout 10 "$availctl" arbiter --config "$dir/good.conf"
		release
	done
	hold_v6 :: 1
	tap_expect 0 "$dir/good.conf: manager m1 of cluster test: ok" \
		"$availctl" check --config "$dir/good.conf"
	release
	# Dual-stack on [::], then connected to an IPv6 peer: the kernel keeps
	# 127.0.0.6 as its IPv4 address, which a bind to every address meets.
	{ good; echo "bind-address = 0.0.0.0"; } > "$dir/any.conf"
	hold_v6 :: 0 ::1
	tap_expect 1 "$dir/any.conf: line 12: UDP 0.0.0.0:17450 is held by another process" \
		"$availctl" check --config "$dir/any.conf"
	tap_expect 1 "$dir/any.conf: line 12: binding UDP 0.0.0.0:17450: Address already in use" \
		timeout 10 "$availctl" arbiter --config "$dir/any.conf"
	release
	# An address the kernel routes as broadcast here is no node's (lo's
	# 127.255.255.255 is on every machine); refused at its line, by a
	# reload too. 127.0.0.0 is lo's own: not one.
	good | sed "s/^host = h1 127.0.0.1:/host = h1 127.255.255.255:/" > "$dir/subnet.conf"
	refused_file "$dir/subnet.conf: line 10: h1: 127.255.255.255 is a broadcast address here (of lo's subnet)" \
		"$dir/subnet.conf"
	good | sed "s/^host = h1 127.0.0.1:/host = h1 127.0.0.0:/" > "$dir/subnet.conf"
	tap_expect 0 "$dir/subnet.conf: manager m1 of cluster test: ok" \
		"$availctl" check --config "$dir/subnet.conf"
	# The kernel's broadcast, not one computed: a subnet given another
	# with brd, in a network namespace of its own.
	for host in "10.0.0.127 1 is a broadcast address here (of d0's subnet)" "10.0.0.128 0 ok"; do
		read -r address status text <<< "$host"
		good | sed "s/^host = h1 127.0.0.1:/host = h1 $address:/" > "$dir/subnet.conf"
		tap_expect "$status" "$text" unshare -n sh -c '
			ip link set lo up && ip link add d0 type bridge && ip link set d0 up &&
			ip addr add 10.0.0.5/24 brd 10.0.0.127 dev d0 &&
			exec "$0" check --config "$1"' "$availctl" "$dir/subnet.conf"
	done
	# A long value is quoted cut, but between characters: the message
	# stays valid UTF-8 (the journal keeps invalid text as a blob).
	{ good; printf 'x%s = 1\n' "$(printf 'é%.0s' $(seq 100))"; } > "$dir/utf8.conf"
	tap_check "check's message quoting a long key of 'é's is valid UTF-8" \
		bash -c 'set -o pipefail; { "$0" check --config "$1" 2>&1 || :; } | iconv -f UTF-8 -t UTF-8 |
			grep -q "unknown key"' "$availctl" "$dir/utf8.conf"
	# bind-address at a broadcast address too: the daemon would take in
	# the subnet's broadcasts and send from no node's address.
	{ good; echo "bind-address = 127.255.255.255"; } > "$dir/subnet.conf"
	refused_file "$dir/subnet.conf: line 12: bind-address 127.255.255.255 is a broadcast address here (of lo's subnet)" \
		"$dir/subnet.conf"
	{ good; echo "bind-address = 10.0.0.127"; } > "$dir/subnet.conf"
	tap_expect 1 "line 12: bind-address 10.0.0.127 is a broadcast address here (of d0's subnet)" \
		unshare -n sh -c '
			ip link set lo up && ip link add d0 type bridge && ip link set d0 up &&
			ip addr add 10.0.0.5/24 brd 10.0.0.127 dev d0 &&
			exec "$0" check --config "$1"' "$availctl" "$dir/subnet.conf"
	# A broadcast route in a table no rule uses is not the kernel's
	# broadcast for a send: only the local table's are.
	good | sed "s/^host = h1 127.0.0.1:/host = h1 10.9.9.9:/" > "$dir/subnet.conf"
	tap_expect 0 "$dir/subnet.conf: manager m1 of cluster test: ok" unshare -n sh -c '
		ip link set lo up && ip link add d0 type bridge && ip link set d0 up &&
		ip addr add 10.0.0.5/24 dev d0 && ip route add broadcast 10.9.9.9 dev d0 table 100 &&
		exec "$0" check --config "$1"' "$availctl" "$dir/subnet.conf"
	# A default control path too long, for a long state-dir: its line.
	good | sed "s|^state-dir = .*|state-dir = $dir/$(printf 's%.0s' $(seq 100))|" > "$dir/long.conf"
	refused_file "$dir/long.conf: line 6: control socket path" "$dir/long.conf"
	# A port the units' daemon, given no capability, could not bind.
	good | sed "s/^manager = m1 127.0.0.1:17450/manager = m1 127.0.0.1:800/" > "$dir/low.conf"
	tap_expect 0 "warning: $dir/low.conf: line 8: UDP port 800 is below net.ipv4.ip_unprivileged_port_start" \
		"$availctl" check --config "$dir/low.conf"
	# Directories too long for the daemon's files in them: refused as written.
	long=$dir/$(printf 'd%.0s' $(seq 4050))
	good | sed "s|^state-dir = .*|state-dir = $long|" > "$dir/long.conf"
	refused_file "$dir/long.conf: line 6: state-dir is 4" "$dir/long.conf"
	good | sed "s|^runtime-dir = .*|runtime-dir = $long|" > "$dir/long.conf"
	refused_file "$dir/long.conf: line 7: runtime-dir is 4" "$dir/long.conf"
	# A long file name keeps the line and the reason in the daemon's message.
	long=$dir/$(printf 'c%.0s' $(seq 200))/$(printf 'c%.0s' $(seq 200))/$(printf 'c%.0s' $(seq 200))
	mkdir -p "$long"
	mv "$dir/key" "$dir/key.away"
	good > "$long/m1.conf"
	refused_file "$long/m1.conf: line 5: key file $dir/key: No such file or directory" "$long/m1.conf"
	mv "$dir/key.away" "$dir/key"
	tap_expect 2 "unexpected argument" "$availctl" check --config "$dir/good.conf" extra
	tap_expect 2 "unexpected argument" "$availctl" arbiter --config "$dir/good.conf" extra
	tap_expect 0 "SIGHUP rereads" "$availctl" arbiter --help
	tap_expect 1 "no daemon answers" "$availctl" status --socket "$dir/nothing.sock"
	# A user the socket's directory keeps out: told so, not that no daemon answers.
	# (A copy of availctl, as the tree may be out of that user's reach too.)
	cp "$availctl" "$bin/availctl"
	tap_expect 1 "may not connect to $dir/state/m1.sock: Permission denied: run it as the daemon's user" \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$bin/availctl" status --socket "$dir/state/m1.sock"
	# So is its check: not that the daemon could not start. (A socket
	# bound and left: root's, mode 0755 from the umask.)
	mkdir -p "$bin/state"
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$bin/state/m1.sock"
	cp "$dir/key" "$bin/key"
	chown 65534 "$bin/key"
	good | sed "s|^key-file = .*|key-file = $bin/key|; s|^state-dir = .*|state-dir = $bin/state|" \
		> "$bin/m1.conf"
	tap_expect 1 "may not connect to control socket $bin/state/m1.sock: Permission denied: run it as the daemon's user" \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$bin/availctl" check --config "$bin/m1.conf"
	# As the units make it: the state-dir, the default socket's, of mode 0700.
	chmod 700 "$bin/state"
	tap_expect 1 "may not reach control socket $bin/state/m1.sock: Permission denied: run it as the daemon's user" \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$bin/availctl" check --config "$bin/m1.conf"
	rm -rf "${bin:?}"/*
	tap_check "nothing was left behind by refused starts" test ! -e "$dir/state/m1.sock"
done

tap_done
