#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# /sys/kernel/availcast: for every tunable, valid writes take effect and
# invalid ones fail with EINVAL and change nothing; only root may write;
# the counters under stats/ are read-only.

. "$(dirname "$0")/lib/tap.sh"
dir=/sys/kernel/availcast

# write FILE VALUE: writes VALUE (backslash escapes allowed) in one write(2).
write_once=$(dirname "$0")/../build/selftests/write_once
write() { "$write_once" "$dir/$1" "$2"; }

# Builtins only below: every process started in an emulated VM costs.
value_of() { local v; read -r v < "$dir/$1"; printf '%s' "$v"; }
value_is() { local v; read -r v < "$dir/$1"; [ "$v" = "$2" ]; }

# accepted FILE VALUE [READ-BACK]: the write works and reads back.
accepted() {
	local file=$1 value=$2 expected=${3-$2} out
	if ! out=$(write "$file" "$value" 2>&1); then
		tap_fail "$file accepts '$value'" "$out"
	elif ! value_is "$file" "$expected"; then
		tap_fail "$file accepts '$value'" "reads back '$(value_of "$file")'"
	else
		tap_ok "$file accepts '$value'"
	fi
}

# refused FILE VALUE [WHY]: the write fails with EINVAL; the value stays.
refused() {
	local file=$1 value=$2 why=${3:-$2} before out
	read -r before < "$dir/$file"
	if out=$(write "$file" "$value" 2>&1); then
		tap_fail "$file refuses $why" "the write succeeded"
	elif [[ $out != *"Invalid argument"* ]]; then
		tap_fail "$file refuses $why" "failed, but not with EINVAL: $out"
	elif ! value_is "$file" "$before"; then
		tap_fail "$file refuses $why" "the value changed to $(value_of "$file")"
	else
		tap_ok "$file refuses $why"
	fi
}

declare -A saved
for file in node_id interval_min_ms interval_max_ms delta thresholds tb_rate \
	    tb_burst sample_ms all_netns; do
	saved[$file]=$(value_of "$file")
done
saved[aggregation]=$(value_of aggregation)
saved[aggregation]=${saved[aggregation]#*[}
saved[aggregation]=${saved[aggregation]%]*}

# The numeric tunables: file, a valid value, below and above its bounds.
while read -r file valid below above; do
	accepted "$file" "$valid"
	accepted "$file" "$valid\n" "$valid"
	[ "$below" = - ] || refused "$file" "$below" "$below (below its range)"
	refused "$file" "$above" "$above (above its range)"
	refused "$file" "abc" "a word"
	refused "$file" "-1" "a negative number"
	refused "$file" "1.5" "a fraction"
	refused "$file" "0x10" "hexadecimal"
	refused "$file" "99999999999999999999" "an overflowing number"
	refused "$file" "$valid\0" "an interior NUL"
	refused "$file" "\n" "an empty line"
done <<'EOF'
interval_max_ms 5000 9 600001
interval_min_ms 40 9 600001
delta 250 0 1001
tb_rate 7 0 1001
tb_burst 3 0 1001
sample_ms 250 9 60001
all_netns 1 - 2
EOF
write all_netns 0

if write interval_max_ms 600000 && write interval_min_ms 10; then
	tap_ok "the interval bounds take their extremes"
else
	tap_fail "the interval bounds take their extremes"
fi
write interval_max_ms 1000
write interval_min_ms 100
refused interval_min_ms 1001 "a minimum above the maximum"
refused interval_max_ms 99 "a maximum below the minimum"

accepted thresholds "50 500 950"
accepted thresholds "  20   40\n" "20 40"
accepted thresholds "\n" ""
refused thresholds "500 100" "unsorted levels"
refused thresholds "100 100" "a repeated level"
refused thresholds "0" "a level of 0"
refused thresholds "1000" "a level of 1000"
refused thresholds "1 2 3 4 5 6 7 8 9" "nine levels"
refused thresholds "1,2" "commas"
refused thresholds "$(printf '1 %.0s' $(seq 40))" "a long write"

accepted aggregation mean "min [mean]"
accepted aggregation "min\n" "[min] mean"
refused aggregation max "an unknown name"
refused aggregation 1 "a number"

accepted node_id host-7.example:a_b
accepted node_id "echoed-node\n" echoed-node
before=$(value_of node_id)
: > $dir/node_id
tap_check "a zero-length write changes nothing" value_is node_id "$before"
refused node_id '\n' "an empty id"
refused node_id 'two words' "spaces"
refused node_id 'node-\xc0\xc9' "letters above ASCII (Latin-1)"
refused node_id 'caf\xc3\xa9' "UTF-8"
refused node_id 'id\n\n' "two newlines"
refused node_id 'a\0b' "an interior NUL"
refused node_id "$(printf 'x%.0s' $(seq 64))" "64 characters"
refused node_id "$(printf 'x%.0s' $(seq 4096))" "4096 characters"
refused node_id 'a\tb' "control characters"

for file in node_id interval_min_ms delta thresholds aggregation; do
	tap_check "$file is writable by root only (mode 0644, owner root)" \
		test "$(stat -c '%a %U' "$dir/$file")" = "644 root"
done
before=$(value_of delta)
tap_check_fails "nobody cannot write a tunable" \
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	sh -c "echo 123 > $dir/delta"
tap_check "a refused unprivileged write changes nothing" value_is delta "$before"

for stat in sent suppressed failed unheard; do
	tap_check "stats/$stat reads a count" grep -Eqx '[0-9]+' "$dir/stats/$stat"
	tap_check_fails "stats/$stat is read-only" write "stats/$stat" 0
done

for file in node_id interval_max_ms interval_min_ms delta thresholds tb_rate \
	    tb_burst sample_ms all_netns aggregation; do
	write "$file" "${saved[$file]}"
done
tap_done
