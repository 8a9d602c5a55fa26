#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# availctl against the loaded module: every subcommand, watch receiving
# real broadcasts, valid and refused settings, the pool life cycle, the
# unprivileged and module-not-loaded paths with their exit codes, and every
# JSON output checked against the schema documented in availctl(8).
# Reloads the module at the end, which also resets its settings.
# AVAILCTL: the binary (default: the ASan and UBSan build).

. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/wait.sh"

availctl=${AVAILCTL:-$(dirname "$0")/../build/userspace-asan/availctl}
ko=${AVAILCAST_KO:?}
json=${AVAILCAST_OUT:-/tmp}/availctl-json
rm -rf "$json"
mkdir -p "$json"

# expect STATUS TEXT ARGS...: availctl ARGS exits STATUS and prints TEXT.
expect() { tap_expect "$1" "$2" "$availctl" "${@:3}"; }

# save NAME ARGS...: availctl ARGS succeeds; its output goes to NAME.json.
save() {
	local name=$1
	shift
	if "$availctl" "$@" > "$json/$name.json" 2> "$json/$name.err"; then
		tap_ok "availctl $* succeeds"
	else
		tap_fail "availctl $* succeeds" "$(cat "$json/$name.err")"
	fi
}



unprivileged() {
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		--bounding-set=-all "$availctl" "$@"
}

expect 0 "node" show
expect 0 "resource" show
save show show --json

expect 0 "" set interval_max_ms 800 interval-min-ms 50 thresholds 100,500 \
	aggregation mean all_netns on tb_burst 7 node_id avail-test
save config show --json
expect 1 "interval_min_ms must not exceed interval_max_ms" set interval_min_ms 900
expect 2 "a node id is 1 to 63 of A-Z a-z 0-9 and -._:" set node_id "bad id"
expect 0 "" set thresholds none aggregation min all_netns off

expect 0 "" pool create t-cli 100
expect 1 "a resource with that name exists" pool create t-cli 100
expect 1 "a resource with that name exists" pool create memory 100
expect 1 "pressure is what availctl's relay adds to reports" pool create pressure 100
expect 0 "" pool charge t-cli 30
expect 0 "" pool release t-cli 5
expect 1 "the amount exceeds the pool's capacity" pool charge t-cli 101
expect 1 "no pool with that name" pool charge t-none 1
expect 0 "t-cli" pool list
save pools pool list --json

save watch watch --count 3 --json
expect 0 "latency" watch --count 2
expect 0 "" watch --duration 1

# announce: a broadcast with reason request, seen by a watcher. The
# broadcast already planned still comes (no deadline is ever broken), and
# nothing tells when the watcher has subscribed: so announce until the
# watcher has seen a request, within a deadline.
"$availctl" set interval_min_ms 60000 interval_max_ms 60000
"$availctl" watch --json --duration 30 > "$json/announced.json" &
watcher=$!
expect 0 "" announce
deadline=$((SECONDS + 20))
until grep -q '"reason": "request"' "$json/announced.json" ||
      [ $SECONDS -ge $deadline ]; do
	sleep 0.2
	"$availctl" announce
done
kill "$watcher"
wait "$watcher"
tap_check "announce sends a broadcast with reason request" \
	grep -q '"reason": "request"' "$json/announced.json"
"$availctl" set interval_max_ms 1000 interval_min_ms 100

expect 0 "node" --json show
expect 0 "" pool delete t-cli
expect 1 "no pool with that name" pool delete t-cli

# Without CAP_NET_ADMIN: reading works, changing exits 4 and says why.
tap_check "nobody can show" unprivileged show
tap_check "nobody can list pools" unprivileged pool list
for args in "set delta 200" "pool create t-nobody 1" "announce"; do
	# shellcheck disable=SC2086
	out=$(unprivileged $args 2>&1)
	status=$?
	if [ "$status" -eq 4 ] && [[ $out == *CAP_NET_ADMIN* ]]; then
		tap_ok "nobody's availctl $args exits 4 and names CAP_NET_ADMIN"
	else
		tap_fail "nobody's availctl $args exits 4 and names CAP_NET_ADMIN" \
			"exited $status" "$out"
	fi
done

tap_check "the documented JSON schema holds" /usr/bin/python3 - "$json" <<'EOF'
import json, sys
d = sys.argv[1]
def load(name):
    with open(f"{d}/{name}.json") as f:
        return [json.loads(line) for line in f if line.strip()]
def resource(r):
    assert set(r) == {"name", "kind", "capacity", "used", "level"}, r
    assert isinstance(r["name"], str) and r["kind"] in ("builtin", "pool"), r
    assert all(isinstance(r[k], int) for k in ("capacity", "used", "level")), r
    assert 0 <= r["level"] <= 1000, r
def config(c):
    assert set(c) == {"node_id", "interval_min_ms", "interval_max_ms", "delta",
                      "thresholds", "tb_rate", "tb_burst", "aggregation",
                      "sample_ms", "all_netns"}, c
    assert c["aggregation"] in ("min", "mean") and isinstance(c["all_netns"], bool)
    assert all(isinstance(t, int) for t in c["thresholds"])
(show,) = load("show")
assert set(show) == {"node_id", "level", "timestamp_ns", "seq", "next_deadline_ns",
                     "resources", "stats", "config"}, show
[resource(r) for r in show["resources"]]
assert [r["name"] for r in show["resources"]][:2] == ["cpu", "memory"]
assert set(show["stats"]) == {"sent", "suppressed", "failed", "unheard"}
config(show["config"])
(cfg,) = load("config")
c = cfg["config"]
assert (c["interval_min_ms"], c["interval_max_ms"], c["thresholds"], c["aggregation"],
        c["all_netns"], c["tb_burst"], c["node_id"]) == \
       (50, 800, [100, 500], "mean", True, 7, "avail-test"), c
assert cfg["node_id"] == "avail-test"
(pools,) = load("pools")
assert [(p["name"], p["used"], p["level"]) for p in pools] == [("t-cli", 25, 750)], pools
[resource(p) for p in pools]
lines = load("watch")
assert len(lines) == 3, lines
for b in lines:
    assert set(b) == {"node_id", "seq", "reason", "level", "timestamp_ns",
                      "next_deadline_ns", "received_ns", "latency_ns", "resources"}, b
    assert b["reason"] in ("periodic", "threshold", "request")
    assert b["next_deadline_ns"] > b["timestamp_ns"]
    assert b["received_ns"] >= b["timestamp_ns"]
    assert b["latency_ns"] == b["received_ns"] - b["timestamp_ns"]
    [resource(r) for r in b["resources"]]
assert lines[0]["seq"] < lines[1]["seq"] < lines[2]["seq"]
EOF

# A relay subscribed while the module goes away and comes back (rmmod,
# insmod: the family returns with a new id and group): the relay says
# the broadcasts stopped, subscribes again and counts the gap.
relay_dir=$(mktemp -d /tmp/availctl-relay.XXXXXX)
"$availctl" keygen "$relay_dir/secret"
"$availctl" keygen --node h1 --secret "$relay_dir/secret" "$relay_dir/h1.key"
printf '%s\n' "cluster = reload" "node = h1" "key-file = $relay_dir/h1.key" \
	"state-dir = $relay_dir/state" "runtime-dir = $relay_dir/run" \
	"manager = m1 127.0.0.1:17460" "manager = m2 127.0.0.1:17461" \
	"host = h1 127.0.0.1:17462" > "$relay_dir/h1.conf"
"$availctl" relay --config "$relay_dir/h1.conf" 2> "$relay_dir/h1.log" &
relay=$!
# relay_says PATTERN: the relay's status has a line matching PATTERN.
relay_says() {
	"$availctl" status --config "$relay_dir/h1.conf" 2> /dev/null | grep -qE "$1"
}
# forwarded: how many broadcasts the relay forwarded so far.
forwarded() {
	"$availctl" status --config "$relay_dir/h1.conf" 2> /dev/null |
		sed -n 's/^forwarded: *\([0-9]*\) broadcasts.*/\1/p'
}
tap_check "the relay subscribes and forwards broadcasts" \
	wait_until 30 bash -c "$(declare -f relay_says forwarded); availctl='$availctl' relay_dir='$relay_dir';
		relay_says '^module: +subscribed' && [ \"\$(forwarded)\" -gt 0 ]"

# Without the module: exit 3, and say how to load it.
tap_check "rmmod availcast" rmmod availcast
tap_check "the relay says the broadcasts stopped: the module was unloaded" \
	wait_until 10 relay_says "^module: +the availcast module (was unloaded|is not loaded)"
expect 3 "modprobe availcast" show
expect 3 "modprobe availcast" watch --count 1
expect 3 "modprobe availcast" pool list
before=$(forwarded)
tap_check "insmod availcast again" insmod "$ko"
tap_check "the relay subscribes again, with the module back, and forwards" \
	wait_until 10 bash -c "$(declare -f relay_says forwarded); availctl='$availctl' relay_dir='$relay_dir';
		relay_says '^module: +subscribed' && [ \"\$(forwarded)\" -gt $before ]"
tap_check "the relay's status counts the gap" \
	relay_says "^module: +subscribed \(1 gap since start, [0-9]+ ms without broadcasts\)$"
tap_check "its metrics too" \
	bash -c "'$availctl' metrics --config '$relay_dir/h1.conf' | grep -qE '^availctl_relay_module_gaps_total\{.*\} 1$'"
kill "$relay"
wait "$relay"
tap_check "the relay exits 0 on SIGTERM, ASan clean" test $? -eq 0
echo "--- the relay's log:" >&2
cat "$relay_dir/h1.log" >&2
rm -rf "$relay_dir"
tap_done
