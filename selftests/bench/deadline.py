#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Whether broadcasts kept the deadlines they announced.

deadline.py PHASE=STREAM.jsonl...

Each STREAM is what ``availctl watch --json`` recorded in the VM
(selftests/bench/guest-deadline.sh). Every broadcast but the last
announces a deadline for the next; for each next one, the slack is that
deadline minus the time the module stamped it as it sent it (a negative
slack: sent late, the module's promise broken), and minus the time the
subscriber read it (late: a receiver applying the deadline with no grace
would have called the host lost). Beside each STREAM.jsonl, STREAM.reclaim
says how many pages the kernel's reclaim scanned meanwhile and how often
a task stalled for it. Prints a line per phase:

  deadline: phase=NAME messages=N sent_late=N read_late=N slack_p50_ms=X slack_p1_ms=X slack_min_ms=X read_slack_min_ms=X pgscan=N allocstall=N
"""

import json
import sys

from silence import quantile  # the same nearest rank as the other benchmarks


def phase(path):
    """Slack of each message at its send and at its read, in ms."""
    with open(path) as f:
        stream = [json.loads(line) for line in f if line.strip()]
    sent, read = [], []
    for before, msg in zip(stream, stream[1:]):
        deadline = before.get("next_deadline_ns")
        if deadline is None:
            continue
        sent.append((deadline - msg["timestamp_ns"]) / 1e6)
        read.append((deadline - msg["received_ns"]) / 1e6)
    if len(sent) < 10:
        raise SystemExit(f"{path}: only {len(sent)} messages")
    with open(path.removesuffix(".jsonl") + ".reclaim") as f:
        reclaim = f.read().strip()
    return sent, read, reclaim


def main():
    if len(sys.argv) < 2:
        raise SystemExit("usage: deadline.py PHASE=STREAM.jsonl...")
    for arg in sys.argv[1:]:
        name, path = arg.split("=", 1)
        sent, read, reclaim = phase(path)
        print(f"deadline: phase={name} messages={len(sent)} "
              f"sent_late={sum(s < 0 for s in sent)} read_late={sum(r < 0 for r in read)} "
              f"slack_p50_ms={quantile(sent, 0.5):.1f} slack_p1_ms={quantile(sent, 0.01):.1f} "
              f"slack_min_ms={min(sent):.1f} read_slack_min_ms={min(read):.1f} {reclaim}")


if __name__ == "__main__":
    main()
