// SPDX-License-Identifier: GPL-2.0
/* What hooks write, logged as the daemon's events: see hook_output.h. */

#define _GNU_SOURCE	/* pipe2() */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "hook_output.h"
#include "utf8.h"

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

/*
 * Lines that may be logged now: HOOK_OUTPUT_RATE a second since the
 * last was, up to HOOK_OUTPUT_BURST.
 */
static uint32_t allowance(const struct hook_output *o, uint64_t now_ms)
{
	uint64_t more = (now_ms - o->counted_ms) * HOOK_OUTPUT_RATE / 1000;

	return o->allowed + more >= HOOK_OUTPUT_BURST ? HOOK_OUTPUT_BURST :
	       (uint32_t)(o->allowed + more);
}

/*
 * Counts the lines allowed since counted_ms, which moves on by the time
 * they took: calls closer together than a line's time (1000 /
 * HOOK_OUTPUT_RATE ms) must not each throw that time away.
 */
static void refill(struct hook_output *o, uint64_t now_ms)
{
	uint64_t more = (now_ms - o->counted_ms) * HOOK_OUTPUT_RATE / 1000;

	if (o->allowed + more >= HOOK_OUTPUT_BURST) {
		o->allowed = HOOK_OUTPUT_BURST;
		o->counted_ms = now_ms;
		return;
	}
	o->allowed += (uint32_t)more;
	o->counted_ms += more * 1000 / HOOK_OUTPUT_RATE;
}

int hook_output_fd(const struct hook_output *o, uint64_t now_ms)
{
	/* Not read, the pipe fills and the hook waits in its write. */
	return allowance(o, now_ms) ? o->read_fd : -1;
}

uint64_t hook_output_next_ms(const struct hook_output *o, uint64_t now_ms)
{
	return allowance(o, now_ms) ? UINT64_MAX : now_ms + 1000 / HOOK_OUTPUT_RATE;
}

/* How many of the hooks' lines the log had no room for, as it now has. */
static void say_dropped(struct hook_output *o, const struct node *n, uint64_t transition)
{
	node_log(n, "hook-output-dropped", "transition=%llu lines=%llu",
		 (unsigned long long)transition, (unsigned long long)o->dropped);
	o->dropped = 0;
}

static void log_line(struct hook_output *o, const struct node *n, uint64_t transition,
		     bool part)
{
	size_t keep = part ? utf8_whole(o->line, o->len) : o->len;
	char rest[4];

	if (!keep)
		keep = o->len;
	memcpy(rest, o->line + keep, o->len - keep);
	o->line[keep] = '\0';
	if (!node_log_spare(n, "hook-output", "transition=%llu line=%s%s",
			    (unsigned long long)transition, LOG_VALUE(o->line),
			    part ? " part=yes" : ""))
		o->dropped++;
	else if (o->dropped)
		say_dropped(o, n, transition);
	o->len = o->len - keep;
	memcpy(o->line, rest, o->len);
	if (o->allowed)
		o->allowed--;
}

void hook_output_read(struct hook_output *o, const struct node *n, uint64_t transition,
		      uint64_t now_ms, hook_output_first_fn first, void *ctx)
{
	char buf[4096];
	size_t room;
	ssize_t got;
	int reads;

	refill(o, now_ms);
	/* Each line takes a byte at least: no more read than may be logged. */
	for (reads = 0; reads < 16 && o->allowed; reads++) {
		room = o->allowed < sizeof(buf) ? o->allowed : sizeof(buf);
		got = read(o->read_fd, buf, room);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return;
		if (first)
			first(ctx, n);
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

void hook_output_flush(struct hook_output *o, const struct node *n, uint64_t transition,
		       uint64_t now_ms)
{
	hook_output_read(o, n, transition, now_ms, NULL, NULL);
	if (o->len)
		log_line(o, n, transition, false);
	if (o->dropped)
		say_dropped(o, n, transition);
}
