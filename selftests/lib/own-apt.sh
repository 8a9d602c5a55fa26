# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# An apt of our own, for what this Debian 12 system cannot install: another
# release's packages, looked up and downloaded (never installed here).
# Sourced by selftests/vm/fetch-kernel.sh, kernel-root.sh and
# root-sparse.sh.
#
# own_apt DIR SOURCES [OPTION...]: an apt whose sources (SOURCES: lines of
# sources.list), lists, downloads and empty dpkg status live under DIR,
# checked against Debian's keyring (bookworm's has bullseye's and trixie's
# keys), each OPTION ("Name \"value\"") added to its configuration; and
# exports APT_CONFIG for the apt-get and apt-cache that follow. The
# system's own sources stay as they are. apt-get update is the caller's.
own_apt() {
	local dir=$1 sources=$2 option
	shift 2
	mkdir -p "$dir"/etc/apt/apt.conf.d "$dir"/etc/apt/preferences.d \
		"$dir"/var/lib/apt/lists/partial "$dir"/var/cache/apt/archives/partial \
		"$dir"/var/lib/dpkg
	touch "$dir/var/lib/dpkg/status"
	printf '%s\n' "$sources" > "$dir/etc/apt/sources.list"
	{
		cat <<-EOF
		Dir::State "$dir/var/lib/apt";
		Dir::State::status "$dir/var/lib/dpkg/status";
		Dir::Cache "$dir/var/cache/apt";
		Dir::Etc "$dir/etc/apt";
		Dir::Etc::TrustedParts "/usr/share/keyrings";
		APT::Architecture "amd64";
		APT::Sandbox::User "root";
		EOF
		for option in "$@"; do
			printf '%s;\n' "$option"
		done
	} > "$dir/apt.conf"
	export APT_CONFIG=$dir/apt.conf
}
