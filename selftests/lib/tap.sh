# SPDX-License-Identifier: GPL-2.0
#
# TAP output for shell selftests, sourced by them. Each check prints one
# "ok N - name" or "not ok N - name" line with the reason as "#" lines;
# tap_done prints the plan and exits non-zero if anything failed.

tap_count=0
tap_failures=0
echo "TAP version 13"

tap_ok() {
	tap_count=$((tap_count + 1))
	echo "ok $tap_count - $1"
}

# tap_fail NAME [DETAIL...]: each DETAIL is printed as a comment line.
tap_fail() {
	local name=$1
	shift
	tap_count=$((tap_count + 1))
	tap_failures=$((tap_failures + 1))
	echo "not ok $tap_count - $name"
	printf '%s\n' "$@" | sed 's/^/# /'
}

# tap_check NAME COMMAND...: passes when COMMAND succeeds. COMMAND sees
# the caller's variables: the locals here have names no caller would use.
tap_check() {
	local _tap_name=$1 _tap_output
	shift
	if _tap_output=$("$@" 2>&1); then
		tap_ok "$_tap_name"
	else
		tap_fail "$_tap_name" "failed: $*" "$_tap_output"
	fi
}

# tap_check_fails NAME COMMAND...: passes when COMMAND fails.
tap_check_fails() {
	local _tap_name=$1 _tap_output
	shift
	if _tap_output=$("$@" 2>&1); then
		tap_fail "$_tap_name" "succeeded but should have failed: $*" "$_tap_output"
	else
		tap_ok "$_tap_name"
	fi
}

# tap_expect STATUS TEXT COMMAND...: COMMAND exits with STATUS and prints
# TEXT (a substring of its output and errors; "" for anything).
tap_expect() {
	local _tap_status=$1 _tap_text=$2 _tap_output _tap_got _tap_name
	shift 2
	_tap_name="${1##*/} ${*:2} exits $_tap_status${_tap_text:+: $_tap_text}"
	_tap_output=$("$@" 2>&1)
	_tap_got=$?
	if [ "$_tap_got" -ne "$_tap_status" ]; then
		tap_fail "$_tap_name" "exited $_tap_got" "$_tap_output"
	elif [[ $_tap_output != *"$_tap_text"* ]]; then
		tap_fail "$_tap_name" "no '$_tap_text' in:" "$_tap_output"
	else
		tap_ok "$_tap_name"
	fi
}

tap_done() {
	echo "1..$tap_count"
	[ "$tap_failures" -eq 0 ]
	exit
}
