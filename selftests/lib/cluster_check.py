#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks the invariant over the availctl daemons' logs of one cluster run.

Usage: cluster_check.py [--since MS [--until MS]] LOG...
       (arbiter and relay logs, any order)

A manager acts as active from its "role role=active" line until the
earlier of its next role line and the last hold it logged ("hold ...
until=T", or the role line's own hold_until): a daemon that was stopped
or killed acts no longer than its hold. All daemons of one kernel share
one CLOCK_BOOTTIME, so the intervals compare.

A daemon stamps its lines with the clock it counts holds on. One that
does not say "clock=boottime" in its "started" line counts on
CLOCK_MONOTONIC, which stops while the host is suspended: the tests'
suspend shim (selftests/suspend_clock.c) logs how far that clock fell
behind ("clock-suspended monotonic_behind_ms=N"), and this checker puts
the daemon's later times back on the true timeline by that much, and
counts it as acting again on waking for as long as its clock, now
behind, has not reached the hold it had.

Fails (exit 1) when:
  - two managers' intervals overlap;
  - two managers were active in one epoch, or epochs did not rise with
    time;
  - a manager entered active, or started its "active" hook, at a moment
    its hold was already over, or while another manager was active (at
    whatever epoch);
  - a witness store accepted a change from an epoch older than one it
    accepted before.
Prints the intervals either way.

With --since MS (a CLOCK_BOOTTIME time, as the logs stamp), it also
prints what liveness the logs show from then to --until MS (or their
last line; a daemon that waits may log nothing for long): the
longest time no manager was active ("longest without an active: N ms
from A"), and how many times a manager entered active ("entered active:
K times"), so that a scenario can tell an outage or a flapping role
from one failover.
"""

import re
import sys

# Only ASCII spaces part fields: a byte past ASCII is in a quoted value.
LINE = re.compile(r"^(\d+) (\S+) (\S+) ?(.*)$", re.ASCII)
# key=value, or key="value" with a '"' or backslash in it after a backslash.
FIELD = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)', re.ASCII)
# \xNN: a byte that is not part of a UTF-8 character (read as the
# surrogateescape character the file's bytes decode to); \C: C itself.
ESCAPED = re.compile(r'\\x([0-9a-f]{2})|\\(.)')


def unescape(m):
    if m.group(1):
        return bytes([int(m.group(1), 16)]).decode("utf-8", "surrogateescape")
    return m.group(2)


def value(text):
    """A field's value as the daemon had it: unquoted and unescaped."""
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return ESCAPED.sub(unescape, text[1:-1])
    return text


def events(path):
    """(time, node, event, fields) of each line of one daemon's log."""
    # Bytes as written (a path need not be UTF-8), each '\n' a line's end.
    with open(path, encoding="utf-8", errors="surrogateescape", newline="\n") as f:
        for line in f:
            m = LINE.match(line.rstrip("\n"))
            if m:
                fields = {k: value(v) for k, v in FIELD.findall(m.group(4))}
                yield int(m.group(1)), m.group(2), m.group(3), fields


def liveness(intervals, since, end):
    """The longest stretch of [since, end] no interval covers: (length, start)."""
    longest, at, covered = 0, since, since
    for s, e, _, _ in sorted(intervals):
        if e <= covered:
            continue
        if s > covered and min(s, end) - covered > longest:
            longest, at = min(s, end) - covered, covered
        covered = max(covered, e)
    if end > covered and end - covered > longest:
        longest, at = end - covered, covered
    return longest, at


def main(paths):
    since = upto = None
    if paths[:1] == ["--since"]:
        since, paths = int(paths[1]), paths[2:]
    if paths[:1] == ["--until"]:
        upto, paths = int(paths[1]), paths[2:]
    last = 0                # the latest time any log shows
    intervals = []          # (start, end, node, epoch)
    acts = []               # (time, node, epoch, hold, what)
    problems = []
    accepted = {}           # store node -> [(time, epoch)]
    for path in paths:
        # Times on the daemon's own clock are put on the true timeline by
        # adding how far that clock is behind (0 but for a daemon on
        # CLOCK_MONOTONIC whose host slept). A hold is a moment of the
        # daemon's clock: it ends, in true time, at hold + behind.
        start = epoch = None
        hold = 0
        behind = 0
        on_boottime = False
        node = None
        for t, node, event, f in events(path):
            if event == "started":
                on_boottime = f.get("clock") == "boottime"
                behind = 0
            if event == "clock-suspended":
                # Stamped by the shim on CLOCK_BOOTTIME: true time. The
                # daemon acted, at most, until its hold ended before it
                # slept; it acts again on waking while its clock, now
                # behind, has not reached the hold.
                if on_boottime:
                    continue
                if start is not None:
                    intervals.append((start, min(t, hold + behind), node, epoch))
                behind = int(f["monotonic_behind_ms"])
                if start is not None:
                    start = t if t < hold + behind else None
                continue
            t += behind
            last = max(last, t)
            if event == "hold":
                hold = int(f["until"])
            elif event in ("role", "stopped"):
                if start is not None:
                    intervals.append((start, min(t, hold + behind), node, epoch))
                    start = None
                if event == "role" and f.get("role") == "active":
                    start, epoch = t, int(f["epoch"])
                    if "hold_until" in f:
                        hold = int(f["hold_until"])
                    acts.append((t, node, epoch, hold + behind, "entered active"))
            elif event == "hook-started" and f.get("role") == "active":
                # Judged at the hook's check of the hold (checked=), which
                # the line, logged once the daemon heard of it, follows.
                at = int(f["checked"]) + behind if "checked" in f else t
                until = int(f["hold_until"]) if "hold_until" in f else hold
                acts.append((at, node, int(f["epoch"]), until + behind,
                             "started its active hook"))
            elif event == "witness" and f.get("status") == "done":
                accepted.setdefault(node, []).append((t, int(f["epoch"])))
        if start is not None:
            intervals.append((start, hold + behind, node, epoch))

    intervals.sort()
    for s, e, node, epoch in intervals:
        print(f"active {node} epoch {epoch}: {s} .. {e} ({e - s} ms)")
    for i, (s1, e1, n1, ep1) in enumerate(intervals):
        for s2, e2, n2, ep2 in intervals[i + 1:]:
            if n1 != n2 and s2 < e1 and s1 < e2:
                problems.append(f"{n1} (epoch {ep1}) and {n2} (epoch {ep2}) both active "
                                f"from {max(s1, s2)} to {min(e1, e2)}")
    for t, node, epoch, hold, what in sorted(acts):
        if t >= hold:
            problems.append(f"{node} {what} at epoch {epoch} at {t}, "
                            f"its hold over since {hold}")
        for s, e, other, other_epoch in intervals:
            if other != node and s <= t < e:
                newer = " newer" if other_epoch > epoch else ""
                problems.append(f"{node} {what} at epoch {epoch} at {t} while {other} "
                                f"was active at{newer} epoch {other_epoch}")
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
    if since is not None:
        longest, at = liveness(intervals, since, upto if upto is not None else last)
        entered = sum(1 for t, _, _, _, what in acts if t >= since and what == "entered active")
        print(f"longest without an active: {longest} ms from {at}")
        print(f"entered active: {entered} times")
    for p in problems:
        print("VIOLATION:", p)
    print(f"{len(intervals)} active intervals, {len(problems)} violations")
    return 1 if problems or not intervals else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
