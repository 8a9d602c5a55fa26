#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""write_once.py FILE VALUE

Writes VALUE to FILE in a single write(2), as a sysfs store sees it; a shell
would split it at newlines. VALUE takes backslash escapes (\\n, \\t, \\0,
\\xNN). Exits 0 when the whole value was written, else prints the error
(e.g. "Invalid argument") and exits 1.
"""
import codecs
import os
import sys

path = sys.argv[1]
value = codecs.escape_decode(sys.argv[2].encode())[0]
fd = os.open(path, os.O_WRONLY)
try:
    written = os.write(fd, value)
except OSError as error:
    print(f"{path}: {error.strerror}", file=sys.stderr)
    sys.exit(1)
finally:
    os.close(fd)
if written != len(value):
    print(f"{path}: wrote {written} of {len(value)} bytes", file=sys.stderr)
    sys.exit(1)
