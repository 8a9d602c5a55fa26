// SPDX-License-Identifier: GPL-2.0
/* The daemon's log lines, written by a thread: see log_queue.h. */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "background.h"
#include "log_queue.h"
#include "service.h"

/* The writer needs a line's buffer and little else; ASan's frames are larger. */
#define LOG_QUEUE_STACK (256 * 1024)

static struct {
	pthread_mutex_t lock;
	pthread_cond_t more;		/* a line queued, for the writer */
	pthread_cond_t written;		/* the queue emptied, for an exit */
	pthread_once_t once;
	bool running;			/* the writer started */
	int start_error;		/* else pthread_create()'s */
	/* Under lock. */
	char ring[LOG_QUEUE_SIZE];
	size_t head, used;		/* the oldest line's first byte; bytes queued */
	bool writing;			/* the writer has a line out of the ring */
	char node[64];			/* for "log-dropped" */
	/* Atomic: the writer and the loop count. */
	uint64_t dropped, unsaid;
} q = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.more = PTHREAD_COND_INITIALIZER,
	.written = PTHREAD_COND_INITIALIZER,
	.once = PTHREAD_ONCE_INIT,
};

static void count_dropped(uint64_t lines)
{
	__atomic_add_fetch(&q.dropped, lines, __ATOMIC_RELAXED);
	__atomic_add_fetch(&q.unsaid, lines, __ATOMIC_RELAXED);
}

/*
 * Writes @line whole to standard error; @wait: for as long as that takes
 * (the writer thread), else only what can be written at once (a line a
 * pipe has no room for is not begun). A part of a line a file took (a
 * full disk) is taken back, or the next line would be glued onto it; a
 * part a socket or pipe took is finished, waiting. Returns false for a
 * line not written.
 */
static bool write_line(const char *line, size_t len, bool wait)
{
	struct pollfd room = { .fd = STDERR_FILENO, .events = POLLOUT };
	struct stat file = { .st_mode = 0 };
	off_t at = -1;
	size_t done = 0;
	ssize_t sent;

	if (fstat(STDERR_FILENO, &file))
		file.st_mode = 0;
	if (S_ISREG(file.st_mode))
		/* Where the line begins: O_APPEND writes at the end. */
		at = fcntl(STDERR_FILENO, F_GETFL) & O_APPEND ? file.st_size :
		     lseek(STDERR_FILENO, 0, SEEK_CUR);
	else if (!wait && !S_ISSOCK(file.st_mode) && poll(&room, 1, 0) == 0)
		return false;	/* a pipe's line shorter than PIPE_BUF goes whole */
	while (done < len) {
		if (S_ISSOCK(file.st_mode))
			sent = send(STDERR_FILENO, line + done, len - done,
				    MSG_NOSIGNAL | (wait || done ? 0 : MSG_DONTWAIT));
		else
			sent = write(STDERR_FILENO, line + done, len - done);
		if (sent > 0) {
			done += (size_t)sent;
			continue;
		}
		if (sent < 0 && errno == EINTR)
			continue;
		/* A descriptor left non-blocking: waited for as a blocking one. */
		if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && (wait || done) &&
		    poll(&room, 1, -1) >= 0)
			continue;
		break;
	}
	if (done == len)
		return true;
	if (done && at >= 0 && !ftruncate(STDERR_FILENO, at))
		lseek(STDERR_FILENO, at, SEEK_SET);
	return false;
}

/* The time a queued line begins with (after its "<N>"), or 0. */
static unsigned long long line_time(const char *line, size_t len)
{
	unsigned long long ms = 0;
	size_t i = len > 3 && line[0] == '<' ? 3 : 0;

	for (; i < len && line[i] >= '0' && line[i] <= '9'; i++)
		ms = ms * 10 + (unsigned long long)(line[i] - '0');
	return ms;
}

/*
 * "log-dropped" for the lines dropped and not yet said, if the log takes
 * it (@wait as for write_line()), before @next: at @next's time, so that
 * times in the log never go back (the lines before it may still wait).
 */
static void say_dropped(bool wait, const char *next, size_t next_len)
{
	uint64_t unsaid = __atomic_load_n(&q.unsaid, __ATOMIC_RELAXED);
	unsigned long long at;
	char line[256];
	int len;

	if (!unsaid)
		return;
	at = line_time(next, next_len);
	if (!at) {
		struct timespec now;

		/* The daemons' clock (NODE_CLOCK, node.h). */
		clock_gettime(CLOCK_BOOTTIME, &now);
		at = (unsigned long long)now.tv_sec * 1000 + (unsigned long long)now.tv_nsec / 1000000;
	}
	len = snprintf(line, sizeof(line), "%s%llu %s log-dropped lines=%llu\n",
		       service_log_prefix(LOG_WARNING), at, q.node, (unsigned long long)unsaid);
	if (len > 0 && (size_t)len < sizeof(line) && write_line(line, (size_t)len, wait))
		__atomic_sub_fetch(&q.unsaid, unsaid, __ATOMIC_RELAXED);
}

/* The oldest line, out of the ring into @line; its length. Under q.lock. */
static size_t take_line(char line[LOG_QUEUE_LINE])
{
	size_t len = 0;

	while (len < LOG_QUEUE_LINE && len < q.used) {
		line[len] = q.ring[(q.head + len) % LOG_QUEUE_SIZE];
		if (line[len++] == '\n')
			break;
	}
	q.head = (q.head + len) % LOG_QUEUE_SIZE;
	q.used -= len;
	return len;
}

static void *writer(void *unused)
{
	char line[LOG_QUEUE_LINE];
	size_t len;

	(void)unused;
	pthread_mutex_lock(&q.lock);
	for (;;) {
		while (!q.used) {
			pthread_cond_broadcast(&q.written);
			pthread_cond_wait(&q.more, &q.lock);
		}
		len = take_line(line);
		q.writing = true;
		pthread_mutex_unlock(&q.lock);
		/* Said before the next line, once the log takes lines again. */
		say_dropped(true, line, len);
		if (!write_line(line, len, true))
			count_dropped(1);
		pthread_mutex_lock(&q.lock);
		q.writing = false;
	}
	return NULL;
}

bool log_queue_drain(unsigned int timeout_ms)
{
	struct timespec until = background_deadline(CLOCK_REALTIME, timeout_ms);
	bool drained;

	pthread_mutex_lock(&q.lock);
	while ((q.used || q.writing) &&
	       pthread_cond_timedwait(&q.written, &q.lock, &until) != ETIMEDOUT)
		;
	drained = !q.used && !q.writing;
	pthread_mutex_unlock(&q.lock);
	return drained;
}

static void drain_at_exit(void)
{
	log_queue_drain(LOG_QUEUE_EXIT_MS);
}

/* A fork() waits for the lock to be free, so that the child's copy is. */
static void fork_prepare(void)
{
	pthread_mutex_lock(&q.lock);
}

static void fork_done(void)
{
	pthread_mutex_unlock(&q.lock);
}

static void start(void)
{
	int error = background_start(writer, LOG_QUEUE_STACK);

	q.running = !error;
	q.start_error = error;
	if (q.running) {
		pthread_atfork(fork_prepare, fork_done, fork_done);
		atexit(drain_at_exit);
	}
}

bool log_queue_put(const char *node, const char *line, size_t len, size_t spare)
{
	size_t tail, first;

	pthread_once(&q.once, start);
	if (!q.running) {
		/* No thread: written at once if the log has room. */
		say_dropped(false, line, len);
		if (write_line(line, len, false))
			return true;
		count_dropped(1);
		return false;
	}
	pthread_mutex_lock(&q.lock);
	if (len > LOG_QUEUE_LINE || LOG_QUEUE_SIZE - q.used < len + spare) {
		pthread_mutex_unlock(&q.lock);
		if (!spare)
			count_dropped(1);
		return false;
	}
	if (!q.node[0])
		snprintf(q.node, sizeof(q.node), "%s", node);
	tail = (q.head + q.used) % LOG_QUEUE_SIZE;
	first = len < LOG_QUEUE_SIZE - tail ? len : LOG_QUEUE_SIZE - tail;
	memcpy(q.ring + tail, line, first);
	memcpy(q.ring, line + first, len - first);
	q.used += len;
	pthread_cond_signal(&q.more);
	pthread_mutex_unlock(&q.lock);
	return true;
}

int log_queue_start(void)
{
	pthread_once(&q.once, start);
	return q.running ? 0 : q.start_error;
}

void log_queue_count(uint64_t lines)
{
	__atomic_add_fetch(&q.dropped, lines, __ATOMIC_RELAXED);
}

uint64_t log_queue_dropped(void)
{
	return __atomic_load_n(&q.dropped, __ATOMIC_RELAXED);
}
