#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""memory_hog.py MARGIN_MB: holds all of the machine's memory but
MARGIN_MB, and keeps replacing it, a 16 MB block at a time, while it
reads the files under /usr through the page cache, so that the kernel
must reclaim for as long as it runs. Prints "holding N MB" once it holds what it will hold.
Written for selftests/bench/guest-deadline.sh: the machine is a test VM
without swap."""

import os
import sys

BLOCK = 16 << 20


def available_mb():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) // 1024
    raise SystemExit("no MemAvailable in /proc/meminfo")


def files():
    """The files under /usr, round and round."""
    while True:
        for root, _, names in os.walk("/usr"):
            for name in names:
                yield os.path.join(root, name)


def read_some(paths, total):
    """Reads about @total bytes of files: their pages enter the cache."""
    done = 0
    while done < total:
        try:
            with open(next(paths), "rb") as f:
                while chunk := f.read(1 << 20):
                    done += len(chunk)
        except OSError:
            pass


def main():
    margin = int(sys.argv[1])
    blocks = []
    while available_mb() - BLOCK // (1 << 20) > margin:
        blocks.append(bytes([len(blocks) & 0xFF]) * BLOCK)  # written: resident
    print(f"holding {len(blocks) * BLOCK >> 20} MB", flush=True)
    paths = files()
    i = 0
    while True:
        # Free one block and make another: the allocation finds memory
        # only as the kernel gives back what the freed one held.
        blocks[i] = None
        blocks[i] = bytes([i & 0xFF]) * BLOCK
        i = (i + 1) % len(blocks)
        read_some(paths, BLOCK)


if __name__ == "__main__":
    main()
