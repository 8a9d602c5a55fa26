// SPDX-License-Identifier: GPL-2.0
/*
 * availctl show: this host's availability as the module reports it, with
 * its broadcast counters and settings.
 */

#include <stdio.h>

#include <getopt.h>

#include "availctl.h"
#include "format.h"

static const char usage[] =
	"usage: availctl show [--json]\n\n"
	"Shows this host's node id and level, every resource (built-in and\n"
	"pools) with what is used of it, the broadcast counters, and every\n"
	"setting. Anyone may run it.\n";

int availctl_show(int argc, char **argv, struct availctl *ctl)
{
	struct availcast_snapshot snap;
	struct availcast_config config;
	struct availcast_client *client;
	struct availcast_error error;
	int status;

	status = availctl_options(argc, argv, "show", usage, NULL, NULL, NULL, ctl);
	if (status >= 0)
		return status;
	if (optind < argc)
		return availctl_usage_error("show", "unexpected argument '%s'", argv[optind]);

	if (availcast_open(&client, &error))
		return availctl_fail_open("show", &error);
	if (availcast_get(client, &snap, &error) ||
	    availcast_config_get(client, &config, &error)) {
		availcast_snapshot_free(&snap);
		availcast_close(client);
		return availctl_fail("show", &error);
	}
	format_show(stdout, ctl->json, &snap, &config);
	availcast_snapshot_free(&snap);
	availcast_close(client);
	return AVAILCTL_EXIT_OK;
}
