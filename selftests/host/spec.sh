#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Documentation/netlink/specs/availcast.yaml against the kernel's schema and
# against include/uapi/linux/availcast.h: the kernel's YNL generator
# renders a UAPI header from the spec, and every name it defines must have
# the same value in ours.

. "$(dirname "$0")/../lib/tap.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
ynl=$top/build/ynl
out=$top/build/spec
spec=$ynl/Documentation/netlink/specs/availcast.yaml
mkdir -p "$out"

tap_check "the spec is valid against the genetlink-c schema" \
	/usr/bin/python3 -c "
import jsonschema, sys, yaml
spec = yaml.safe_load(open(sys.argv[1]))
jsonschema.validate(spec, yaml.safe_load(open(sys.argv[2])))" \
	"$spec" "$ynl/Documentation/netlink/genetlink-c.yaml"

if ! gen=$(timeout 60 /usr/bin/python3 "$top/build/linux-src/tools/net/ynl/ynl-gen-c.py" \
		--spec "$spec" --mode uapi --header -o "$out/generated.h" 2>&1); then
	tap_fail "YNL renders a UAPI header from the spec" "$gen"
	tap_done
fi
tap_ok "YNL renders a UAPI header from the spec"

# Prints every AVAILCAST_ name the generated header defines, with its
# value, as compiled against the header given to the compiler.
names=$(grep -oE '\bAVAILCAST_[A-Z0-9_]+\b' "$out/generated.h" | sort -u)
{
	echo '#include <stdio.h>'
	echo 'static void num(const char *n, long long v) { printf("%s=%lld\n", n, v); }'
	echo 'static void str(const char *n, const char *v) { printf("%s=\"%s\"\n", n, v); }'
	echo '#define SHOW(x) _Generic((x), char *: str, const char *: str, default: num)(#x, x)'
	echo 'int main(void) {'
	for name in $names; do echo "SHOW($name);"; done
	echo 'return 0; }'
} > "$out/values.c"

values() {
	gcc -std=c11 -Wall -Werror -include "$1" -o "$out/values" "$out/values.c" &&
		"$out/values"
}
if ! generated=$(values "$out/generated.h" 2>&1) ||
   ! ours=$(values "$top/include/uapi/linux/availcast.h" 2>&1); then
	tap_fail "every name of the spec has its value in the UAPI header" \
		"$generated" "$ours"
elif ! differences=$(diff <(echo "$generated") <(echo "$ours")); then
	tap_fail "every name of the spec has its value in the UAPI header" \
		"< spec, > include/uapi/linux/availcast.h" "$differences"
else
	tap_ok "every name of the spec has its value in the UAPI header ($(wc -l <<< "$ours") names)"
fi

# Every command, attribute, reason and resource kind of the spec is
# documented: by its full name, or by its name within its set in the
# list of that set (``SEQ`` under AVAILCAST_A_*). Padding and the
# enumerations' bounds are not interface.
undocumented=$(/usr/bin/python3 - "$out/generated.h" "$top/Documentation/netlink.rst" <<'PY'
import re, sys
header, doc = (open(path).read() for path in sys.argv[1:])
prefixes = ["AVAILCAST_CMD_", "AVAILCAST_RES_A_", "AVAILCAST_CFG_A_", "AVAILCAST_THRESHOLD_A_",
            "AVAILCAST_STATS_A_", "AVAILCAST_A_", "AVAILCAST_REASON_", "AVAILCAST_RESOURCE_"]
for name in sorted(set(re.findall(r"\bAVAILCAST_[A-Z_]+\b", header))):
    prefix = next((p for p in prefixes if name.startswith(p)), None)
    if not prefix or name.endswith(("_MAX", "_PAD")):
        continue
    if not re.search(rf"\b{name}\b", doc) and f"``{name[len(prefix):]}``" not in doc:
        print(name)
PY
)
tap_check "Documentation/netlink.rst describes every command and attribute of the spec" \
	test -z "$undocumented"
[ -z "$undocumented" ] || echo "$undocumented" | sed 's/^/# undocumented: /'
tap_done
