// SPDX-License-Identifier: GPL-2.0
/*
 * availctl: the command line of availcast. One file per subcommand; this
 * one dispatches, parses the options they share, and turns errors into
 * messages and exit codes.
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "availctl.h"

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv, struct availctl *ctl);
	const char *summary;
};

static const struct subcommand subcommands[] = {
	{ "show", availctl_show, "this host's availability, counters and settings" },
	{ "watch", availctl_watch, "print each broadcast as it arrives" },
	{ "set", availctl_set, "change settings" },
	{ "pool", availctl_pool, "list, create, delete, charge and release pools" },
	{ "announce", availctl_announce, "ask the module to broadcast now" },
	{ "relay", availctl_relay, "run this host's relay and witness store" },
	{ "arbiter", availctl_arbiter, "run this manager's arbiter" },
	{ "status", availctl_status, "what a running relay or arbiter knows" },
	{ "metrics", availctl_metrics, "the same, for Prometheus (textfile collector)" },
	{ "reload", availctl_reload, "make a running relay or arbiter reread its configuration" },
	{ "keygen", availctl_keygen, "make a new cluster key file" },
	{ "check", availctl_check, "check a relay's or arbiter's configuration" },
};

#define N_SUBCOMMANDS (sizeof(subcommands) / sizeof(subcommands[0]))

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: availctl [--json] <command> [<args>]\n"
		"       availctl --version | --help\n\ncommands:\n");
	for (i = 0; i < N_SUBCOMMANDS; i++)
		fprintf(out, "  %-10s %s\n", subcommands[i].name,
			subcommands[i].summary);
	fprintf(out, "\n'availctl <command> --help' describes a command; "
		"availctl(8) describes them all.\n");
}

int availctl_usage_error(const char *command, const char *fmt, ...)
{
	char what[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	service_error("availctl %s: %s", command, what);
	service_error("Try 'availctl %s --help'.", command);
	return AVAILCTL_EXIT_USAGE;
}

int availctl_fail(const char *command, const struct availcast_error *error)
{
	service_error("availctl %s: %s", command, error->message);
	if (error->code == EPERM || error->code == EACCES) {
		service_error("availctl %s: changes need CAP_NET_ADMIN in the initial user namespace (run it as root on the host); from another network namespace, so do reads unless all_netns is on",
			command);
		return AVAILCTL_EXIT_PERMISSION;
	}
	return AVAILCTL_EXIT_FAILED;
}

int availctl_fail_open(const char *command, const struct availcast_error *error)
{
	if (error->code == ENOENT) {
		service_error("availctl %s: %s", command, error->message);
		return AVAILCTL_EXIT_NOT_LOADED;
	}
	return availctl_fail(command, error);
}

/* Whether @command's output has a JSON form (the schema in availctl(8)). */
static bool prints_json(const char *command)
{
	static const char *const json[] = { "show", "watch", "pool", "status" };
	size_t i;

	for (i = 0; i < sizeof(json) / sizeof(json[0]); i++)
		if (!strcmp(command, json[i]))
			return true;
	return false;
}

int availctl_options(int argc, char **argv, const char *command,
		     const char *usage_text, const struct option *extra,
		     availctl_option_fn on_option, void *arg,
		     struct availctl *ctl)
{
	struct option options[16] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
	};
	/* ":": report a missing value apart from an unknown option. */
	char short_options[32] = ":h";
	size_t n = 2, s = 2;
	int option, status;

	for (; extra && extra->name && n < 15; extra++) {
		options[n++] = *extra;
		if (extra->val < 128 && s < sizeof(short_options) - 3) {
			short_options[s++] = (char)extra->val;
			if (extra->has_arg == required_argument)
				short_options[s++] = ':';
		}
	}
	opterr = 0;
	while ((option = getopt_long(argc, argv, short_options, options, NULL)) != -1) {
		switch (option) {
		case 'h':
			printf("%s", usage_text);
			return AVAILCTL_EXIT_OK;
		case 'j':
			ctl->json = true;
			break;
		case '?':
			/* Options may follow arguments: "-5" is a number gone wrong. */
			if (optopt >= '0' && optopt <= '9')
				return availctl_usage_error(command,
							    "'%s' is not a whole number: numbers here are never negative",
							    argv[optind - 1]);
			if (optopt)
				return availctl_usage_error(command, "unknown option '-%c'", optopt);
			return availctl_usage_error(command, "unknown option '%s'",
						    argv[optind - 1]);
		case ':':
			return availctl_usage_error(command, "'%s' needs a value",
						    argv[optind - 1]);
		default:
			status = on_option(option, optarg, arg);
			if (status >= 0)
				return status;
		}
	}
	if (ctl->json && !prints_json(command))
		return availctl_usage_error(command, "--json: it prints no JSON (show, watch, pool and status do)");
	return -1;
}

/*
 * @status, or a failure when the command's output was not all written
 * (a full disk, /dev/full, a closed pipe's EPIPE): "availctl metrics >
 * f.tmp && mv f.tmp f.prom" must never move a cut file. What stdio
 * still holds is written here, and a write that failed at any time is
 * said once, as coreutils' close_stdout does. A closed stdout that was
 * never written to is no failure.
 */
static int output_written(int status)
{
	const char *why = NULL;

	/* An earlier write's error number is gone by now: ferror() is all. */
	if (fflush(stdout) || (close(STDOUT_FILENO) && errno != EBADF && errno != EINTR))
		why = strerror(errno);
	else if (ferror(stdout))
		why = "part of it was not written";
	if (!why)
		return status;
	service_error("availctl: writing its output: %s", why);
	return status ? status : AVAILCTL_EXIT_FAILED;
}

/*
 * Started with descriptor 0, 1 or 2 closed ("<&- >&- 2>&-"), the files
 * we open next would take them (the state-dir's locks did): what we say
 * on standard output or error would go into them, and a hook would
 * inherit them as its own. Each closed one is /dev/null, opened the
 * other way round, as glibc does for set-user-ID programs: open, so no
 * file takes it, yet each use still fails (EBADF) as it did closed.
 * Returns false when /dev/null cannot be opened.
 */
static bool standard_fds_taken(void)
{
	int fd;

	for (fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* The lowest descriptor free, those below it being open now. */
		if (open("/dev/null", fd == STDIN_FILENO ? O_WRONLY : O_RDONLY) != fd)
			return false;
	}
	return true;
}

static int run(int argc, char **argv);

int main(int argc, char **argv)
{
	/* Nowhere to say it: standard error may be one of them. */
	if (!standard_fds_taken())
		return AVAILCTL_EXIT_FAILED;
	return output_written(run(argc, argv));
}

static int run(int argc, char **argv)
{
	struct availctl ctl = { .json = false };
	int first = 1;
	size_t i;

	if (argc > first && !strcmp(argv[first], "--json")) {
		ctl.json = true;
		first++;
	}
	/* A usage error is two lines at error, as a command's is: the list is --help's. */
	if (argc <= first) {
		service_error("availctl: no command given");
		service_error("Try 'availctl --help'.");
		return AVAILCTL_EXIT_USAGE;
	}
	if (!strcmp(argv[first], "--help") || !strcmp(argv[first], "-h")) {
		usage(stdout);
		return AVAILCTL_EXIT_OK;
	}
	if (!strcmp(argv[first], "--version")) {
		printf("availctl %s\n", AVAILCAST_VERSION);
		return AVAILCTL_EXIT_OK;
	}
	for (i = 0; i < N_SUBCOMMANDS; i++) {
		if (strcmp(argv[first], subcommands[i].name))
			continue;
		if (ctl.json && !prints_json(argv[first]))
			return availctl_usage_error(argv[first], "--json: it prints no JSON (show, watch, pool and status do)");
		return subcommands[i].run(argc - first, argv + first, &ctl);
	}
	service_error("availctl: unknown command '%s'", argv[first]);
	service_error("Try 'availctl --help'.");
	return AVAILCTL_EXIT_USAGE;
}
