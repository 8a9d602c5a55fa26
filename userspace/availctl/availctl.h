/* SPDX-License-Identifier: GPL-2.0 */
#ifndef AVAILCTL_H
#define AVAILCTL_H

#include <stdbool.h>
#include <sys/types.h>

#include "availcast.h"
#include "service.h"

/* Exit codes that scripts can rely on; see availctl(8). */
enum availctl_exit {
	AVAILCTL_EXIT_OK = 0,
	AVAILCTL_EXIT_FAILED = 1,	/* the kernel refused, or another error */
	AVAILCTL_EXIT_USAGE = 2,	/* bad command line */
	AVAILCTL_EXIT_NOT_LOADED = 3,	/* the availcast module is not loaded */
	AVAILCTL_EXIT_PERMISSION = 4,	/* needs CAP_NET_ADMIN */
	AVAILCTL_EXIT_NOT_ACTIVE = 5,	/* status --role: not the active manager */
	/* A daemon's configuration or key is unusable: SERVICE_EXIT_CONFIG. */
	AVAILCTL_EXIT_CONFIG = SERVICE_EXIT_CONFIG,
};

/* The configuration file of the relay and the arbiter, unless told another. */
#define AVAILCTL_CONFIG "/etc/availctl/availctl.conf"

/* What every subcommand gets besides its arguments. */
struct availctl {
	bool json;		/* --json: machine-readable output */
};

/* Prints @error and returns the exit code it calls for. */
int availctl_fail(const char *command, const struct availcast_error *error);
/* The same for a failure to connect: ENOENT means the module is absent. */
int availctl_fail_open(const char *command, const struct availcast_error *error);
/* Prints a usage error for @command and returns AVAILCTL_EXIT_USAGE. */
int availctl_usage_error(const char *command, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Parses the options every subcommand takes (--json, --help) and those in
 * @extra (getopt_long form). Returns -1 to go on with argv[optind..], else
 * the exit code to return at once (after --help, or on a usage error).
 */
struct option;
typedef int (*availctl_option_fn)(int option, const char *value, void *arg);
int availctl_options(int argc, char **argv, const char *command,
		     const char *usage, const struct option *extra,
		     availctl_option_fn on_option, void *arg,
		     struct availctl *ctl);

/*
 * Sends @request (a line: cluster/control.h) to the relay or arbiter
 * whose control socket is @path, and reads the whole answer into
 * *@answer (malloc'd) and *@size; *@peer, unless NULL, is the pid of the
 * process that answered (SO_PEERCRED). Returns 0, or an exit code after
 * saying why on standard error as availctl @command: also for an answer
 * that ended CONTROL_TIMEOUT_MS or more after the connect, which may be
 * cut (the daemon drops a client then), and when the daemon closed the
 * connection before the request was sent (it drops one that is slow to
 * ask).
 */
int availctl_ask(const char *command, const char *path, const char *request,
		 char **answer, size_t *size, pid_t *peer);

/*
 * Whether @json, a daemon's "json" answer, is that of node @node of
 * cluster @cluster: a control path may name another node's socket.
 */
bool availctl_answer_is(const char *json, const char *node, const char *cluster);

/* An availctl_option_fn for --config (-c): stores its value in *(const char **)@arg. */
int availctl_take_config(int option, const char *value, void *arg);

int availctl_show(int argc, char **argv, struct availctl *ctl);
int availctl_watch(int argc, char **argv, struct availctl *ctl);
int availctl_set(int argc, char **argv, struct availctl *ctl);
int availctl_pool(int argc, char **argv, struct availctl *ctl);
int availctl_announce(int argc, char **argv, struct availctl *ctl);
int availctl_relay(int argc, char **argv, struct availctl *ctl);
int availctl_arbiter(int argc, char **argv, struct availctl *ctl);
int availctl_status(int argc, char **argv, struct availctl *ctl);
int availctl_metrics(int argc, char **argv, struct availctl *ctl);
int availctl_reload(int argc, char **argv, struct availctl *ctl);
int availctl_keygen(int argc, char **argv, struct availctl *ctl);
int availctl_check(int argc, char **argv, struct availctl *ctl);

#endif /* AVAILCTL_H */
