#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# /sys/kernel/availcast: valid writes take effect, invalid ones fail with
# EINVAL and change nothing, and only root may write.

. "$(dirname "$0")/lib/tap.sh"
dir=/sys/kernel/availcast

# write FILE VALUE: writes VALUE (backslash escapes allowed) in one write(2).
write() { "$(dirname "$0")/lib/write_once.py" "$dir/$1" "$2"; }
value_is() { [ "$(cat "$dir/$1")" = "$2" ]; }

# refused NAME FILE VALUE: the write fails with EINVAL, the value stays.
refused() {
	local name=$1 file=$2 value=$3 before out
	before=$(cat "$dir/$file")
	if out=$(write "$file" "$value" 2>&1); then
		tap_fail "$name" "the write succeeded"
	elif ! grep -q 'Invalid argument' <<< "$out"; then
		tap_fail "$name" "failed, but not with EINVAL: $out"
	elif ! value_is "$file" "$before"; then
		tap_fail "$name" "the value changed to $(cat "$dir/$file")"
	else
		tap_ok "$name"
	fi
}

saved=$(cat $dir/node_id)

tap_check "node_id is readable" test -n "$saved"
tap_check "node_id accepts a valid id" write node_id host-7.example:a_b
tap_check "node_id reads back what was written" value_is node_id host-7.example:a_b
tap_check "node_id accepts one trailing newline, as echo writes" \
	sh -c "echo echoed-node > $dir/node_id"
tap_check "the newline is not part of the id" value_is node_id echoed-node

before=$(cat $dir/node_id)
: > $dir/node_id
tap_check "a zero-length write changes nothing" value_is node_id "$before"
refused "node_id refuses a lone newline" node_id '\n'
refused "node_id refuses spaces" node_id 'two words'
refused "node_id refuses two newlines" node_id 'id\n\n'
refused "node_id refuses an interior NUL" node_id 'a\0b'
refused "node_id refuses 64 characters" node_id "$(printf 'x%.0s' $(seq 64))"
refused "node_id refuses 4096 characters" node_id "$(printf 'x%.0s' $(seq 4096))"
refused "node_id refuses control characters" node_id 'a\tb'

tap_check "node_id is writable by root only (mode 0644, owner root)" \
	test "$(stat -c '%a %U' $dir/node_id)" = "644 root"
before=$(cat $dir/node_id)
tap_check_fails "nobody cannot write node_id" \
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	sh -c "echo from-nobody > $dir/node_id"
tap_check "a refused unprivileged write changes nothing" value_is node_id "$before"

write node_id "$saved"
tap_done
