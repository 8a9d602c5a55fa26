/* SPDX-License-Identifier: GPL-2.0 */
#ifndef AVAILCTL_H
#define AVAILCTL_H

#include "availcast.h"

/* Exit codes that scripts can rely on; see availctl(8). */
enum availctl_exit {
	AVAILCTL_EXIT_OK = 0,
	AVAILCTL_EXIT_FAILED = 1,	/* the kernel refused, or an error */
	AVAILCTL_EXIT_USAGE = 2,	/* bad command line */
	AVAILCTL_EXIT_NOT_LOADED = 3,	/* the availcast module is not loaded */
	AVAILCTL_EXIT_PERMISSION = 4,	/* needs CAP_NET_ADMIN */
};

/* Prints @error for the user and returns the exit code it calls for. */
int availctl_report(const struct availcast_error *error);

int availctl_show(int argc, char **argv);

#endif /* AVAILCTL_H */
