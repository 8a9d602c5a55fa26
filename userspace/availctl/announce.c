// SPDX-License-Identifier: GPL-2.0
/*
 * availctl announce: asks the module for a broadcast now.
 */

#include <getopt.h>

#include "availctl.h"

static const char usage[] =
	"usage: availctl announce\n\n"
	"Asks the module to broadcast now, with reason request. It takes a\n"
	"token from the bucket that also limits threshold broadcasts: with\n"
	"none left, the broadcast goes when one comes. Needs CAP_NET_ADMIN.\n";

int availctl_announce(int argc, char **argv, struct availctl *ctl)
{
	struct availcast_client *client;
	struct availcast_error error;
	int status;

	status = availctl_options(argc, argv, "announce", usage, NULL, NULL, NULL, ctl);
	if (status >= 0)
		return status;
	if (optind < argc)
		return availctl_usage_error("announce", "unexpected argument '%s'",
					    argv[optind]);
	if (availcast_open(&client, &error))
		return availctl_fail_open("announce", &error);
	status = availcast_announce(client, &error);
	availcast_close(client);
	return status ? availctl_fail("announce", &error) : AVAILCTL_EXIT_OK;
}
