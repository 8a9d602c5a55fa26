#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
The kernel's own YNL library, which we did not write, drives the family
from Documentation/netlink/specs/availcast.yaml alone: do, dump and
subscribe, for reading and for changes, and a refusal's extack.

One Python process for every check: under TCG and KASAN, starting
Python and parsing the spec costs twenty seconds a time (the shell
version of this test, a process per request, took nine minutes there).
The CLI (tools/net/ynl/cli.py) is a thin layer over the same calls.
"""

import os
import sys
import time

top = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
sys.path.insert(0, os.path.join(top, 'build/linux-src/tools/net/ynl'))
from lib import YnlFamily, NlError  # noqa: E402

SPEC = os.path.join(top, 'build/ynl/Documentation/netlink/specs/availcast.yaml')

count = 0
failures = 0


def tap(name, ok, *detail):
    global count, failures
    count += 1
    if not ok:
        failures += 1
    print(f"{'ok' if ok else 'not ok'} {count} - {name}")
    for line in detail:
        for part in str(line).splitlines():
            print(f"# {part}")


def check(name, holds, call, *args):
    """YNL's call succeeds and holds(reply) is true."""
    try:
        out = call(*args)
    except NlError as e:
        tap(name, False, f"{call.__name__}{args}", e)
        return None
    try:
        ok = holds(out)
    except (KeyError, TypeError, IndexError) as e:
        ok, out = False, f"{out} ({e!r})"
    tap(name, ok, *(() if ok else (f"{call.__name__}{args}", "not true of:", out)))
    return out


def main():
    # No schema check here: selftests/host/spec.sh checks it once.
    ynl = YnlFamily(SPEC, '')
    print("TAP version 13")
    saved = ynl.do('config-get', {})

    check("--do get returns a snapshot",
          lambda out: out['node-id'] and 0 <= out['level'] <= 1000
          and 'sent' in out['stats'],
          ynl.do, 'get', {})
    check("--dump resource-get lists the built-in resources",
          lambda out: [r['name'] for r in out][:2] == ['cpu', 'memory'],
          ynl.dump, 'resource-get', {})
    check("--do config-get returns the configuration",
          lambda out: out['interval-min-ms'] <= out['interval-max-ms']
          and out['aggregation'] == 'min',
          ynl.do, 'config-get', {})
    check("--do config-set changes a tunable", lambda out: out is None,
          ynl.do, 'config-set', {'delta': 150, 'aggregation': 'mean'})
    check("the change is seen by config-get",
          lambda out: out['delta'] == 150 and out['aggregation'] == 'mean',
          ynl.do, 'config-get', {})
    check("--do pool-new creates a pool", lambda out: out is None,
          ynl.do, 'pool-new', {'name': 'ynl-pool', 'capacity': 100})
    check("--do pool-charge charges it", lambda out: out is None,
          ynl.do, 'pool-charge', {'name': 'ynl-pool', 'amount': 30})
    check("--do resource-get reads it back",
          lambda out: out['kind'] == 'pool' and out['used'] == 30
          and out['level'] == 700,
          ynl.do, 'resource-get', {'name': 'ynl-pool'})
    check("--dump resource-get filters by kind",
          lambda out: [r['name'] for r in out] == ['ynl-pool'],
          ynl.dump, 'resource-get', {'kind': 'pool'})

    name = "a refusal reaches YNL with its extack message"
    try:
        out = ynl.do('pool-charge', {'name': 'ynl-pool', 'amount': 1000})
        tap(name, False, "the charge succeeded:", out)
    except NlError as e:
        ok = "the amount exceeds the pool's capacity" in str(e)
        tap(name, ok, *(() if ok else (e,)))

    # A socket of its own, as a subscriber would have.
    listener = YnlFamily(SPEC, '')
    listener.ntf_subscribe('avail')
    time.sleep(2)
    listener.check_ntf()
    out = listener.async_msg_queue
    tap("--subscribe avail receives broadcasts with every attribute",
        len(out) >= 2 and all(
            n['name'] == 'notify'
            and n['msg']['reason'] in ('periodic', 'threshold', 'request')
            and n['msg']['next-deadline-ns'] > n['msg']['timestamp-ns']
            and any(r['name'] == 'ynl-pool' for r in n['msg']['resource'])
            for n in out),
        *(() if len(out) >= 2 else (f"{len(out)} notifications: {out}",)))
    check("--do pool-del deletes it", lambda out: out is None,
          ynl.do, 'pool-del', {'name': 'ynl-pool'})

    # Put the configuration back as it was.
    ynl.do('config-set', saved)
    print(f"1..{count}")
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
