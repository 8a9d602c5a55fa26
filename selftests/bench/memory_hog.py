#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""memory_hog.py MB: holds MB megabytes of memory, in 16 MB blocks, and
keeps reading a byte of every page of each block in turn and replacing
it, so that a machine with less memory than that must swap for as long
as it runs: every allocation, the kernel's too, then waits on reclaim.
Prints "holding N MB" once it holds them. Written for
selftests/bench/guest-deadline.sh, which gives the VM a compressed swap
(zram) for it."""

import sys

BLOCK = 16 << 20
PAGE = 4096


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: memory_hog.py MB")
    blocks = [bytes([i & 0xFF]) * BLOCK for i in range(int(sys.argv[1]) // (BLOCK >> 20))]
    print(f"holding {len(blocks) * BLOCK >> 20} MB", flush=True)
    i = 0
    while True:
        sum(memoryview(blocks[i])[::PAGE])  # swapped in, if it was out
        blocks[i] = None
        blocks[i] = bytes([i & 0xFF]) * BLOCK
        i = (i + 1) % len(blocks)


if __name__ == "__main__":
    main()
