#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build_module.sh ABI: builds availcast.ko, and the selftests' module that
# drives its kernel API, for kernel ABI (a Debian kernel, or a debug kernel
# of selftests/debug-kernel/) into build/kmod/ABI/, and checks that the
# compiler at W=1 and sparse have nothing to say. The build happens in a
# directory of its own, made of links to the sources, so that kernels never
# share objects and can be built side by side. A kernel whose headers need
# their own release's compiler and C library (7.x, vm/kernel-root.sh) is
# built in that release's root, through vm/in-root.sh.

. "$(dirname "$0")/../lib/tap.sh"

abi=${1:?usage: build_module.sh ABI}
top=$(cd "$(dirname "$0")/../.." && pwd)
kdir=$("$top/selftests/vm/kernels.sh" --build-dir "$abi")
build_root=$("$top/selftests/vm/kernels.sh" --build-root "$abi")
in_root=()
make_kdir=$kdir
if [ "$build_root" != / ]; then
	in_root=("$top/selftests/vm/in-root.sh" "$build_root")
	make_kdir=${kdir#"$build_root"}
fi
out=$top/build/kmod/$abi

rm -rf "$out"
mkdir -p "$out"
(cd "$top" && find Kbuild VERSION kmod include selftests/kmod selftests/bench/kmod -name Kbuild -o -name VERSION -o -name '*.[ch]') |
while read -r file; do
	mkdir -p "$out/$(dirname "$file")"
	ln -s "$top/$file" "$out/$file"
done

# Lines a clean build may print: everything else from the compiler or
# sparse is a finding. BTF is skipped because Debian ships no vmlinux.
noise='^make(\[[0-9]+\])?: |^  (CC|LD|MODPOST|CHECK|BTF)|^Skipping BTF generation'

build() { "${in_root[@]}" make -C "$make_kdir" M="$out" AVAILCAST_TEST_MODULE=m "$@" modules; }

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

# On a debug kernel, a checker sees the module only if the module was
# compiled for it: look for the sanitizer's hooks in the object.
for checker in KASAN:__asan_report_ KCSAN:__tsan_ UBSAN:__ubsan_handle_; do
	name=${checker%%:*}
	grep -qx "CONFIG_$name=y" "$kdir/.config" 2> /dev/null || continue
	# Not grep -q: nm would die of SIGPIPE, failing the pipeline.
	if nm "$out/availcast.ko" | grep -c " U ${checker#*:}" > /dev/null; then
		tap_ok "the module is instrumented for $name on $abi"
	else
		tap_fail "the module is instrumented for $name on $abi"
	fi
done

# C=2 runs sparse over every file, built or not.
build C=2 > "$out/sparse.log" 2>&1
if findings=$(grep -Ev "$noise" "$out/sparse.log"); then
	tap_fail "sparse has nothing to say about the module for $abi" "$findings"
else
	tap_ok "sparse has nothing to say about the module for $abi"
fi
tap_done
