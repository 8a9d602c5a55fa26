#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build_module.sh ABI: builds availcast.ko, and the selftests' module that
# drives its kernel API, for Debian kernel ABI into build/kmod/ABI/, and
# checks that the compiler at W=1 and sparse have nothing to say. The build happens in a directory of its own, made of
# links to the sources, so that kernels never share objects and can be
# built side by side.

. "$(dirname "$0")/../lib/tap.sh"

abi=${1:?usage: build_module.sh ABI}
top=$(cd "$(dirname "$0")/../.." && pwd)
kdir=/lib/modules/$abi/build
out=$top/build/kmod/$abi

rm -rf "$out"
mkdir -p "$out"
(cd "$top" && find Kbuild kmod include selftests/kmod -name Kbuild -o -name '*.[ch]') |
while read -r file; do
	mkdir -p "$out/$(dirname "$file")"
	ln -s "$top/$file" "$out/$file"
done

# Lines a clean build may print: everything else from the compiler or
# sparse is a finding. BTF is skipped because Debian ships no vmlinux.
noise='^make(\[[0-9]+\])?: |^  (CC|LD|MODPOST|CHECK|BTF)|^Skipping BTF generation'

build() { make -C "$kdir" M="$out" AVAILCAST_TEST_MODULE=m "$@" modules; }

if build W=1 > "$out/build.log" 2>&1 && [ -e "$out/availcast.ko" ] &&
   [ -e "$out/selftests/kmod/availcast_test.ko" ]; then
	tap_ok "availcast.ko builds for $abi"
else
	tap_fail "availcast.ko builds for $abi" "$(tail -n 30 "$out/build.log")"
	tap_done
fi

if findings=$(grep -Ev "$noise" "$out/build.log"); then
	tap_fail "the W=1 build for $abi prints no warning" "$findings"
else
	tap_ok "the W=1 build for $abi prints no warning"
fi

# C=2 runs sparse over every file, built or not.
build C=2 > "$out/sparse.log" 2>&1
if findings=$(grep -Ev "$noise" "$out/sparse.log"); then
	tap_fail "sparse has nothing to say about the module for $abi" "$findings"
else
	tap_ok "sparse has nothing to say about the module for $abi"
fi
tap_done
