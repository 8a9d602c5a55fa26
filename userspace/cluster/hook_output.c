// SPDX-License-Identifier: GPL-2.0
/* What hooks write, logged as the daemon's events: see hook_output.h. */

#define _GNU_SOURCE	/* pipe2() */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "hook_output.h"

void hook_output_close(struct hook_output *o)
{
	if (o->read_fd >= 0)
		close(o->read_fd);
	if (o->write_fd >= 0)
		close(o->write_fd);
	o->read_fd = o->write_fd = -1;
}

int hook_output_init(struct hook_output *o)
{
	int fds[2];

	memset(o, 0, sizeof(*o));
	o->read_fd = o->write_fd = -1;
	if (pipe2(fds, O_CLOEXEC))
		return -1;
	o->read_fd = fds[0];
	o->write_fd = fds[1];
	/* Only the daemon's end waits for nothing: a hook's writes may wait. */
	if (fcntl(o->read_fd, F_SETFL, O_NONBLOCK)) {
		hook_output_close(o);
		return -1;
	}
	return 0;
}

void hook_output_attach(const struct hook_output *o)
{
	/* dup2() leaves the copies open across exec(); the pipe's own ends close. */
	dup2(o->write_fd, STDOUT_FILENO);
	dup2(o->write_fd, STDERR_FILENO);
}

int hook_output_fd(const struct hook_output *o)
{
	return o->read_fd;
}

static void log_line(struct hook_output *o, const struct node *n, uint64_t transition,
		     bool part)
{
	o->line[o->len] = '\0';
	node_log(n, "hook-output", "transition=%llu line=%s%s", (unsigned long long)transition,
		 LOG_VALUE(o->line), part ? " part=yes" : "");
	o->len = 0;
}

void hook_output_read(struct hook_output *o, const struct node *n, uint64_t transition)
{
	char buf[4096];
	ssize_t got;
	int reads;

	for (reads = 0; reads < 16; reads++) {
		got = read(o->read_fd, buf, sizeof(buf));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return;
		for (ssize_t i = 0; i < got; i++) {
			if (buf[i] == '\n') {
				log_line(o, n, transition, false);
				continue;
			}
			/* Room kept for the '\0'; a NUL would end the text early. */
			if (o->len == sizeof(o->line) - 1)
				log_line(o, n, transition, true);
			o->line[o->len++] = buf[i] ? buf[i] : ' ';
		}
	}
}

void hook_output_flush(struct hook_output *o, const struct node *n, uint64_t transition)
{
	hook_output_read(o, n, transition);
	if (o->len)
		log_line(o, n, transition, false);
}
