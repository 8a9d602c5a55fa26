// SPDX-License-Identifier: GPL-2.0
/*
 * availctl status: asks a running relay or arbiter for its state over its
 * control socket and prints the answer (the daemon formats it, in text or
 * JSON, so that both stay in step with what it knows).
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "availctl.h"
#include "conf.h"

#define STATUS_MAX (256 * 1024)

static const char usage[] =
	"usage: availctl status [--json] [--config FILE | --socket PATH]\n\n"
	"Shows what the relay or arbiter of this node knows: for an arbiter,\n"
	"its role and epoch, the agreed witness and its generation, the lease\n"
	"and hold left, the peer's last contact, the reason for the last\n"
	"decision, the host table and the datagram counters. The daemon is\n"
	"found through the control socket that FILE names (default\n"
	"/etc/availctl/availctl.conf), or at PATH.\n";

struct status_options {
	const char *config;
	const char *socket;
};

static int take_option(int option, const char *value, void *arg)
{
	struct status_options *o = arg;

	if (option == 'c')
		o->config = value;
	else if (option == 's')
		o->socket = value;
	return -1;
}

int availctl_status(int argc, char **argv, struct availctl *ctl)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct status_options o = { .config = "/etc/availctl/availctl.conf" };
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timeval timeout = { .tv_sec = 2 };
	static struct conf conf;
	char error[512], *answer;
	const char *path;
	ssize_t got;
	int fd, status;

	status = availctl_options(argc, argv, "status", usage, options, take_option, &o, ctl);
	if (status >= 0)
		return status;
	if (optind < argc)
		return availctl_usage_error("status", "unexpected argument '%s'", argv[optind]);
	path = o.socket;
	if (!path) {
		if (conf_load(o.config, &conf, error, sizeof(error))) {
			fprintf(stderr, "availctl status: %s\n", error);
			return AVAILCTL_EXIT_FAILED;
		}
		path = conf.control;	/* an array: it outlives conf_free() */
		conf_free(&conf);
	}
	if (strlen(path) >= sizeof(addr.sun_path))
		return availctl_usage_error("status", "socket path too long");
	memcpy(addr.sun_path, path, strlen(path) + 1);

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	/* An abstract address of our own, so that the daemon can answer. */
	if (fd < 0 || bind(fd, (struct sockaddr *)&(struct sockaddr_un){ .sun_family = AF_UNIX },
			   sizeof(sa_family_t)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout))) {
		fprintf(stderr, "availctl status: socket: %s\n", strerror(errno));
		return AVAILCTL_EXIT_FAILED;
	}
	if (sendto(fd, ctl->json ? "json" : "text", 4, 0, (struct sockaddr *)&addr,
		   sizeof(addr)) != 4) {
		fprintf(stderr, "availctl status: no daemon answers at %s: %s\n", path,
			strerror(errno));
		close(fd);
		return AVAILCTL_EXIT_FAILED;
	}
	answer = malloc(STATUS_MAX);
	got = answer ? recv(fd, answer, STATUS_MAX, 0) : -1;
	close(fd);
	if (got <= 0) {
		fprintf(stderr, "availctl status: the daemon at %s did not answer: %s\n", path,
			got < 0 ? strerror(errno) : "empty answer");
		free(answer);
		return AVAILCTL_EXIT_FAILED;
	}
	fwrite(answer, 1, (size_t)got, stdout);
	free(answer);
	return AVAILCTL_EXIT_OK;
}
