// SPDX-License-Identifier: GPL-2.0
/*
 * availctl relay, availctl arbiter and availctl keygen: the daemons (in
 * the foreground; systemd or a supervisor keeps them) and their keys.
 */

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "availctl.h"
#include "key.h"
#include "manager.h"
#include "relay.h"

static const char relay_usage[] =
	"usage: availctl relay [--config FILE]\n\n"
	"Runs the relay of this host (in the foreground): forwards every\n"
	"broadcast of the availcast module to both managers, with the host's\n"
	"pressure (PSI, read from /proc/pressure) added, and serves this\n"
	"host's witness store. FILE defaults to " AVAILCTL_CONFIG ".\n"
	"SIGHUP rereads it; SIGTERM stops. Logs go to standard error.\n";

static const char arbiter_usage[] =
	"usage: availctl arbiter [--config FILE]\n\n"
	"Runs the arbiter of this manager (in the foreground): keeps the host\n"
	"table and decides with the other manager which one is active, through\n"
	"a witness. FILE defaults to " AVAILCTL_CONFIG ". SIGHUP rereads it\n"
	"without resetting roles or timers; SIGTERM stops.\n";

static const char keygen_usage[] =
	"usage: availctl keygen FILE\n"
	"       availctl keygen --node NAME --secret SECRET FILE\n\n"
	"Writes a new random cluster secret (64 hex digits) to FILE, mode 0600;\n"
	"copy it to the two managers only. With --node, writes instead the key\n"
	"of host NAME, derived from the cluster secret in SECRET: copy it to\n"
	"that host only. A host's key lets it speak as itself, to the managers,\n"
	"and nothing more. Never overwrites.\n";

static const struct option config_option[] = {
	{ "config", required_argument, NULL, 'c' },
	{ NULL, 0, NULL, 0 },
};

int availctl_take_config(int option, const char *value, void *arg)
{
	if (option == 'c')
		*(const char **)arg = value;
	return -1;
}

static int run_daemon(int argc, char **argv, struct availctl *ctl, const char *name,
		      const char *usage, int (*main_fn)(const char *))
{
	const char *config = AVAILCTL_CONFIG;
	int status;

	status = availctl_options(argc, argv, name, usage, config_option, availctl_take_config,
				  &config, ctl);
	if (status >= 0)
		return status;
	if (optind < argc)
		return availctl_usage_error(name, "unexpected argument '%s'", argv[optind]);
	/* 0, 1 or AVAILCTL_EXIT_CONFIG (service.h), as the daemon ended. */
	return main_fn(config);
}

int availctl_relay(int argc, char **argv, struct availctl *ctl)
{
	return run_daemon(argc, argv, ctl, "relay", relay_usage, relay_main);
}

int availctl_arbiter(int argc, char **argv, struct availctl *ctl)
{
	return run_daemon(argc, argv, ctl, "arbiter", arbiter_usage, manager_main);
}

struct keygen_options {
	const char *node, *secret;
};

static int take_keygen_option(int option, const char *value, void *arg)
{
	struct keygen_options *o = arg;

	if (option == 'n')
		o->node = value;
	else if (option == 's')
		o->secret = value;
	return -1;
}

int availctl_keygen(int argc, char **argv, struct availctl *ctl)
{
	static const struct option options[] = {
		{ "node", required_argument, NULL, 'n' },
		{ "secret", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct keygen_options o = { 0 };
	struct key_material secret;
	char error[512];
	int status;

	status = availctl_options(argc, argv, "keygen", keygen_usage, options,
				  take_keygen_option, &o, ctl);
	if (status >= 0)
		return status;
	if (optind + 1 != argc)
		return availctl_usage_error("keygen", "expected one FILE");
	if (!o.node != !o.secret)
		return availctl_usage_error("keygen", "--node and --secret go together");
	if (o.secret && key_load(o.secret, &secret, error, sizeof(error))) {
		service_error("availctl keygen: %s", error);
		return AVAILCTL_EXIT_FAILED;
	}
	status = key_generate(argv[optind], o.secret ? &secret : NULL, o.node, error,
			      sizeof(error));
	explicit_bzero(&secret, sizeof(secret));
	if (status) {
		service_error("availctl keygen: %s", error);
		return AVAILCTL_EXIT_FAILED;
	}
	return AVAILCTL_EXIT_OK;
}
