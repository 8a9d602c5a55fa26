#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A state directory holds one manager's agreed state and one host's
# witness store per cluster (CLUSTER.agreed, CLUSTER.witness), natively
# on 127.0.0.1: two managers, or two relays, of one cluster given one
# state-dir would overwrite each other's record (an epoch promised by
# one, read back by the other after a restart); the second refuses to
# start as a configuration error (78), naming the directory, and the
# first runs on unharmed; availctl check says so before a start. A
# manager and a relay may share one. A state-dir that is a file, or a
# control socket's directory that does not exist, is a configuration
# error too.
# Usage: state_dir.sh AVAILCTL...  (plain and sanitizer builds)

. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/wait.sh"
. "$(dirname "$0")/../lib/native.sh"

native_dir state-dir

port=$((20000 + RANDOM % 20000))

# config NODE: NODE's configuration, its state-dir the shared one; h1 a
# second host.
config() {
	native_config shared "$1" "$dir/$1.key" "$dir" "$port" |
		sed "s|^state-dir = .*|state-dir = $dir/shared|"
	echo "host = h1 127.0.0.1:$((port + 3))"
}

# sequence_files DIR N: DIR holds N sequence files of this version's names.
sequence_files() { test "$(find "$1" -name '*@*.sequence' | wc -l)" -eq "$2"; }

# said_on FS WHAT STATUS: availctl WHAT (check, start) with its state-dir
# on FS (overlay, btrfs) named the holder of the manager's lock, and
# exited STATUS.
said_on() {
	grep -qF "($dir/$1/mnt/sub/w/@w.agreed.lock is locked by pid " "$dir/$1/$2" &&
		test "$(tail -n 1 "$dir/$1/$2")" = "$3"
}

# locks_of_child PID N: PID's child (strace's tracee) holds N locks.
locks_of_child() {
	local child
	child=$(pgrep -P "$1") && test "$(grep -c " $child " /proc/locks)" -ge "$2"
}

# old_files_unchanged: the files of earlier versions' names, as copied away.
old_files_unchanged() {
	cmp "$dir/a.b.c.sequence" "$dir/shared/a.b.c.sequence" &&
		cmp "$dir/x.m1.sequence" "$dir/run/x.m1.sequence" &&
		cmp "$dir/x.m1.agreed" "$dir/run/x.m1.agreed"
}

# unhold PID: flock(1) PID and the command it runs, which holds its lock too, end.
unhold() {
	local child

	child=$(pgrep -P "$1")
	# shellcheck disable=SC2086
	kill "$1" $child
	wait "$1" 2> /dev/null
}

# answers NODE: NODE's daemon answers availctl status.
answers() { "$availctl" status --config "$dir/$1.conf" > /dev/null 2>&1; }

for availctl in "$@"; do
	rm -rf "${dir:?}"/*
	"$availctl" keygen "$dir/secret"
	for node in m1 m2 h0 h1; do
		if [ "${node#m}" != "$node" ]; then
			cp "$dir/secret" "$dir/$node.key"
		else
			"$availctl" keygen --node "$node" --secret "$dir/secret" "$dir/$node.key"
		fi
		config "$node" > "$dir/$node.conf"
	done
	"$availctl" arbiter --config "$dir/m1.conf" 2> "$dir/m1.log" &
	pids=$!
	tap_check "m1 runs with state-dir $dir/shared" wait_until 10 answers m1
	tap_expect 78 "$dir/shared" timeout 10 "$availctl" arbiter --config "$dir/m2.conf"
	tap_check "m1 still runs after m2 was refused" answers m1
	# availctl check says so beforehand, and finds nothing in the way
	# of m1, whose daemon holds the locks.
	tap_expect 1 "another manager of cluster shared uses state-dir $dir/shared" \
		"$availctl" check --config "$dir/m2.conf"
	tap_expect 0 ": ok" "$availctl" check --config "$dir/m1.conf"
	# From a pid namespace of its own that sees the host's /proc (as
	# unshare -p without --mount-proc, nsenter -p), m1's pid cannot be
	# matched with /proc/locks': its locks are not taken for another's.
	tap_expect 0 ": ok" unshare -p -f "$availctl" check --config "$dir/m1.conf"
	# A lock file that cannot be opened (a directory in its place): a
	# configuration error as well, not retried.
	rm "$dir/shared/m2.lock"
	mkdir "$dir/shared/m2.lock"
	tap_expect 78 "m2.lock is a directory, not a regular file" \
		timeout 10 "$availctl" arbiter --config "$dir/m2.conf"
	tap_expect 1 "m2.lock is a directory, not a regular file" \
		"$availctl" check --config "$dir/m2.conf"
	rmdir "$dir/shared/m2.lock"
	# The first lock, NODE@CLUSTER.lock, too: its holder would be a
	# daemon of this node on its way out (1), but nothing is in its place.
	rm "$dir/shared/m2@shared.lock"
	mkdir "$dir/shared/m2@shared.lock"
	tap_expect 78 "m2@shared.lock is a directory, not a regular file" \
		timeout 10 "$availctl" arbiter --config "$dir/m2.conf"
	rmdir "$dir/shared/m2@shared.lock"
	"$availctl" relay --config "$dir/h0.conf" 2> "$dir/h0.log" &
	pids+=" $!"
	tap_check "a relay (h0) shares the state-dir with the arbiter" wait_until 10 answers h0
	tap_expect 78 "$dir/shared" timeout 10 "$availctl" relay --config "$dir/h1.conf"
	tap_expect 1 "another host of cluster shared uses state-dir $dir/shared" \
		"$availctl" check --config "$dir/h1.conf"
	tap_check "h0 still runs after h1 was refused" answers h0
	# What a restart cannot fix: 78, the path named.
	: > "$dir/a-file"
	tap_expect 78 "state-dir $dir/a-file is not a directory" timeout 10 "$availctl" arbiter \
		--config <(grep -v '^state-dir' "$dir/m2.conf"; echo "state-dir = $dir/a-file")
	tap_expect 78 "$dir/no-such-dir" timeout 10 "$availctl" arbiter \
		--config <(grep -v '^state-dir' "$dir/m2.conf"; echo "state-dir = $dir/m2-state"
			   echo "control = $dir/no-such-dir/m2.sock")
	# shellcheck disable=SC2086
	kill $pids
	wait
	pids=

	# Names may hold dots: cluster a.b's node c and cluster a's node b.c
	# (managers both, sharing one state-dir and one runtime-dir) each keep
	# files of their own, and so do a node named x.agreed and cluster x's
	# manager. A node of the same name in another cluster cannot share the
	# directory (its control socket is <state-dir>/NODE.sock): refused as
	# a configuration error (78) that says so, not retried as a restart.
	rm -rf "${dir:?}"/*
	"$availctl" keygen "$dir/secret"
	p=$port
	for pair in a.b/c a/b.c x/m1 y/x.agreed z/m1; do
		cluster=${pair%/*} node=${pair#*/}
		{
			echo "cluster = $cluster"
			echo "node = $node"
			echo "key-file = $dir/secret"
			echo "state-dir = $dir/shared"
			echo "runtime-dir = $dir/run"
			echo "manager = $node 127.0.0.1:$p"
			echo "manager = other 127.0.0.1:$((p + 1))"
			echo "host = h0 127.0.0.1:$((p + 2))"
		} > "$dir/$cluster.conf"
		p=$((p + 3))
	done
	mkdir -m 700 "$dir/shared" "$dir/run"
	# Earlier versions named a node's files CLUSTER.NODE.KIND: a
	# sequence reserved beyond the clock under a name that may be a.b's
	# c's or a's b.c's, one of x's m1 in the runtime-dir, and a runtime
	# copy of x's m1's state. Nothing tells whose a name is: the
	# sequences are read by each it may be, and nothing is moved.
	echo "sequence 9000000000000000000" > "$dir/shared/a.b.c.sequence"
	echo "sequence 9000000000000000000" > "$dir/run/x.m1.sequence"
	printf 'host h0\nepoch 7\ngeneration 3\nclaimed 7\npromise-ms 0\n' > "$dir/run/x.m1.agreed"
	cp -p "$dir/shared/a.b.c.sequence" "$dir/run/x.m1.sequence" "$dir/run/x.m1.agreed" "$dir"
	for cluster in a.b a x y; do
		"$availctl" arbiter --config "$dir/$cluster.conf" 2> "$dir/$cluster.log" &
		pids+=" $!"
		[ "$cluster" != x ] || x_m1=$!
	done
	for cluster in a.b a x y; do
		tap_check "cluster $cluster's manager runs beside the others" \
			wait_until 10 "$availctl" status --config "$dir/$cluster.conf"
	done
	# Each has sent heartbeats: each numbered them from a file of its own.
	tap_check "four sequence files in the shared state-dir, one per manager" \
		wait_until 10 sequence_files "$dir/shared" 4
	tap_check "four in the shared runtime-dir" wait_until 10 sequence_files "$dir/run" 4
	for file in shared/c@a.b shared/b.c@a run/m1@x; do
		tap_check "$file numbers on from the sequence an earlier version wrote" \
			awk '$2 >= 9000000000000000000 { ok = 1 } END { exit !ok }' \
			"$dir/$file.sequence"
	done
	tap_check "the files of the old names are left as they were" old_files_unchanged
	# Cluster x's m1 once more, with a state-dir of its own but the
	# same runtime-dir: the runtime copies would be shared.
	sed "s|^state-dir = .*|state-dir = $dir/x2|" "$dir/x.conf" > "$dir/x2.conf"
	tap_expect 1 "runs as node m1 of cluster x with runtime-dir $dir/run" \
		"$availctl" check --config "$dir/x2.conf"
	tap_expect 78 "runs as node m1 of cluster x with runtime-dir $dir/run" \
		timeout 10 "$availctl" arbiter --config "$dir/x2.conf"
	# Cluster x's m1's own locks are its own whatever the file says of
	# the directories (found by the pid that answers at its control
	# socket): a file that moves its state-dir is no "other daemon". But
	# a file whose state-dir is x's m1's runtime-dir meets a daemon of
	# its node that is not the one answering there: its start would fail.
	tap_expect 0 ": ok" "$availctl" check --config <(
		sed "s|^state-dir = .*|state-dir = $dir/x4|" "$dir/x.conf"
		echo "control = $dir/shared/m1.sock")
	# That is a configuration error (78), whichever daemon started first:
	# not one of this node on its way out (1, tried again for ever).
	sed -e "s|^state-dir = .*|state-dir = $dir/run|" \
	    -e "s|^runtime-dir = .*|runtime-dir = $dir/x5|" "$dir/x.conf" > "$dir/x5.conf"
	said="another availctl daemon runs as node m1 of cluster x with runtime-dir $dir/run, this daemon's state-dir"
	tap_expect 1 "$said" "$availctl" check --config "$dir/x5.conf"
	tap_expect 1 "($dir/run/m1@x.runtime.lock is locked by pid" "$availctl" check --config "$dir/x5.conf"
	tap_expect 78 "$said" timeout 10 "$availctl" arbiter --config "$dir/x5.conf"
	# Also where /proc/locks cannot be read (a sandbox's
	# InaccessiblePaths=, here a mode-0 file over it and no
	# CAP_DAC_OVERRIDE): the start asks for the mark itself. The check,
	# which takes nothing, says it could not look (and goes on to find
	# x's m1 at the port: 1).
	touch "$dir/hidden"
	chmod 0 "$dir/hidden"
	hidden() {
		unshare -m bash -c 'mount --bind "$0" /proc/locks &&
			exec setpriv --bounding-set -dac_override,-dac_read_search -- "$@"' \
			"$dir/hidden" "$@"
	}
	tap_expect 78 "$said" hidden timeout 10 "$availctl" arbiter --config "$dir/x5.conf"
	tap_expect 1 "warning: /proc/locks: Permission denied: locks not checked" \
		hidden "$availctl" check --config "$dir/x5.conf"
	# And the other way round: a runtime-dir that is x's m1's state-dir.
	tap_expect 78 "another availctl daemon runs as node m1 of cluster x with runtime-dir $dir/shared: daemons of one name need a runtime-dir each" \
		timeout 10 "$availctl" arbiter --config <(
			sed -e "s|^state-dir = .*|state-dir = $dir/x6|" \
			    -e "s|^runtime-dir = .*|runtime-dir = $dir/shared|" "$dir/x.conf"
			echo "control = $dir/x6.sock")
	# Whatever the moment: a daemon (qa) whose runtime-dir is q2 marks it
	# so before it locks it there. Held by strace for 5 s right after its
	# fourth flock, the other (qb, state-dir q2) starts meanwhile and
	# runs, and qa then finds q2 locked: 78. Never 1, which says "a
	# daemon of this node on its way out" and is tried again for ever.
	for q in qa:q1:q2 qb:q2:q3; do
		IFS=: read -r name state run <<< "$q"
		{
			echo "cluster = q"
			echo "node = m1"
			echo "key-file = $dir/secret"
			echo "state-dir = $dir/$state"
			echo "runtime-dir = $dir/$run"
			echo "manager = m1 127.0.0.1:$p"
			echo "manager = other 127.0.0.1:$((p + 1))"
			echo "host = h0 127.0.0.1:$((p + 2))"
		} > "$dir/$name.conf"
	done
	# (LeakSanitizer cannot run under ptrace.)
	ASAN_OPTIONS=detect_leaks=0 \
		strace -q -f -o /dev/null -e trace=flock -e inject=flock:delay_exit=5000000:when=4 \
		"$availctl" arbiter --config "$dir/qa.conf" 2> "$dir/qa.log" &
	qa=$!
	tap_check "qa has taken four locks" wait_until 10 locks_of_child "$qa" 4
	"$availctl" arbiter --config "$dir/qb.conf" 2> "$dir/qb.log" &
	pids+=" $!"
	tap_check "qb, whose state-dir is qa's runtime-dir, runs" \
		wait_until 10 "$availctl" status --config "$dir/qb.conf"
	wait "$qa"
	tap_check "qa then exits 78" test "$?" -eq 78
	tap_check "saying that its runtime-dir is another daemon's" grep -q \
		"another availctl daemon runs as node m1 of cluster q with runtime-dir $dir/q2" "$dir/qa.log"
	# Any process may hold a lock: the check and the start name it.
	mkdir -m 700 "$dir/w"
	sed -e "s|^cluster = .*|cluster = w|" -e "s|^state-dir = .*|state-dir = $dir/w|" \
		"$dir/x.conf" > "$dir/w.conf"
	flock "$dir/w/@w.agreed.lock" sleep 60 &
	holder=$!
	tap_check "flock(1) holds w's manager lock" wait_until 10 grep -q " $holder " /proc/locks
	tap_expect 1 "($dir/w/@w.agreed.lock is locked by pid $holder, flock, not an availctl daemon)" \
		"$availctl" check --config "$dir/w.conf"
	tap_expect 78 "($dir/w/@w.agreed.lock is locked by pid $holder, flock, not an availctl daemon)" \
		timeout 10 "$availctl" arbiter --config "$dir/w.conf"
	# A lock whose taker exited and left it to a child: flock(1) killed,
	# the sleep it started holds it on. The check and the start name the
	# child, not the taker (/proc/locks's pid, or 0 where it is gone).
	sleeper=$(pgrep -P "$holder" sleep)
	kill "$holder"
	wait "$holder" 2> /dev/null
	said="($dir/w/@w.agreed.lock is locked by pid $sleeper, sleep, not an availctl daemon: pid $holder took it and no longer holds it)"
	tap_expect 1 "$said" "$availctl" check --config "$dir/w.conf"
	tap_expect 78 "$said" timeout 10 "$availctl" arbiter --config "$dir/w.conf"
	kill "$sleeper"
	tap_check "sleep gone, so is the lock" \
		wait_until 10 eval '! grep -q ":$(stat -c %i "$dir/w/@w.agreed.lock") " /proc/locks'
	# Something other than a regular file at a lock's path: a FIFO, on
	# which an open() for the lock would wait for a writer for ever, is
	# refused at once (78, a configuration error: it stays), and named.
	rm -f "$dir/w/@w.agreed.lock"
	mkfifo "$dir/w/@w.agreed.lock"
	tap_expect 1 "$dir/w/@w.agreed.lock is a FIFO, not a regular file" \
		"$availctl" check --config "$dir/w.conf"
	tap_expect 78 "$dir/w/@w.agreed.lock is a FIFO, not a regular file" \
		timeout 10 "$availctl" arbiter --config "$dir/w.conf"
	rm "$dir/w/@w.agreed.lock" "$dir/w/m1@w.lock"
	mkfifo "$dir/w/m1@w.lock"
	tap_expect 78 "$dir/w/m1@w.lock is a FIFO, not a regular file" \
		timeout 10 "$availctl" arbiter --config "$dir/w.conf"
	rm "$dir/w/m1@w.lock"
	# In the runtime-dir: the daemon runs without runtime copies, saying why.
	mkdir -p -m 700 "$dir/wrun"
	mkfifo "$dir/wrun/m1@w.lock"
	"$availctl" arbiter --config <(sed -e "s|^runtime-dir = .*|runtime-dir = $dir/wrun|" \
		-e "s|^manager = m1 .*|manager = m1 127.0.0.1:$((p + 5))|" "$dir/w.conf"
		echo "control = $dir/w.sock") 2> "$dir/wrun.log" &
	wrun=$!
	tap_check "a FIFO at the runtime-dir's lock: the runtime-dir is said unusable, naming it" \
		wait_until 10 grep -q "runtime-dir-unusable path=$dir/wrun error=\"$dir/wrun/m1@w.lock is a FIFO" "$dir/wrun.log"
	kill "$wrun" 2> /dev/null
	wait "$wrun"
	# w2: w at a port of its own, so that its check and start get that far.
	sed -e "s|^manager = m1 .*|manager = m1 127.0.0.1:$((p + 5))|" "$dir/w.conf" > "$dir/w2.conf"
	echo "control = $dir/w.sock" >> "$dir/w2.conf"
	tap_expect 0 "warning: $dir/wrun/m1@w.lock is a FIFO, not a regular file: a lock file must be one: the daemon would run without runtime copies" \
		"$availctl" check --config <(sed "s|^runtime-dir = .*|runtime-dir = $dir/wrun|" "$dir/w2.conf")
	# The mark's name in the state-dir is only asked about: a FIFO there
	# stops no start, and check does not say it would.
	mkfifo "$dir/w/m1@w.runtime.lock"
	tap_expect 0 ": ok" "$availctl" check --config "$dir/w2.conf"
	rm "$dir/w/m1@w.runtime.lock"
	# A symlink at a lock's path, to another's lock, is not this one.
	ln -sf "$dir/shared/m1@x.lock" "$dir/w/m1@w.lock"
	tap_expect 78 "$dir/w/m1@w.lock is a symlink (to $dir/shared/m1@x.lock), not a regular file" \
		timeout 10 "$availctl" arbiter --config "$dir/w2.conf"
	tap_expect 1 "$dir/w/m1@w.lock is a symlink (to $dir/shared/m1@x.lock), not a regular file" \
		"$availctl" check --config "$dir/w2.conf"
	rm "$dir/w/m1@w.lock"
	# The process /proc/locks names may no longer hold the lock: it closed
	# its descriptor after a child took it over (L1), or it is a zombie
	# its parent never reaped (L2). The holder is found by its files.
	cat > "$dir/leave.py" <<-'EOF'
		import fcntl, os, sys, time
		path, how = sys.argv[1], sys.argv[2]
		def take_and_leave():
		    fd = os.open(path, os.O_RDONLY | os.O_CREAT, 0o600)
		    os.set_inheritable(fd, True)
		    fcntl.flock(fd, fcntl.LOCK_EX)
		    child = os.fork()
		    if child == 0:
		        os.execvp("sleep", ["sleep", "60"])
		    print(child, flush=True)
		    return fd
		if how == "closed":
		    os.close(take_and_leave())
		    time.sleep(60)
		else:
		    # The taker exits; this process, its parent, leaves it a zombie.
		    if os.fork() == 0:
		        take_and_leave()
		        os._exit(0)
		    time.sleep(60)
	EOF
	for how in closed zombie; do
		python3 "$dir/leave.py" "$dir/w/@w.agreed.lock" "$how" > "$dir/leave.out" &
		leaver=$!
		# A deadline, not a guess: python's start took over 10 s once,
		# beside the host tests' other lanes.
		tap_check "$how: the lock's taker has started its child" \
			wait_until 60 grep -q . "$dir/leave.out"
		sleeper=$(cat "$dir/leave.out")
		tap_expect 1 "is locked by pid $sleeper, sleep, not an availctl daemon: pid " \
			"$availctl" check --config "$dir/w2.conf"
		tap_expect 78 "is locked by pid $sleeper, sleep, not an availctl daemon: pid " \
			timeout 10 "$availctl" arbiter --config "$dir/w2.conf"
		kill "$leaver" "$sleeper"
		wait "$leaver" 2> /dev/null
	done
	# Looking for a holder never asks another file system (stat() of
	# /proc/PID/fd/N reaches the file's own, which hangs when its server
	# is gone: a stopped FUSE daemon, NFS): fdinfo names the locked file.
	ASAN_OPTIONS=detect_leaks=0 strace -f -q -o "$dir/stat.trace" \
		-e trace=stat,lstat,newfstatat,statx,readlink,readlinkat \
		"$availctl" check --config "$dir/w2.conf" > /dev/null 2>&1
	tap_check "check looks up no process's descriptors through their files" \
		eval '! grep -E "\"/proc/[0-9]+/fd/[0-9]+\"" "$dir/stat.trace"'
	# A lease on a lock file (F_SETLEASE): open() would wait for its
	# break; the start says so and exits 1, to be tried again.
	# The leaser ignores SIGIO, which tells of a break: it keeps the lease
	# (breaking) for the start and the check alike.
	python3 -c 'import fcntl, os, signal, sys, time
signal.signal(signal.SIGIO, signal.SIG_IGN)
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_WRLCK)
print("leased", flush=True)
time.sleep(60)' "$dir/w/m1@w.lock" > "$dir/lease.out" &
	leaser=$!
	wait_until 10 grep -q leased "$dir/lease.out"
	tap_expect 1 "$dir/w/m1@w.lock: another process holds a lease on it" \
		timeout 10 "$availctl" arbiter --config "$dir/w2.conf"
	tap_expect 1 "$dir/w/m1@w.lock: another process holds a lease on it" \
		"$availctl" check --config "$dir/w2.conf"
	kill "$leaser" 2> /dev/null
	wait "$leaser" 2> /dev/null
	# availctl check's look at a free lock (a shared flock let go at
	# once, here held 500 ms by strace) fails no start that meets it.
	ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o /dev/null -e trace=flock \
		-e inject=flock:delay_exit=500000 "$availctl" check --config "$dir/w2.conf" \
		> /dev/null 2>&1 &
	checker=$!
	wait_until 10 grep -q "FLOCK  ADVISORY  READ" /proc/locks
	timeout 5 "$availctl" arbiter --config "$dir/w2.conf" 2> "$dir/probed.log"
	tap_check "a start meeting availctl check's look at its lock starts" \
		grep -q " m1 started " "$dir/probed.log"
	wait "$checker"
	# What the daemon's user could not open: check says the start would
	# fail, as it does (78). As root without CAP_DAC_OVERRIDE, a mode-0
	# lock file is as another user's.
	chmod 0 "$dir/w/@w.agreed.lock"
	tap_expect 1 "$dir/w/@w.agreed.lock: Permission denied: this daemon could not start" \
		setpriv --bounding-set -dac_override,-dac_read_search -- \
		"$availctl" check --config "$dir/w2.conf"
	tap_expect 78 "$dir/w/@w.agreed.lock: Permission denied" \
		setpriv --bounding-set -dac_override,-dac_read_search -- \
		timeout 10 "$availctl" arbiter --config "$dir/w2.conf"
	chmod 600 "$dir/w/@w.agreed.lock"
	read_only() {
		unshare -m bash -c 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" &&
			exec "$@"' "$dir/w" "$@"
	}
	# Read-only, the daemon runs (as when remounted so under it) but
	# persists nothing: check warns. A lock file it must make there
	# fails the start (1: the file system may come back writable).
	tap_expect 0 "warning: $dir/w2.conf: line 4: state-dir $dir/w is on a read-only file system" \
		read_only "$availctl" check --config "$dir/w2.conf"
	rm "$dir/w/@w.agreed.lock"
	tap_expect 1 "$dir/w/@w.agreed.lock: Read-only file system" \
		read_only timeout 10 "$availctl" arbiter --config "$dir/w2.conf"
	# A start while this node's daemon stops and lets go of its locks
	# (each close held 0.5 s by strace): it meets NODE@CLUSTER.lock, let
	# go of last, and exits 1, to be tried again; not 78 for another.
	"$availctl" arbiter --config "$dir/w2.conf" 2> /dev/null &
	old=$!
	tap_check "w2's m1 runs" wait_until 10 "$availctl" status --config "$dir/w2.conf"
	strace -q -p "$old" -o /dev/null -e trace=close -e inject=close:delay_exit=500000 &
	tracer=$!
	wait_until 10 grep -q "^TracerPid:[[:space:]]*$tracer$" "/proc/$old/status"
	held=$(grep -c " $old " /proc/locks)
	kill -TERM "$old"
	wait_until 20 eval 'n=$(grep -c " $old " /proc/locks); [ "$n" -lt "$held" ]'
	timeout 10 "$availctl" arbiter --config "$dir/w2.conf" > "$dir/again.log" 2>&1
	status=$?
	tap_check "a start while it lets go of its locks exits 1, not 78" \
		test "$status" -eq 1 -o "$status" -eq 124
	wait "$old" "$tracer" 2> /dev/null
	# flock(1) around the start, a guard against a second one: the start
	# holds its own lock through the descriptor it inherited (78).
	tap_expect 78 "$dir/w/m1@w.lock is locked through a descriptor this process inherited" \
		timeout 10 flock "$dir/w/m1@w.lock" "$availctl" arbiter --config "$dir/w2.conf"
	# Only this node's own daemon (on its way out) makes a start that
	# meets NODE@CLUSTER.lock exit 1, to be tried again: an availctl
	# process running arbiter or relay that holds it through a file of
	# that name. Any other holder stays when tried again: 78, named.
	flock "$dir/w/m1@w.lock" sleep 60 &
	holder=$!
	wait_until 10 grep -q " $holder " /proc/locks
	said="another process holds the lock of node m1 of cluster w ($dir/w/m1@w.lock is locked by pid $holder, flock, not an availctl daemon)"
	tap_expect 1 "$said: this daemon could not start (exit 78)" \
		"$availctl" check --config "$dir/w2.conf"
	tap_expect 78 "$said" timeout 10 "$availctl" arbiter --config "$dir/w2.conf"
	unhold "$holder"
	# A process named availctl is no daemon by its name: a copy of sleep
	# so named, holding the lock through a descriptor it inherited.
	mkdir -p "$dir/bin"
	cp "$(command -v sleep)" "$dir/bin/availctl"
	bash -c 'exec 9< "$0" && flock 9 && exec "$1" 60' "$dir/w/m1@w.lock" "$dir/bin/availctl" &
	holder=$!
	wait_until 10 eval 'grep -q "^availctl$" /proc/$holder/comm && grep -q ":$(stat -c %i "$dir/w/m1@w.lock") " /proc/locks'
	said="another process holds the lock of node m1 of cluster w ($dir/w/m1@w.lock is locked by pid $holder, availctl, not an availctl daemon"
	tap_expect 1 "$said" "$availctl" check --config "$dir/w2.conf"
	tap_expect 78 "$said" timeout 10 "$availctl" arbiter --config "$dir/w2.conf"
	kill "$holder"
	wait "$holder" 2> /dev/null
	# A hard link to another daemon's lock file: cluster x's m1 holds
	# it, as its file name says (the name it opened), not a daemon of
	# this node: 78 too.
	rm -f "$dir/w/m1@w.lock"
	ln "$dir/shared/m1@x.lock" "$dir/w/m1@w.lock"
	said="another process holds the lock of node m1 of cluster w ($dir/w/m1@w.lock is locked by pid $x_m1, availctl, the daemon of node m1 of cluster x, which holds it as $dir/shared/m1@x.lock)"
	tap_expect 1 "$said: this daemon could not start (exit 78)" \
		"$availctl" check --config "$dir/w2.conf"
	tap_expect 78 "$said" timeout 10 "$availctl" arbiter --config "$dir/w2.conf"
	# The name it opened is read with readlink() of /proc/PID/fd/N, which
	# stays in procfs; never stat(), which would reach the file's own
	# file system.
	ASAN_OPTIONS=detect_leaks=0 strace -f -q -o "$dir/link.trace" \
		-e trace=stat,lstat,newfstatat,statx,readlink,readlinkat \
		"$availctl" check --config "$dir/w2.conf" > /dev/null 2>&1
	tap_check "the holder's file name is read by readlink() of its descriptor" \
		grep -qE "readlink(at)?\(.*\"/proc/$x_m1/fd/[0-9]+\"" "$dir/link.trace"
	tap_check "and none of its descriptors is stat()ed" \
		eval '! grep -E "stat[a-z0-9]*\(.*\"/proc/[0-9]+/fd/[0-9]+\"" "$dir/link.trace"'
	rm "$dir/w/m1@w.lock"
	# Held by a process this one cannot see (the start or the check in
	# a pid namespace of its own, with its own /proc): the lock is still
	# found held, by asking for it, and the check says what the start
	# does.
	for lock in @w.agreed.lock m1@w.lock; do
		flock "$dir/w/$lock" sleep 60 &
		holder=$!
		wait_until 10 grep -q " $holder " /proc/locks
		said="($dir/w/$lock is locked by a process that cannot be seen from here"
		tap_expect 1 "$said" unshare -p -f --mount-proc "$availctl" check --config "$dir/w2.conf"
		tap_expect 1 "this daemon could not start (exit 78)" \
			unshare -p -f --mount-proc "$availctl" check --config "$dir/w2.conf"
		tap_expect 78 "$said" unshare -p -f --mount-proc \
			timeout 10 "$availctl" arbiter --config "$dir/w2.conf"
		unhold "$holder"
	done
	# On overlayfs whose layers are two file systems (xino off), and in
	# a btrfs subvolume, stat() says another device than /proc/locks
	# does: the check and the start still name the holder. In a mount
	# namespace of its own, gone with it (and the loop device with it).
	cat > "$dir/fs.sh" <<-'EOF'
		. "$1/wait.sh"
		dir=$2 availctl=$3 fs=$4
		top=$dir/$fs
		mkdir -p "$top/lower" "$top/upper" "$top/work" "$top/mnt"
		case $fs in
		overlay)
			mount -t tmpfs lower "$top/lower" &&
				mount -t overlay overlay -o "lowerdir=$top/lower,upperdir=$top/upper,workdir=$top/work,xino=off" "$top/mnt" ;;
		btrfs)
			truncate -s 128M "$top/image" && mkfs.btrfs -q "$top/image" > /dev/null &&
				mount -o loop "$top/image" "$top/mnt" &&
				btrfs -q subvolume create "$top/mnt/sub" ;;
		esac || exit 9
		mkdir -p -m 700 "$top/mnt/sub/w" || exit 9
		sed "s|^state-dir = .*|state-dir = $top/mnt/sub/w|" "$dir/w.conf" > "$top/w.conf"
		flock "$top/mnt/sub/w/@w.agreed.lock" sleep 60 &
		holder=$!
		wait_until 10 grep -q " $holder " /proc/locks || exit 9
		"$availctl" check --config "$top/w.conf" 2> "$top/check"
		echo "$?" >> "$top/check"
		timeout 10 "$availctl" arbiter --config "$top/w.conf" 2> "$top/start"
		echo "$?" >> "$top/start"
		kill "$holder"
	EOF
	for fs in overlay btrfs; do
		rm -rf "${dir:?}/$fs"
		unshare -m bash "$dir/fs.sh" "$(dirname "$0")/../lib" "$dir" "$availctl" "$fs"
		tap_check "on $fs, availctl check names the lock's holder (exit 1)" \
			said_on "$fs" check 1
		tap_check "on $fs, the start names it too (exit 78)" said_on "$fs" start 78
	done
	# A runtime-dir that is a dangling symlink (mkdir() says EEXIST of
	# it): said unusable, as one that cannot be made, not taken as locked.
	ln -s "$dir/nowhere" "$dir/dangling"
	sed -e "s|^state-dir = .*|state-dir = $dir/x3|" -e "s|^runtime-dir = .*|runtime-dir = $dir/dangling|" \
		"$dir/x.conf" > "$dir/x3.conf"
	"$availctl" arbiter --config "$dir/x3.conf" 2> "$dir/x3.log" &
	dangling=$!
	tap_check "a runtime-dir that is a dangling symlink is said unusable" \
		wait_until 10 grep -q "runtime-dir-unusable path=$dir/dangling" "$dir/x3.log"
	kill "$dangling" 2> /dev/null
	wait "$dangling"
	# availctl check finds m1's control socket in the way; with a
	# control socket of its own, x's m1's lock of the node's name.
	tap_expect 1 "could not start" "$availctl" check --config "$dir/z.conf"
	tap_expect 1 "node m1 runs in another cluster from state-dir $dir/shared" \
		"$availctl" check --config <(cat "$dir/z.conf"; echo "control = $dir/z.sock")
	tap_expect 78 "node m1 runs in another cluster from state-dir $dir/shared" \
		timeout 10 "$availctl" arbiter --config "$dir/z.conf"
	tap_check "cluster x's m1 still runs" "$availctl" status --config "$dir/x.conf"
	# shellcheck disable=SC2086
	kill $pids
	wait
	pids=
done
tap_done
