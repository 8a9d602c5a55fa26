// SPDX-License-Identifier: GPL-2.0
/*
 * availctl watch: every broadcast as it arrives, with the latency from the
 * kernel's timestamp to its receipt here.
 */

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "availctl.h"
#include "format.h"
#include "settings.h"

static const char usage[] =
	"usage: availctl watch [--count N] [--duration SECONDS] [--json]\n\n"
	"Prints each broadcast as it arrives: sequence number, reason, host\n"
	"level, when the next one is due at the latest, the latency from the\n"
	"kernel's timestamp to its receipt, and every resource's level. With\n"
	"--json, one JSON object a line. Stops after N broadcasts, after\n"
	"SECONDS, on Ctrl-C, or after the module's last broadcast (shutdown).\n"
	"Anyone may run it.\n";

struct watch_options {
	uint64_t count;		/* 0: no limit */
	uint64_t duration_s;	/* 0: no limit */
};

static int on_option(int option, const char *value, void *arg)
{
	struct watch_options *opts = arg;
	char why[128];

	if (option == 'n' && parse_number(value, 1, UINT32_MAX, &opts->count,
					  why, sizeof(why)))
		return availctl_usage_error("watch", "--count: %s", why);
	if (option == 'd' && parse_number(value, 1, 86400 * 365, &opts->duration_s,
					  why, sizeof(why)))
		return availctl_usage_error("watch", "--duration: %s", why);
	return -1;
}

static volatile sig_atomic_t interrupted;

static void on_signal(int signal)
{
	(void)signal;
	interrupted = 1;
}

int availctl_watch(int argc, char **argv, struct availctl *ctl)
{
	static const struct option extra[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	struct watch_options opts = { 0 };
	struct availcast_listener *listener;
	struct sigaction action = { .sa_handler = on_signal };
	struct availcast_snapshot snap;
	struct availcast_error error;
	uint64_t deadline, seen = 0;
	int status, timeout;

	status = availctl_options(argc, argv, "watch", usage, extra, on_option,
				  &opts, ctl);
	if (status >= 0)
		return status;
	if (optind < argc)
		return availctl_usage_error("watch", "unexpected argument '%s'", argv[optind]);

	if (availcast_listen(&listener, &error))
		return availctl_fail_open("watch", &error);
	/* Without SA_RESTART, Ctrl-C interrupts the wait at once. */
	sigaction(SIGINT, &action, NULL);
	sigaction(SIGTERM, &action, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);

	deadline = availcast_now_ns() + opts.duration_s * 1000000000ull;
	status = AVAILCTL_EXIT_OK;
	while (!interrupted && (!opts.count || seen < opts.count)) {
		timeout = -1;
		if (opts.duration_s) {
			uint64_t now = availcast_now_ns();

			if (now >= deadline)
				break;
			timeout = (int)((deadline - now) / 1000000) + 1;
		}
		switch (availcast_listener_next(listener, &snap, timeout, &error)) {
		case 0:
			format_broadcast(stdout, ctl->json, &snap);
			seen++;
			if (snap.reason == AVAILCAST_REASON_SHUTDOWN)
				interrupted = 1;
			availcast_snapshot_free(&snap);
			break;
		case ETIMEDOUT:
		case EINTR:
			break;
		case ENOBUFS:
			service_error("availctl watch: %s", error.message);
			break;
		default:
			status = availctl_fail("watch", &error);
			interrupted = 1;
		}
	}
	availcast_listener_close(listener);
	return status;
}
