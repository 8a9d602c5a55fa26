# SPDX-License-Identifier: GPL-2.0
# Sphinx configuration: make docs (sphinx-build -W, Debian's python3-sphinx)
# builds this folder into build/docs/. Warnings are errors.

from pathlib import Path

project = "availcast"
author = "availcast developers"
copyright = "2026, availcast developers"
release = version = (Path(__file__).parent.parent / "VERSION").read_text().strip()

root_doc = "index"
# The ABI file and the netlink spec are read by the kernel's tools, not Sphinx.
exclude_patterns = ["ABI", "netlink/specs"]
highlight_language = "none"
html_theme = "alabaster"
html_title = f"availcast {release}"
