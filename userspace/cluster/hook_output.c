// SPDX-License-Identifier: GPL-2.0
/* What hooks write, logged as the daemon's events: see hook_output.h. */

#define _GNU_SOURCE	/* pipe2() */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>

#include "hook_output.h"
#include "log_queue.h"
#include "utf8.h"

static void pipe_close(struct hook_output *o, struct hook_pipe *p)
{
	if (p->fd >= 0) {
		epoll_ctl(o->ready_fd, EPOLL_CTL_DEL, p->fd, NULL);
		close(p->fd);
	}
	p->fd = -1;
	p->len = 0;
}

void hook_output_close(struct hook_output *o)
{
	pipe_close(o, &o->running);
	pipe_close(o, &o->ended);
	if (o->write_fd >= 0)
		close(o->write_fd);
	if (o->ready_fd >= 0)
		close(o->ready_fd);
	o->write_fd = o->ready_fd = -1;
}

int hook_output_init(struct hook_output *o)
{
	memset(o, 0, sizeof(*o));
	o->running.fd = o->ended.fd = o->write_fd = -1;
	o->ready_fd = epoll_create1(EPOLL_CLOEXEC);
	return o->ready_fd < 0 ? -1 : 0;
}

int hook_output_open(struct hook_output *o, uint64_t transition)
{
	struct epoll_event ready = { .events = EPOLLIN };
	int fds[2];

	/* Only the daemon's end waits for nothing: a hook's writes may wait. */
	if (pipe2(fds, O_CLOEXEC))
		return -1;
	ready.data.fd = fds[0];
	if (fcntl(fds[0], F_SETFL, O_NONBLOCK) ||
	    epoll_ctl(o->ready_fd, EPOLL_CTL_ADD, fds[0], &ready)) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	pipe_close(o, &o->running);	/* none: the last hook's has ended */
	o->running.fd = fds[0];
	o->running.transition = transition;
	if (o->write_fd >= 0)
		close(o->write_fd);
	o->write_fd = fds[1];
	return 0;
}

void hook_output_attach(const struct hook_output *o)
{
	/* dup2() leaves the copies open across exec(); the pipe's own ends close. */
	dup2(o->write_fd, STDOUT_FILENO);
	dup2(o->write_fd, STDERR_FILENO);
}

void hook_output_forked(struct hook_output *o)
{
	/* Else the pipe would never be seen closed by the hook's processes. */
	if (o->write_fd >= 0)
		close(o->write_fd);
	o->write_fd = -1;
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
	return allowance(o, now_ms) ? o->ready_fd : -1;
}

uint64_t hook_output_next_ms(const struct hook_output *o, uint64_t now_ms)
{
	return allowance(o, now_ms) ? UINT64_MAX : now_ms + 1000 / HOOK_OUTPUT_RATE;
}

/* How many of the hooks' lines the log had no room for, as it now has. */
static void say_dropped(struct hook_output *o, const struct node *n, uint64_t transition)
{
	log_queue_count(o->dropped);	/* in the status's log_dropped */
	node_log(n, "hook-output-dropped", "transition=%llu lines=%llu",
		 (unsigned long long)transition, (unsigned long long)o->dropped);
	o->dropped = 0;
}

static void log_line(struct hook_output *o, struct hook_pipe *p, const struct node *n, bool part)
{
	size_t keep = part ? utf8_whole(p->line, p->len) : p->len;
	char rest[4];

	if (!keep)
		keep = p->len;
	memcpy(rest, p->line + keep, p->len - keep);
	p->line[keep] = '\0';
	if (!node_log_spare(n, "hook-output", "transition=%llu line=%s%s",
			    (unsigned long long)p->transition, LOG_VALUE(p->line),
			    part ? " part=yes" : ""))
		o->dropped++;
	else if (o->dropped)
		say_dropped(o, n, p->transition);
	p->len = p->len - keep;
	memcpy(p->line, rest, p->len);
	if (o->allowed)
		o->allowed--;
}

/* Logs @buf's @len bytes of @p, a line at each newline. */
static void take(struct hook_output *o, struct hook_pipe *p, const struct node *n,
		 const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n') {
			log_line(o, p, n, false);
			continue;
		}
		/* Room kept for the '\0'; a NUL would end the text early. */
		if (p->len == sizeof(p->line) - 1)
			log_line(o, p, n, true);
		p->line[p->len++] = buf[i] ? buf[i] : ' ';
	}
}

/*
 * Reads and logs @p's lines, as many as may be logged. Returns false
 * once its writers have all closed it and nothing is left.
 */
static bool read_pipe(struct hook_output *o, struct hook_pipe *p, const struct node *n,
		      hook_output_first_fn first, void *ctx)
{
	char buf[4096];
	size_t room;
	ssize_t got;
	int reads;

	/* Each line takes a byte at least: no more read than may be logged. */
	for (reads = 0; p->fd >= 0 && reads < 16 && o->allowed; reads++) {
		room = o->allowed < sizeof(buf) ? o->allowed : sizeof(buf);
		got = read(p->fd, buf, room);
		if (got < 0 && errno == EINTR)
			continue;
		if (got == 0)
			return false;
		if (got < 0)
			return true;
		if (first)
			first(ctx, n);
		take(o, p, n, buf, (size_t)got);
	}
	return true;
}

void hook_output_read(struct hook_output *o, const struct node *n, uint64_t now_ms,
		      hook_output_first_fn first, void *ctx)
{
	refill(o, now_ms);
	/* Closed by every writer: nothing more comes (and epoll would say so for ever). */
	if (!read_pipe(o, &o->running, n, first, ctx)) {
		if (o->running.len)
			log_line(o, &o->running, n, false);
		pipe_close(o, &o->running);
	}
	if (!read_pipe(o, &o->ended, n, NULL, NULL)) {
		if (o->ended.len)
			log_line(o, &o->ended, n, false);
		pipe_close(o, &o->ended);
	}
}

/*
 * Lines left in @p, closed unread: dropped, counted by their newlines, a
 * line begun and not ended (held in @p, or last in the pipe) as one.
 * All the pipe holds as it is closed is read (FIONREAD), however large
 * a hook made it (F_SETPIPE_SZ); what a writer adds meanwhile is not, so
 * that one writing on cannot keep the loop here.
 */
static void count_left(struct hook_output *o, struct hook_pipe *p)
{
	bool unfinished = p->len > 0;
	char buf[4096];
	int held = 0;
	ssize_t got;

	if (p->fd < 0 || ioctl(p->fd, FIONREAD, &held))
		held = 0;
	for (; held > 0; held -= (int)got) {
		got = read(p->fd, buf, (size_t)held < sizeof(buf) ? (size_t)held : sizeof(buf));
		if (got <= 0)
			break;
		for (ssize_t i = 0; i < got; i++)
			o->dropped += buf[i] == '\n';
		unfinished = buf[got - 1] != '\n';
	}
	o->dropped += unfinished;
	p->len = 0;
}

/*
 * The rest of @p's unfinished line, a byte at a time (nothing of the next
 * read), whatever the rate: a line read in part as the rate ran out is
 * not cut where its hook ended.
 */
static void finish_line(struct hook_output *o, struct hook_pipe *p, const struct node *n)
{
	size_t reads;
	char c = 0;

	for (reads = 0; p->fd >= 0 && p->len && c != '\n' && reads < HOOK_OUTPUT_LINE; reads++) {
		if (read(p->fd, &c, 1) != 1)
			break;
		take(o, p, n, &c, 1);
	}
}

void hook_output_leave(struct hook_output *o, const struct node *n)
{
	count_left(o, &o->ended);
	if (o->dropped)
		say_dropped(o, n, o->ended.transition);
	pipe_close(o, &o->ended);
}

void hook_output_ended(struct hook_output *o, const struct node *n, uint64_t now_ms)
{
	uint32_t allowed;

	hook_output_read(o, n, now_ms, NULL, NULL);
	/*
	 * What the hook wrote last, up to a burst, whatever the rate: a
	 * process it left behind may have used the rate up (hook ends are
	 * few: the role's changes). The rate as it was after.
	 */
	allowed = o->allowed;
	o->allowed = HOOK_OUTPUT_BURST;
	read_pipe(o, &o->running, n, NULL, NULL);
	o->allowed = allowed;
	finish_line(o, &o->running, n);
	if (o->ended.fd >= 0)
		hook_output_leave(o, n);
	if (o->running.len)
		log_line(o, &o->running, n, false);
	if (o->dropped)
		say_dropped(o, n, o->running.transition);
	o->ended = o->running;
	o->running.fd = -1;
	o->running.len = 0;
}
