// SPDX-License-Identifier: GPL-2.0
/*
 * availctl show: this host's availability as the module reports it.
 */

#include <stdio.h>
#include <string.h>

#include "availctl.h"

static void print_snapshot(const struct availcast_snapshot *snap)
{
	size_t i;

	printf("node        %s\n", snap->node_id);
	if (snap->has_level)
		printf("level       %u.%u%% free\n", snap->level / 10,
		       snap->level % 10);
	printf("timestamp   %llu.%09llu s (CLOCK_MONOTONIC)\n",
	       (unsigned long long)(snap->timestamp_ns / 1000000000),
	       (unsigned long long)(snap->timestamp_ns % 1000000000));
	for (i = 0; i < snap->n_resources; i++)
		printf("resource    %-16s %u.%u%% free\n", snap->resources[i].name,
		       snap->resources[i].level / 10, snap->resources[i].level % 10);
}

int availctl_show(int argc, char **argv)
{
	struct availcast_snapshot snap;
	struct availcast_client *client;
	struct availcast_error error;

	if (argc > 1) {
		if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
			printf("usage: availctl show\n\n"
			       "Shows this host's availability: node id, level, resources.\n");
			return AVAILCTL_EXIT_OK;
		}
		fprintf(stderr, "availctl show: unexpected argument '%s'\n", argv[1]);
		return AVAILCTL_EXIT_USAGE;
	}

	if (availcast_open(&client, &error))
		return availctl_report(&error);
	if (availcast_get(client, &snap, &error)) {
		availcast_close(client);
		return availctl_report(&error);
	}
	print_snapshot(&snap);
	availcast_snapshot_free(&snap);
	availcast_close(client);
	return AVAILCTL_EXIT_OK;
}
