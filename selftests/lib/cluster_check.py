#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks the invariant over the availctl daemons' logs of one cluster run.

Usage: cluster_check.py LOG...   (arbiter and relay logs, any order)

A manager acts as active from its "role role=active" line until the
earlier of its next role line and the last hold it logged ("hold ...
until=T"): a daemon that was stopped or killed acts no longer than its
hold. All daemons share one CLOCK_MONOTONIC, so the intervals compare.

Fails (exit 1) when two managers' intervals overlap, when two managers
were active in one epoch, when epochs did not rise with time, or when a
witness store accepted a change from an epoch older than one it accepted
before. Prints the intervals either way.
"""

import re
import sys

LINE = re.compile(r"^(\d+) (\S+) (\S+) ?(.*)$")
FIELD = re.compile(r'(\w+)=("[^"]*"|\S+)')


def events(path):
    with open(path, errors="replace") as f:
        for line in f:
            m = LINE.match(line.strip())
            if m:
                fields = {k: v.strip('"') for k, v in FIELD.findall(m.group(4))}
                yield int(m.group(1)), m.group(2), m.group(3), fields


def main(paths):
    intervals = []          # (start, end, node, epoch)
    problems = []
    accepted = {}           # store node -> [(time, epoch)]
    for path in paths:
        start = epoch = None
        until = 0
        node = None
        for t, node, event, f in events(path):
            if event == "hold":
                until = int(f["until"])
            elif event in ("role", "stopped"):
                if start is not None:
                    intervals.append((start, min(t, until), node, epoch))
                    start = None
                if event == "role" and f.get("role") == "active":
                    start, epoch = t, int(f["epoch"])
            elif event == "witness" and f.get("status") == "done":
                accepted.setdefault(node, []).append((t, int(f["epoch"])))
        if start is not None:
            intervals.append((start, until, node, epoch))

    intervals.sort()
    for s, e, node, epoch in intervals:
        print(f"active {node} epoch {epoch}: {s} .. {e} ({e - s} ms)")
    for i, (s1, e1, n1, ep1) in enumerate(intervals):
        for s2, e2, n2, ep2 in intervals[i + 1:]:
            if n1 != n2 and s2 < e1 and s1 < e2:
                problems.append(f"{n1} (epoch {ep1}) and {n2} (epoch {ep2}) both active "
                                f"from {max(s1, s2)} to {min(e1, e2)}")
    owners = {}
    for s, e, node, epoch in intervals:
        if owners.setdefault(epoch, node) != node:
            problems.append(f"epoch {epoch} had two actives: {owners[epoch]} and {node}")
    epochs = [epoch for s, e, node, epoch in intervals]
    if epochs != sorted(epochs):
        problems.append(f"epochs did not rise with time: {epochs}")
    for store, changes in accepted.items():
        high = 0
        for t, epoch in sorted(changes):
            if epoch < high:
                problems.append(f"witness {store} accepted epoch {epoch} after {high} at {t}")
            high = max(high, epoch)
    for p in problems:
        print("VIOLATION:", p)
    print(f"{len(intervals)} active intervals, {len(problems)} violations")
    return 1 if problems or not intervals else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
