// SPDX-License-Identifier: GPL-2.0
/*
 * availctl pool: list, create, delete, charge and release pools.
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "availctl.h"
#include "format.h"
#include "settings.h"

static const char usage[] =
	"usage: availctl pool list [--json]\n"
	"       availctl pool create NAME CAPACITY\n"
	"       availctl pool delete NAME\n"
	"       availctl pool charge NAME AMOUNT\n"
	"       availctl pool release NAME AMOUNT\n\n"
	"Pools are resources created at run time, whose availability the\n"
	"module broadcasts with the host's. NAME: 1 to 31 characters of\n"
	"A-Z a-z 0-9 - . _ : (after \"--\" when it starts with '-');\n"
	"CAPACITY: 1 to 9223372036854775807, in any unit; AMOUNT: 1 to the\n"
	"pool's capacity. Listing is open to anyone;\n"
	"the rest needs CAP_NET_ADMIN. Pools created by kernel code are listed\n"
	"but cannot be changed from here.\n";

/* The actions that take NAME and a number. */
static const struct {
	const char *name;
	int (*run)(struct availcast_client *client, const char *pool,
		   uint64_t value, struct availcast_error *error);
	const char *what;
} counted[] = {
	{ "create", availcast_pool_create, "CAPACITY" },
	{ "charge", availcast_pool_charge, "AMOUNT" },
	{ "release", availcast_pool_release, "AMOUNT" },
};

static int list(struct availctl *ctl)
{
	struct availcast_resource *pools;
	struct availcast_client *client;
	struct availcast_error error;
	size_t n;

	if (availcast_open(&client, &error))
		return availctl_fail_open("pool", &error);
	if (availcast_resources(client, AVAILCAST_RESOURCE_POOL, &pools, &n, &error)) {
		availcast_close(client);
		return availctl_fail("pool", &error);
	}
	format_resources(stdout, ctl->json, pools, n);
	free(pools);
	availcast_close(client);
	return AVAILCTL_EXIT_OK;
}

/* Connects and runs one change; returns the exit code. */
static int change(int (*run)(struct availcast_client *, const char *, uint64_t,
			     struct availcast_error *),
		  const char *pool, uint64_t value)
{
	struct availcast_client *client;
	struct availcast_error error;
	int err;

	if (availcast_open(&client, &error))
		return availctl_fail_open("pool", &error);
	err = run(client, pool, value, &error);
	availcast_close(client);
	return err ? availctl_fail("pool", &error) : AVAILCTL_EXIT_OK;
}

static int delete(struct availcast_client *client, const char *pool,
		  uint64_t unused, struct availcast_error *error)
{
	(void)unused;
	return availcast_pool_delete(client, pool, error);
}

int availctl_pool(int argc, char **argv, struct availctl *ctl)
{
	uint64_t value;
	char why[128];
	int status;
	size_t i;

	status = availctl_options(argc, argv, "pool", usage, NULL, NULL, NULL, ctl);
	if (status >= 0)
		return status;
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return availctl_usage_error("pool", "give an action: list, create, delete, charge or release");

	if (!strcmp(argv[0], "list")) {
		if (argc != 1)
			return availctl_usage_error("pool", "list takes no argument");
		return list(ctl);
	}
	if (!strcmp(argv[0], "delete")) {
		if (argc != 2)
			return availctl_usage_error("pool", "delete takes a NAME");
		return change(delete, argv[1], 0);
	}
	for (i = 0; i < sizeof(counted) / sizeof(counted[0]); i++) {
		if (strcmp(argv[0], counted[i].name))
			continue;
		if (argc != 3)
			return availctl_usage_error("pool", "%s takes a NAME and a %s",
						    counted[i].name, counted[i].what);
		if (parse_number(argv[2], 1, INT64_MAX, &value, why, sizeof(why)))
			return availctl_usage_error("pool", "%s: %s", counted[i].what, why);
		return change(counted[i].run, argv[1], value);
	}
	return availctl_usage_error("pool", "unknown action '%s'", argv[0]);
}
