# SPDX-License-Identifier: GPL-2.0
#
# For selftests that drive availcast with the kernel's own YNL client
# (tools/net/ynl of Debian's linux-source-6.12) and our netlink spec,
# through the tree of links selftests/setup.sh makes in build/ynl.
#
#   ynl ARGS...        cli.py with our spec and JSON output; without
#                      checking the spec against the schema each time,
#                      which selftests/host/spec.sh does once (and which
#                      costs seconds per call in an emulated VM)
#   json_check EXPR    python3 EXPR about the JSON on stdin, bound to "out"

ynl_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

ynl() {
	/usr/bin/python3 "$ynl_top/build/linux-src/tools/net/ynl/cli.py" \
		--spec "$ynl_top/build/ynl/Documentation/netlink/specs/availcast.yaml" \
		--no-schema --output-json "$@"
}

json_check() {
	/usr/bin/python3 -c "import json, sys; out = json.load(sys.stdin); sys.exit(0 if ($1) else 1)"
}
