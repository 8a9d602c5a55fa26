// SPDX-License-Identifier: GPL-2.0
/*
 * availctl: the command line of availcast. One file per subcommand; this
 * one dispatches and turns errors into messages and exit codes.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "availctl.h"

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct subcommand subcommands[] = {
	{ "show", availctl_show, "show this host's availability" },
};

#define N_SUBCOMMANDS (sizeof(subcommands) / sizeof(subcommands[0]))

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: availctl [--version] [--help] <command> [<args>]\n\n");
	fprintf(out, "commands:\n");
	for (i = 0; i < N_SUBCOMMANDS; i++)
		fprintf(out, "  %-10s %s\n", subcommands[i].name,
			subcommands[i].summary);
	fprintf(out, "\n'availctl <command> --help' describes a command.\n");
}

int availctl_report(const struct availcast_error *error)
{
	fprintf(stderr, "availctl: %s\n", error->message);
	switch (error->code) {
	case ENOENT:
		return AVAILCTL_EXIT_NOT_LOADED;
	case EPERM:
	case EACCES:
		fprintf(stderr, "availctl: this needs CAP_NET_ADMIN: run it as root\n");
		return AVAILCTL_EXIT_PERMISSION;
	}
	return AVAILCTL_EXIT_FAILED;
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return AVAILCTL_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return AVAILCTL_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("availctl %s\n", AVAILCAST_VERSION);
		return AVAILCTL_EXIT_OK;
	}
	for (i = 0; i < N_SUBCOMMANDS; i++) {
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "availctl: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return AVAILCTL_EXIT_USAGE;
}
