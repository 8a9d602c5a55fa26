#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Renders the results of selftests/bench/run.sh as reStructuredText.

report.py RESULTS_DIR OUTPUT.rst

Reads RESULTS_DIR/meta.txt (what the run depended on) and each
benchmark's raw lines, writes OUTPUT.rst (Documentation/benchmarks.rst)
and prints its tables. Each figure is the median of the runs; the ratios
compare figures of the same run.
"""

import re
import statistics
import sys
from pathlib import Path

from silence import quantile  # the same nearest rank for every percentile

COUNTERS = ["availcast", "atomic64", "percpu_counter", "percpu_batch", "spinlock"]
WORKLOADS = ["pairs", "charges"]
LATENCY_LINE = re.compile(r"latency: method=(\S+) subscribers=(\d+) events=(\d+) "
                          r"p50_ns=(\d+) p99_ns=(\d+) max_ns=(\d+)(?: kernel_p50_ns=(\d+))?")
COST_LINE = re.compile(r"cost: phase=(\S+) seconds=([0-9.]+) kworker_ns=(-?\d+) process_ns=(\d+) "
                       r"sent=(\d+) unheard=(\d+)")
INGEST_LINE = re.compile(r"ingest: path=(\S+) hosts=(\d+) datagrams=(\d+) ns=(\d+)")
FAILOVER_LINE = re.compile(r"^failover: fault=(\S+) run=(\d+) ms=(\d+)")
PEER_FAILOVER_LINE = re.compile(r"^peer-failover: tool=(\S+) profile=(\S+) fault=(\S+) run=(\d+) ms=(\d+)")
SPLIT_LINE = re.compile(r"split-brain: violations=(\d+) intervals=(\d+)")
DEADLINE_LINE = re.compile(r"deadline: phase=(.+) messages=(\d+) sent_late=(\d+) read_late=(\d+) "
                           r"slack_p50_ms=(-?[0-9.]+) slack_p1_ms=(-?[0-9.]+) "
                           r"slack_min_ms=(-?[0-9.]+) read_slack_min_ms=(-?[0-9.]+) "
                           r"pgscan=(\d+) allocstall=(\d+)$")
SILENCE_LINE = re.compile(r"silence: rule=(\S+) stops=(\d+) p50_ms=([0-9.]+) p99_ms=([0-9.]+) "
                          r"max_ms=([0-9.]+) false_alarms=(\d+) gaps=(\d+) mean_period_ms=([0-9.]+)")
LINE = re.compile(r"counter_bench: counter=(\S+) workload=(\S+) cpus=(\d+) ops=(\d+) ns=(\d+)")

# The goals of the hot path, from the issue that asked for the benchmark.
CONTENTION_GOAL = 5.0  # availcast / atomic64 throughput on 2 vCPUs
INGEST_GOAL = 1000000  # datagrams per second on one core...
INGEST_GOAL_HOSTS = 10000  # ...from this many hosts
FAILOVER_GOAL_MS = 1000  # p99 with the default timing
# Default failover times of tools not run here, as the issue gives them:
# reference points only (keepalived is run, beside availcast).
REFERENCES = [("corosync (token timeout 3 s)", "about 3 s"),
              ("etcd (election timeout 1 s)", "1 to 2 s")]


def matches(path, *patterns):
    """Each line of path as (index of the pattern it matched, the match);
    a line none matches stops the report, naming it."""
    for line in path.read_text().splitlines():
        for i, pattern in enumerate(patterns):
            m = pattern.search(line)
            if m:
                yield i, m
                break
        else:
            raise SystemExit(f"{path}: unexpected line {line!r}")


def read_meta(results):
    meta = {}
    for line in (results / "meta.txt").read_text().splitlines():
        key, _, value = line.partition("=")
        meta[key] = value
    return meta


def read_counter(results):
    """{(counter, workload, cpus): [Mops/s of each run]}"""
    runs = {}
    for path in sorted(results.glob("counter-smp*/counter.txt")):
        for _, m in matches(path, LINE):
            counter, workload, cpus, ops, ns = m.groups()
            mops = int(ops) * 1000 / int(ns)
            runs.setdefault((counter, workload, int(cpus)), []).append(mops)
    if not runs:
        raise SystemExit(f"{results}: no hot-path results")
    return {key: statistics.median(values) for key, values in runs.items()}


def table(header, rows):
    """A reST simple table."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    rule = "  ".join("=" * w for w in widths)
    fmt = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()
    return "\n".join([rule, fmt(header), rule, *map(fmt, rows), rule])


def counter_section(mops):
    cpus = sorted({key[2] for key in mops})
    rows = []
    for workload in WORKLOADS:
        for n in cpus:
            ours = mops[("availcast", workload, n)]
            for counter in COUNTERS:
                value = mops[(counter, workload, n)]
                per_op_ns = n * 1000 / value  # one CPU's time per operation
                ratio = "" if counter == "availcast" else f"{ours / value:.2f}x"
                rows.append([workload, n, counter, f"{value:.1f}", f"{per_op_ns:.1f}", ratio])
    text = table(["workload", "vCPUs", "counter", "Mops/s", "ns/op", "availcast is"], rows)

    verdicts = []
    if 2 in cpus:
        worst = min(mops[("availcast", w, 2)] / mops[("atomic64", w, 2)] for w in WORKLOADS)
        met = "met" if worst >= CONTENTION_GOAL else f"missed, {worst:.2f}x of the {CONTENTION_GOAL:g}x asked"
        verdicts.append(f"- availcast at least {CONTENTION_GOAL:g}x ``atomic64_t`` under contention "
                        f"on 2 vCPUs: {met} (the worse workload).")
    if 2 in cpus and worst < CONTENTION_GOAL:
        single = mops[("atomic64", "pairs", 1)] / mops[("availcast", "pairs", 1)]
        scale = {c: mops[(c, "pairs", 2)] / mops[(c, "pairs", 1)] for c in COUNTERS}
        verdicts.append(
            f"- What limits it here: emulation. On one vCPU, qemu needs no host atomic "
            f"for a locked add: there, ``atomic64`` runs at {single:.2f}x availcast's "
            f"rate. From one vCPU to two, ``pairs`` throughput changes "
            f"{scale['atomic64']:.2f}x for ``atomic64`` and {scale['availcast']:.2f}x "
            f"for availcast. Whether more CPUs, or real ones, reach the 5x is not "
            f"measured: this machine has two cores and no KVM.")
    slowest = min((mops[("availcast", w, n)] / mops[("percpu_counter", w, n)], w, n)
                  for w in WORKLOADS for n in cpus)
    ratio, w, n = slowest
    met = "met" if ratio >= 1.0 else f"missed: {ratio:.2f}x"
    verdicts.append(f"- availcast not slower than ``percpu_counter`` on any workload: {met} "
                    f"(closest: {w} on {n} vCPU(s), {ratio:.2f}x).")
    return text, "\n".join(verdicts)


def read_latency(results):
    """[(method, subscribers, events, p50, p99, max, kernel p50 or None)], in ns"""
    path = results / "latency" / "latency.txt"
    rows = []
    for _, m in matches(path, LATENCY_LINE):
        method, subs, events, p50, p99, worst, kernel = m.groups()
        rows.append((method, int(subs), int(events), int(p50), int(p99), int(worst),
                     int(kernel) if kernel else None))
    if not rows:
        raise SystemExit(f"{path}: no latency results")
    return rows


def latency_section(rows):
    ms = lambda ns: f"{ns / 1e6:.3f}"
    polling = next(r for r in rows if r[0].startswith("polling"))
    table_rows = []
    for method, subs, events, p50, p99, worst, kernel in rows:
        ratio = "" if method.startswith("polling") else f"{polling[3] / p50:.1f}x"
        table_rows.append([method, subs if not method.startswith("polling") else "",
                           events, ms(p50), ms(p99), ms(worst),
                           ms(kernel) if kernel is not None else "", ratio])
    text = table(["method", "subscribers", "events", "p50 ms", "p99 ms", "max ms",
                  "kernel p50 ms", "p50 faster"], table_rows)
    return text


def read_cost(results):
    """{phase: (seconds, kworker ns, process ns, sent, unheard)}"""
    path = results / "cost" / "cost.txt"
    phases = {}
    for _, m in matches(path, COST_LINE):
        phases[m.group(1)] = (float(m.group(2)), *(int(g) for g in m.groups()[2:]))
    return phases


def cost_section(phases):
    base_s, base_kw = phases["without-module"][:2]
    baseline = base_kw / base_s  # the workers' own ns per second

    def ours(phase):
        """ns per second the workers spent beyond the baseline, and the process's."""
        secs, kw, proc = phases[phase][:3]
        return kw / secs - baseline, proc / secs

    us = lambda ns: f"{ns / 1e3:.1f}"
    ms = lambda ns: f"{ns / 1e6:.2f}"
    rows = []
    idle_kw, _ = ours("no-subscriber")
    periods = phases["no-subscriber"][4] / phases["no-subscriber"][0]
    rows.append(["no subscriber", f"{periods:.0f} periods", ms(idle_kw), "", ms(idle_kw),
                 us(idle_kw / periods) + " us a period"])
    quiet_kw, _ = ours("no-subscriber-sampling-60s")
    rows.append(["no subscriber, sampling every 60 s", f"{periods:.0f} periods", ms(quiet_kw),
                 "", ms(quiet_kw), us(quiet_kw / periods) + " us a period"])
    sub_kw, sub_proc = ours("one-subscriber")
    rate = phases["one-subscriber"][3] / phases["one-subscriber"][0]
    rows.append(["one subscriber", f"{rate:.0f} messages", ms(sub_kw), ms(sub_proc),
                 ms(sub_kw + sub_proc), us((sub_kw + sub_proc) / rate) + " us a message"])
    # The poller's kernel work (building GET replies) runs in its own
    # time; the workers then only run the idle emitter, not polling's.
    _, poll_proc = ours("polling-10ms")
    polls = 1e9 / 10e6
    rows.append(["polling every 10 ms", f"{polls:.0f} polls", "(in process)", ms(poll_proc),
                 ms(poll_proc), us(poll_proc / polls) + " us a poll"])
    text = table(["case", "per second", "kernel ms/s", "process ms/s", "total ms/s", "each"], rows)
    sub_total = sub_kw + sub_proc
    text += (f"\n\nAt the same rate, one subscriber and the broadcasts it reads cost "
             f"{sub_total / poll_proc:.2f}x what a poller costs. A broadcast wakes two tasks, the "
             f"emitter's worker and the subscriber; a poll, one. Against that, one "
             f"broadcast serves every subscriber where each poller pays in full, and the "
             f"latency above.\n\n"
             f"With nobody listening the module spends {ms(idle_kw)} ms a second, "
             f"{idle_kw / sub_total:.1%} of the one-subscriber case: no message is built, "
             f"and the emitter sleeps, looking once a second (genl tells it of a new "
             f"subscriber). Most of what remains is the sampler, which samples every "
             f"100 ms whether anyone listens, to notice news: with it at its slowest "
             f"the module spends {ms(quiet_kw)} ms a second "
             f"({quiet_kw / sub_total:.1%}). Within the noise of the baseline, which "
             f"is what the workers do anyway, a figure near zero can come out "
             f"slightly negative. On kernels before 6.7 (Debian's 6.1) genl does not "
             f"tell, and the emitter looks every period instead.")
    return text


def read_failover(results):
    """({fault: [ms of each run]}, {(tool, profile, fault): [ms]}, (violations, intervals))"""
    path = results / "failover" / "failover.txt"
    runs, peers, split = {}, {}, None
    for kind, m in matches(path, FAILOVER_LINE, PEER_FAILOVER_LINE, SPLIT_LINE):
        if kind == 0:
            runs.setdefault(m.group(1), []).append(int(m.group(3)))
        elif kind == 1:
            peers.setdefault(m.group(1, 2, 3), []).append(int(m.group(5)))
        else:
            split = (int(m.group(1)), int(m.group(2)))
    if not runs or split is None:
        raise SystemExit(f"{path}: incomplete failover results")
    return runs, peers, split


def peers_table(runs, peers):
    """The peers' failover beside availcast's for the same fault: the
    ratio is theirs over ours at the median and at p99 (above 1: availcast
    is faster)."""
    rows = []
    for (tool, profile, fault), ms in sorted(peers.items()):
        ours = runs.get(fault)
        if not ours:
            continue
        rows.append([f"{tool} ({profile})", fault, len(ms), quantile(ms, 0.5), quantile(ms, 0.99),
                     f"{quantile(ms, 0.5) / quantile(ours, 0.5):.2f}x",
                     f"{quantile(ms, 0.99) / quantile(ours, 0.99):.2f}x"])
    return table(["peer, in the same run", "fault", "runs", "p50 ms", "p99 ms",
                  "p50 / availcast's", "p99 / availcast's"], rows)


def failover_section(runs, peers, split):
    rows = [[fault, len(ms), quantile(ms, 0.5), quantile(ms, 0.99), max(ms), min(ms)]
            for fault, ms in runs.items()]
    text = table(["fault", "runs", "p50 ms", "p99 ms", "max ms", "min ms"], rows)
    if peers:
        text += ("\n\nkeepalived 2.2.7 (Debian's) in the same namespaces and the same run, "
                 "killed the same way (its VRRP child and parent at once) and timed to the "
                 "other's change to MASTER as its notify FIFO tells it; ``defaults`` is "
                 "VRRPv2 with advert_int 1, ``aggressive`` VRRPv3 with advert_int 0.01. "
                 "keepalived has no witness and no fencing: a partition gives two masters, "
                 "so only kill compares:\n\n")
        text += peers_table(runs, peers)
    text += "\n\nReference points, the tools' documented defaults (not measured here):\n\n"
    text += table(["tool", "default failover"], REFERENCES)
    worst = max(quantile(ms, 0.99) for ms in runs.values())
    violations, intervals = split
    met = "met" if worst < FAILOVER_GOAL_MS and not violations else "missed"
    text += (f"\n\nGoal: p99 under {FAILOVER_GOAL_MS} ms with the defaults and no split brain: "
             f"{met} (worst p99 {worst} ms; the checker found {violations} violations over "
             f"{intervals} active intervals).")
    return text


def read_silence(results):
    """[(rule, stops, p50, p99, max, false alarms, gaps, mean period)]"""
    path = results / "silence.txt"
    rows = []
    for _, m in matches(path, SILENCE_LINE):
        rule, stops, p50, p99, worst, false, gaps, mean = m.groups()
        rows.append((rule, int(stops), float(p50), float(p99), float(worst), int(false),
                     int(gaps), float(mean)))
    if len(rows) != 2:
        raise SystemExit(f"{path}: expected the two rules")
    return rows


def silence_section(rows):
    table_rows = [[rule, stops, f"{p50:.0f}", f"{p99:.0f}", f"{worst:.0f}", f"{false} of {gaps}"]
                  for rule, stops, p50, p99, worst, false, gaps, _ in rows]
    text = table(["rule", "stops", "p50 ms", "p99 ms", "max ms", "false alarms"], table_rows)
    deadline, fixed = rows
    mean = deadline[7]
    text += (f"\n\nThe mean period of the stream was {mean:.0f} ms, so the fixed rule gives up "
             f"{3 * mean:.0f} ms after the last broadcast, whatever the host announced. The "
             f"deadline rule follows each period: at the median it detects the silence in "
             f"{deadline[2]:.0f} ms against {fixed[2]:.0f} ({fixed[2] / deadline[2]:.2f}x as "
             f"fast); its p99, {deadline[3]:.0f} ms against {fixed[3]:.0f}, is a loaded host's "
             f"long period, which it announced. It raised {deadline[5]} false alarms over "
             f"{deadline[6]} gaps; the fixed rule {fixed[5]}, each time a loaded host's period "
             f"ran past three mean ones: a live host called lost.")
    return text


def read_deadline(results):
    """[(phase, messages, sent late, read late, p50, p1, min, read min, pgscan, allocstall)]"""
    path = results / "deadline.txt"
    rows = []
    for _, m in matches(path, DEADLINE_LINE):
        name, messages, sent_late, read_late, p50, p1, low, read_low, pgscan, stalls = m.groups()
        rows.append((name, int(messages), int(sent_late), int(read_late), float(p50), float(p1),
                     float(low), float(read_low), int(pgscan), int(stalls)))
    if len(rows) != 2:
        raise SystemExit(f"{path}: expected the idle and the memory hog phases")
    return rows


def deadline_section(rows):
    table_rows = [[name, messages, f"{sent_late}", f"{read_late}", f"{p50:.1f}", f"{p1:.1f}",
                   f"{low:.1f}", f"{read_low:.1f}", pgscan, stalls]
                  for name, messages, sent_late, read_late, p50, p1, low, read_low, pgscan, stalls
                  in rows]
    text = table(["phase", "messages", "sent late", "read late", "slack p50 ms", "slack p1 ms",
                  "slack min ms", "read slack min ms", "pages scanned", "reclaim stalls"],
                 table_rows)
    idle, hog = rows
    text += (f"\n\nUnder the hog the median slack at the send was {hog[4]:.1f} ms against "
             f"{idle[4]:.1f} idle ({hog[4] / idle[4]:.2f}x), the smallest {hog[6]:.1f} ms "
             f"against {idle[6]:.1f}; {hog[2]} of {hog[1]} messages were sent after the "
             f"deadline their predecessor announced ({idle[2]} of {idle[1]} idle).")
    return text


def read_ingest(results):
    """({(path, hosts): median datagrams/s}, {hosts: why it did not run})"""
    runs, refused = {}, {}
    path = results / "ingest.txt"
    for _, m in (matches(path, INGEST_LINE) if path.exists() else []):
        kind, hosts, datagrams, ns = m.groups()
        runs.setdefault((kind, int(hosts)), []).append(int(datagrams) * 1e9 / int(ns))
    for err in results.glob("ingest-*.err"):
        hosts = int(err.stem.split("-")[1])
        if err.read_text().strip() and ("manager", hosts) not in runs:
            refused[hosts] = err.read_text().strip().splitlines()[-1]
    return {key: statistics.median(v) for key, v in runs.items()}, refused


def ingest_section(rates, refused):
    hosts = sorted({key[1] for key in rates})
    rows = []
    for n in hosts:
        ours, floor, sent = rates[("manager", n)], rates[("recvmmsg", n)], rates[("sendto", n)]
        rows.append([n, f"{ours:,.0f}", f"{floor:,.0f}", f"{ours / floor:.2f}x",
                     f"{1e9 / sent:,.0f}"])
    text = table(["hosts", "manager/s", "recvmmsg() only/s", "manager is",
                  "sendto() ns each"], rows)
    for n, why in sorted(refused.items()):
        text += f"\n\n{n} hosts could not be measured: ``{why}``"
    if INGEST_GOAL_HOSTS in hosts:
        rate = rates[("manager", INGEST_GOAL_HOSTS)]
        # The manager's own work: the kernel's receive work is in sendto().
        met = ("met by the manager's own work; the kernel's receive work, in the "
               "last column, is not in it" if rate >= INGEST_GOAL
               else f"missed by {INGEST_GOAL / rate:.1f}x")
        verdict = f"{rate:,.0f} per second: {met}"
    else:
        largest = max(hosts)
        rate = rates[("manager", largest)]
        verdict = (f"not measured at {INGEST_GOAL_HOSTS:,} hosts (see above); at {largest}, "
                   f"the most measured, {rate:,.0f} per second, "
                   f"{rate / INGEST_GOAL:.1f}x the rate asked")
    return text, (f"- {INGEST_GOAL:,} datagrams per second from {INGEST_GOAL_HOSTS:,} hosts "
                  f"on one core: {verdict}.")


HEADER = """\
Benchmarks
==========

.. This file is written by ``make bench`` (selftests/bench/report.py);
   edit the words there, not here.

Every figure here comes from ``make bench``, which runs each benchmark
next to the obvious alternative in the same run and reports the ratio.
The VMs are emulated (qemu TCG, no KVM), so absolute times are only
indicative; the ratios are the claim. Each figure is the median of
{repeat} runs.

=========  ==========================================================
command    ``{command}`` at commit {commit}, {date}
kernel     Debian {kernel}, booted by ``selftests/vm/run.sh``
qemu       {qemu}; ``-accel tcg -cpu max -m 1024``, ``-smp`` as below
machine    {cpu}, {host_cpus} CPUs
=========  ==========================================================

Hot path: charges and releases
------------------------------

``selftests/bench/kmod/counter_bench.ko`` runs, on a kthread per online
CPU at once, {counter_ops} operations each through:

- ``availcast``: ``availcast_pool_charge()`` and ``_release()``, the
  exported API, on a pool of capacity 1,000,000 (a CPU folds its delta
  every 1/128 of the capacity shared by the CPUs);
- ``atomic64``: ``atomic64_add()`` on one shared counter;
- ``percpu_counter``: ``percpu_counter_add()``, the kernel's default batch;
- ``percpu_batch``: ``percpu_counter_add_batch()`` with availcast's batch;
- ``spinlock``: an ``s64`` under ``spin_lock_irqsave()``, usable from hard
  interrupts like the others.

Workloads: ``pairs`` charges and releases 1 to 64 in turn (in-flight
accounting: a CPU's delta stays small and never folds); ``charges``
charges 1 each time (a total that only grows: every batch folds). Every
run checks the counter's total. Mops/s counts all CPUs together; ns/op is
one CPU's time per operation.

"""


LATENCY = """\
From a change to the subscriber
-------------------------------

``build/selftests/latency_bench {latency_events} 0 1 8``
(``selftests/bench/latency_bench.c``), in the VM with two vCPUs: an event
charges pool ``bench-lat`` (capacity 1000) from free to 95 % used, or
releases it back, a threshold crossing either way, and its latency runs
from just before the charge request is sent to when the subscriber has
read the broadcast showing the pool's new level. The module is set so
that only the events make messages (periodic ones every 10 minutes, the
token bucket at 1000 a second), and events come a random 0 to 2 ms apart,
so that none waits for a token. ``subscribers`` counts the one measuring
and the processes that only read. ``kernel p50`` is the median time to
the message's own timestamp, when it was built: the rest is delivery.

The alternative is what a user would otherwise run: a process polling the
pool's state (``RESOURCE_GET``) every 10 ms on a fixed grid, each event
landing at a random point of it; its latency ends when a poll shows the
new level. ``p50 faster`` is the polling median over the broadcast's.

"""


COST = """\
The cost of broadcasting
------------------------

``selftests/bench/guest-cost.sh``, in the VM with two vCPUs, with
broadcasts every 10 ms (``interval_min_ms`` and ``interval_max_ms`` at
10, the highest periodic rate), {cost_seconds} s a phase. The kernel's
share is the CPU time of every workqueue worker (scheduler statistics):
the emitter builds and sends in the high-priority workqueue's, the
sampler samples in another's; less what they used in the same time
without the module. The process is one of two lean
clients of ``latency_bench``, timed by themselves without their start-up:
a subscriber that reads every broadcast (``--subscribe-for``), or a
poller that sends a ``GET`` every 10 ms (``--poll-for``), whose kernel
work, building the reply, runs in its own time.

"""


INGEST = """\
Manager ingest
--------------

``build/userspace/bench/ingest_bench HOSTS {ingest_seconds}``, natively on
the host, pinned to one CPU: a manager's node is started on 127.0.0.1 in
a cluster of HOSTS hosts; batches of 64 reports (three resources each,
from the hosts in turn) are signed and sent to it, and the time it takes
to take them in through the arbiter's code is measured:
``node_receive()`` (``recvmmsg()`` of up to 32 datagrams a call,
framing, HMAC-SHA-256 with OpenSSL's ``EVP_MAC`` keyed once per host,
one search of the sender's name, replay window), then
``hosts_report()`` (no search: the sender's number finds its entry).
The baseline of the same run drains the same batches with bare
``recvmmsg()`` calls: what the socket costs by itself, the floor of any
manager. On the loopback the kernel's receive work (IP, UDP, queueing
on the socket) runs inside the sender's ``sendto()``, on the same core:
the last column, with the sender's own work, bounds what it adds to a
manager's core when it runs there.

"""


FAILOVER = """\
Failover
--------

``selftests/bench/guest-failover.sh``, in the VM with two vCPUs: the
cluster of the tests (two managers and three hosts, each a network
namespace running its daemon, the plain build) with the default timing
(heartbeat 100 ms, grace 500 ms, lease 700 ms, drift 1000 ppm, margin
20 ms). {failover_runs} runs of each fault, alternating which manager is
active: ``kill``, the active's daemon killed with ``kill -9`` (then
restarted, to rejoin as standby); ``partition``, the active's link set
down, cutting it off from everyone (then up again). The time runs from
just before the fault to the standby's ``role=active`` log line, on the
clock the daemons' logs share (``CLOCK_BOOTTIME``). With {failover_runs}
runs, p99 is the slowest run. ``selftests/lib/cluster_check.py`` then
reads every daemon's log: two managers must never have been active at
once (a manager counts as active until its hold ran out).

"""


SILENCE = """\
Silence detection
-----------------

``selftests/bench/guest-silence.sh`` records, in the VM, the real
broadcast stream of a host whose pool is charged to a random level every
2 s for {silence_seconds} s (so its period moves between 100 ms and 1 s,
the defaults, with threshold broadcasts between), as ``availctl watch
--json`` receives it. ``selftests/bench/silence.py`` then stops the
host's relay at 10,000 instants drawn over the recording and times how
long each rule takes to mark the host unavailable: the deadline rule of
``availctl arbiter`` (the last broadcast's announced deadline plus
``host-grace-ms``, 100), against three missed heartbeats at the stream's
own mean period. A false alarm is a gap between two broadcasts, the host
alive, longer than the rule allowed.

"""


DEADLINE = """\
Deadlines under memory pressure
-------------------------------

``selftests/bench/guest-deadline.sh`` sets the emitter to broadcast every
20 ms (each message promises the next within 42.5 ms) and records the
stream with ``availctl watch --json`` for {deadline_seconds} s on the idle
VM, then as long again while ``selftests/bench/memory_hog.py`` holds all
but 8 MB of the VM's memory, replacing it block by block and reading
files through the page cache, so that the kernel reclaims throughout.
``selftests/bench/deadline.py`` gives each message's slack: the deadline
its predecessor announced minus the time the module stamped it as it sent
it (negative: the promise broken), and minus the time the subscriber read
it (which is the VM's scheduling of the reader as well).

"""


TO_COME = """\
Not measured yet
----------------

Whether the hot path reaches 5x ``atomic64_t`` on real CPUs or on more
than two (this machine has two cores and no KVM).
"""


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: report.py RESULTS_DIR OUTPUT.rst")
    results, output = Path(sys.argv[1]), Path(sys.argv[2])
    meta = read_meta(results)
    counter_table, counter_verdicts = counter_section(read_counter(results))
    ingest_table, ingest_verdict = ingest_section(*read_ingest(results))
    latency_table = latency_section(read_latency(results))
    cost_table = cost_section(read_cost(results))
    failover_table = failover_section(*read_failover(results))
    silence_table = silence_section(read_silence(results))
    deadline_table = deadline_section(read_deadline(results))
    text = (HEADER.format(**meta) + counter_table + "\n\nGoals:\n\n" + counter_verdicts
            + "\n\n" + LATENCY.format(**meta) + latency_table
            + "\n\n" + COST.format(**meta) + cost_table
            + "\n\n" + INGEST.format(**meta) + ingest_table + "\n\nGoal:\n\n"
            + ingest_verdict + "\n\n" + FAILOVER.format(**meta) + failover_table
            + "\n\n" + SILENCE.format(**meta) + silence_table
            + "\n\n" + DEADLINE.format(**meta) + deadline_table + "\n\n" + TO_COME)
    output.write_text(text)
    for part in (counter_table, counter_verdicts, latency_table, cost_table, ingest_table,
                 ingest_verdict, failover_table, silence_table, deadline_table):
        print(part)


if __name__ == "__main__":
    main()
