#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Silence detection on a recorded broadcast stream: deadlines against a
fixed rule of three missed heartbeats at the same mean rate.

silence.py STREAM.jsonl GRACE_MS STOPS

STREAM is what ``availctl watch --json`` recorded in the VM
(selftests/bench/guest-silence.sh). A manager hears each broadcast when
the subscriber received it, and marks the host unavailable

- deadline rule (what availctl arbiter does): at the deadline the last
  broadcast announced, plus GRACE_MS (host-grace-ms, 100 by default);
- fixed rule: three mean periods after the last broadcast, the mean
  being that of this stream, so both rules hear the same messages.

The host's relay stops at STOPS instants drawn uniformly over the
recording (a fixed seed); the detection time of each is from the stop
to the moment its rule marks the host unavailable. While the host is
alive, a gap longer than the rule allows is a false alarm: the host
marked unavailable while it was still speaking. Prints, for each rule:

  silence: rule=NAME stops=N p50_ms=X p99_ms=X max_ms=X false_alarms=N gaps=N mean_period_ms=X
"""

import bisect
import json
import random
import statistics
import sys


def quantile(values, q):
    """The value below which a share q of them lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main():
    if len(sys.argv) != 4:
        raise SystemExit("usage: silence.py STREAM.jsonl GRACE_MS STOPS")
    path, grace_ms, stops = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    heard, allowed = [], []  # received (ms), and ms each message keeps the host up
    with open(path) as f:
        for line in f:
            msg = json.loads(line)
            if msg.get("next_deadline_ns") is None:
                continue  # the last broadcast, at unload: no deadline
            heard.append(msg["received_ns"] / 1e6)
            allowed.append((msg["next_deadline_ns"] - msg["timestamp_ns"]) / 1e6 + grace_ms)
    if len(heard) < 10:
        raise SystemExit(f"{path}: only {len(heard)} broadcasts")
    gaps = [b - a for a, b in zip(heard, heard[1:])]
    mean = statistics.fmean(gaps)
    rules = {
        "deadline": allowed,
        "3-missed": [3 * mean] * len(heard),
    }
    rng = random.Random(42)
    instants = [rng.uniform(heard[0], heard[-1]) for _ in range(stops)]
    for name, keep in rules.items():
        detect = []
        for s in instants:
            i = bisect.bisect_right(heard, s) - 1  # the last broadcast heard
            detect.append(heard[i] + keep[i] - s)
        false_alarms = sum(1 for i, gap in enumerate(gaps) if gap > keep[i])
        print(f"silence: rule={name} stops={stops} p50_ms={quantile(detect, 0.5):.1f} "
              f"p99_ms={quantile(detect, 0.99):.1f} max_ms={max(detect):.1f} "
              f"false_alarms={false_alarms} gaps={len(gaps)} mean_period_ms={mean:.1f}")


if __name__ == "__main__":
    main()
