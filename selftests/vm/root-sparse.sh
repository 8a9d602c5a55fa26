#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# root-sparse.sh ROOT SUITE: makes `make C=1` and `make C=2` run sparse in
# ROOT (a Debian root made by kernel-root.sh) against the headers of
# SUITE's kernel installed there, as they do for the other kernels.
# Idempotent: a second run finds it done and does nothing.
#
# Two things stand in the way on Debian 13 with 7.x's headers:
#  - the headers use __typeof_unqual__ under __CHECKER__
#    (compiler_types.h), which Debian 13's sparse 0.6.4 does not know: it
#    reports errors on every file. Debian testing's sparse (0.6.5~rc1)
#    knows it, and its sparse program needs only the C library, which
#    Debian 13's is new enough for; its package's other dependencies
#    (gcc-16 for cgcc, libxml2-16 for c2xml) are testing's, which a
#    Debian 13 root cannot take. So the package is fetched through an apt
#    of our own, as fetch-kernel.sh fetches bullseye's kernel, and its
#    sparse program alone goes to ROOT's /usr/local/bin, before Debian
#    13's in PATH. Testing's Release file, as the archive serves it here,
#    is past its Valid-Until date (as sid's is): apt is told not to look
#    at that date for this one package, whose signature it still checks;
#  - Debian's kbuild for 7.x lacks scripts/checker-valid.sh, which the
#    kernel's Makefile runs to decide whether sparse is fit: without it,
#    C=1 and C=2 silently check nothing. One of ours goes in its place,
#    which answers as the Makefile expects (1: fit, 0: not) by running
#    the checker over the construct above.
#
# As root: through sudo otherwise.

set -euo pipefail
[ "$(id -u)" -eq 0 ] || exec sudo -E "$0" "$@"

root=${1:?usage: root-sparse.sh ROOT SUITE}
suite=${2:?usage: root-sparse.sh ROOT SUITE}
cache=${AVAILCAST_CACHE:-/var/cache/availcast}
# Debian testing by its name, so that a new testing is a choice made here.
sparse_suite=forky
apt_root=$cache/apt/$sparse_suite

log() { printf 'root-sparse: %s\n' "$*" >&2; }

# The kbuild of SUITE's kernel in ROOT: one, kernel-root.sh installs one
# kernel.
kbuild=$(find "$root/usr/lib" -maxdepth 1 -name 'linux-kbuild-*' | sort -V | tail -n 1)
[ -d "$kbuild/scripts" ] || { log "no linux-kbuild in $root ($suite)"; exit 1; }

checker=$kbuild/scripts/checker-valid.sh
if [ ! -e "$checker" ]; then
	cat > "$checker.new" <<'EOF'
#!/bin/sh
# Put here by availcast's selftests/vm/root-sparse.sh, since Debian's
# kbuild lacks this script and the kernel's Makefile then runs no checker.
# checker-valid.sh CHECKER [FLAGS...]: prints 1 when CHECKER runs and
# parses what the kernel's headers use under __CHECKER__, 0 when not.
command -v "$1" > /dev/null 2>&1 || { echo 0; exit 0; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
printf 'int availcast_probe(const int *p)\n{\n\t__typeof_unqual__(*p) v = *p;\n\n\treturn v;\n}\n' \
	> "$dir/probe.c"
# sparse exits 0 whatever it reports: its words tell.
case $("$@" "$dir/probe.c" 2>&1) in
*error*) echo 0 ;;
*) echo 1 ;;
esac
EOF
	chmod 0755 "$checker.new"
	mv "$checker.new" "$checker"
fi

# Fit already (a sparse of the root's own release that knows it, one day,
# or ours from an earlier run): nothing to fetch.
fit() {
	chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin \
		"${checker#"$root"}" sparse -m64
}
[ "$(fit)" = 1 ] && exit 0

log "$suite's sparse cannot read its kernel's headers: taking $sparse_suite's"
# shellcheck source=selftests/lib/own-apt.sh
. "$(dirname "$0")/../lib/own-apt.sh"
own_apt "$apt_root" "deb http://deb.debian.org/debian $sparse_suite main" \
	'Acquire::Check-Valid-Until "false"'
apt-get update -qq
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -qq sparse)
dpkg-deb -x "$work"/sparse_*.deb "$work/x"
mkdir -p "$root/usr/local/bin"
install -m 0755 "$work/x/usr/bin/sparse" "$root/usr/local/bin/sparse"
if [ "$(fit)" != 1 ]; then
	log "$sparse_suite's sparse cannot read $suite's kernel headers either"
	rm -f "$root/usr/local/bin/sparse"
	exit 1
fi
log "sparse $(dpkg-deb -f "$work"/sparse_*.deb Version) from $sparse_suite in $root/usr/local/bin"
