// SPDX-License-Identifier: GPL-2.0
/*
 * sd_notify(3) for the daemons. The protocol is systemd's; libsystemd
 * speaks it. Hooks are the daemon's children: NotifyAccess=main (the
 * default) keeps them from speaking for it, and hooks.c removes the
 * variables from their environment.
 *
 * sd_notify() sends a datagram to the service manager's socket and
 * blocks while that socket's queue (net.unix.max_dgram_qlen, 10) is
 * full: when PID 1 does not read it for a while (busy, a daemon-reload
 * storm). Called from the event loop, that stopped heartbeats, lease
 * renewals and status answers, and the standby found a healthy active
 * silent. So the loop only posts to a mailbox, and a thread of its own
 * (the notifier) sends, waiting as long as the manager makes it:
 *  - READY=1, RELOADING=1 and STOPPING=1 in the order posted, none lost;
 *  - STATUS= and WATCHDOG=1 only as they are now: a status the manager
 *    did not take meanwhile is replaced by the next, keep-alives are one.
 * At exit the mailbox is given up to SERVICE_NOTIFY_EXIT_MS to empty
 * (STOPPING=1), as the log's queue is (log_queue.c).
 */
#define _GNU_SOURCE	/* pthread_setname_np() */

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <systemd/sd-daemon.h>

#include "background.h"
#include "service.h"
#include "utf8.h"

/* sd_notify() needs little; ASan's frames are larger. */
#define NOTIFY_STACK (256 * 1024)
/* READY=1, then a RELOADING=1 and a READY=1 a reload, then STOPPING=1. */
#define NOTIFY_LIFECYCLE 16

static struct {
	pthread_mutex_t lock;
	pthread_cond_t posted;		/* something to send, for the notifier */
	pthread_cond_t sent;		/* the mailbox emptied, for an exit */
	bool running;			/* the notifier started */
	pid_t owner;			/* its process: a forked child has none */
	pid_t loop;			/* the event loop's thread (its tid) */
	/* Under lock. */
	const char *lifecycle[NOTIFY_LIFECYCLE];	/* "READY=1"..., oldest first */
	unsigned int head, used;
	char status[512];		/* the latest STATUS= posted */
	bool status_unsent, watchdog, sending;
} box = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.posted = PTHREAD_COND_INITIALIZER,
	.sent = PTHREAD_COND_INITIALIZER,
};

/* Half of WatchdogSec= in ms; 0: no watchdog. Only the loop's. */
static uint64_t keepalive_ms;
static uint64_t last_keepalive_ms;

/*
 * What to send next, into @msg, under box.lock: the oldest lifecycle
 * message alone (systemd reads a datagram's READY=1 and RELOADING=1 in
 * its own order, not ours); else the status and keep-alive as they are.
 */
static bool take(char *msg, size_t size)
{
	bool any = box.status_unsent || box.watchdog;
	size_t len = 0;

	if (box.used) {
		snprintf(msg, size, "%s", box.lifecycle[box.head]);
		box.head = (box.head + 1) % NOTIFY_LIFECYCLE;
		box.used--;
		return true;
	}
	if (box.status_unsent)
		len = (size_t)snprintf(msg, size, "STATUS=%s\n", box.status);
	if (box.watchdog && len < size)
		snprintf(msg + len, size - len, "WATCHDOG=1\n");
	box.status_unsent = box.watchdog = false;
	return any;
}

/*
 * The loop's scheduling (its realtime priority, realtime-priority=), for
 * this thread: a keep-alive must not wait behind ordinary tasks where the
 * loop would not, or on a loaded machine systemd's watchdog ends a daemon
 * whose loop kept time (the tests saw 969 ms between keep-alives due
 * every 400). The thread only ever waits in sd_notify(): a realtime
 * priority costs others nothing. Looked up before each send, as a reload
 * changes the loop's, but asked for once per change: under the packaged
 * units the sandbox refuses it (RestrictRealtime=, and the thread was
 * reset to SCHED_OTHER at its creation by CPUSchedulingResetOnFork=), and
 * the thread runs on as it is, its keep-alives due every WatchdogSec=/2
 * (5 s there).
 */
static void follow_loop_scheduling(void)
{
	static int asked_policy = -1, asked_priority = -1;
	struct sched_param param;
	int policy = sched_getscheduler(box.loop);

	if (policy < 0 || sched_getparam(box.loop, &param))
		return;
	if (policy == asked_policy && param.sched_priority == asked_priority)
		return;
	asked_policy = policy;
	asked_priority = param.sched_priority;
	sched_setscheduler(0, policy, &param);	/* this thread's alone */
}

static void *notifier(void *unused)
{
	char msg[sizeof(box.status) + 32];

	(void)unused;
	/* Named for top -H and ps -L, and for the tests to find it. */
	pthread_setname_np(pthread_self(), "availctl-notify");
	pthread_mutex_lock(&box.lock);
	for (;;) {
		while (!take(msg, sizeof(msg))) {
			pthread_cond_broadcast(&box.sent);
			pthread_cond_wait(&box.posted, &box.lock);
		}
		box.sending = true;
		pthread_mutex_unlock(&box.lock);
		follow_loop_scheduling();
		/* Blocks while the manager's queue is full: only this thread waits. */
		sd_notify(0, msg);
		pthread_mutex_lock(&box.lock);
		box.sending = false;
	}
	return NULL;
}

/* Waits up to @timeout_ms for the mailbox to empty: STOPPING=1 at exit. */
static void drain(unsigned int timeout_ms)
{
	struct timespec until;

	if (!box.running || box.owner != getpid())
		return;
	until = background_deadline(CLOCK_REALTIME, timeout_ms);
	pthread_mutex_lock(&box.lock);
	while ((box.used || box.status_unsent || box.watchdog || box.sending) &&
	       pthread_cond_timedwait(&box.sent, &box.lock, &until) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&box.lock);
}

static void drain_at_exit(void)
{
	drain(SERVICE_NOTIFY_EXIT_MS);
}

/* A fork() (a hook) waits for the lock to be free, so that the child's copy is. */
static void fork_prepare(void)
{
	pthread_mutex_lock(&box.lock);
}

static void fork_done(void)
{
	pthread_mutex_unlock(&box.lock);
}

int service_start(void)
{
	int error;

	if (box.running)
		return 0;
	box.loop = (pid_t)syscall(SYS_gettid);
	/* As the log's writer: a small stack (memory is locked), no signals. */
	error = background_start(notifier, NOTIFY_STACK);
	if (error)
		return error;
	box.running = true;
	box.owner = getpid();
	pthread_atfork(fork_prepare, fork_done, fork_done);
	atexit(drain_at_exit);
	return 0;
}

/*
 * Posts lifecycle message @msg (a string constant). A mailbox full of
 * them (a reload storm while the manager reads nothing) lets go of the
 * oldest reload that both began and ended unsent: the manager, which
 * saw the daemon ready, sees it ready still.
 */
static void post_lifecycle(const char *msg)
{
	unsigned int i, at, next;

	if (!box.running) {
		sd_notify(0, msg);	/* no notifier (not a daemon): as it comes */
		return;
	}
	pthread_mutex_lock(&box.lock);
	for (i = 0; box.used == NOTIFY_LIFECYCLE && i + 1 < box.used; i++) {
		at = (box.head + i) % NOTIFY_LIFECYCLE;
		next = (at + 1) % NOTIFY_LIFECYCLE;
		if (!strcmp(box.lifecycle[at], "RELOADING=1") && !strcmp(box.lifecycle[next], "READY=1"))
			break;
	}
	if (box.used == NOTIFY_LIFECYCLE && i + 1 < box.used) {
		for (; i + 2 < box.used; i++)
			box.lifecycle[(box.head + i) % NOTIFY_LIFECYCLE] =
				box.lifecycle[(box.head + i + 2) % NOTIFY_LIFECYCLE];
		box.used -= 2;
	}
	if (box.used < NOTIFY_LIFECYCLE) {
		box.lifecycle[(box.head + box.used) % NOTIFY_LIFECYCLE] = msg;
		box.used++;
	}
	pthread_cond_signal(&box.posted);
	pthread_mutex_unlock(&box.lock);
}

/* Posts STATUS=@line when it differs from the last posted. */
static void post_status(const char *line)
{
	pthread_mutex_lock(&box.lock);
	if (strcmp(line, box.status)) {
		snprintf(box.status, sizeof(box.status), "%s", line);
		box.status_unsent = box.running;
		if (!box.running)
			sd_notifyf(0, "STATUS=%s", line);	/* no notifier: as it comes */
		pthread_cond_signal(&box.posted);
	}
	pthread_mutex_unlock(&box.lock);
}

void service_ready(const char *status)
{
	uint64_t usec = 0;

	/* At least 1 ms: a WatchdogSec= under 2 ms still gets its keep-alives. */
	if (sd_watchdog_enabled(0, &usec) > 0)
		keepalive_ms = usec / 2000 ? usec / 2000 : 1;
	post_lifecycle("READY=1");
	post_status(status);
}

void service_reloading(void)
{
	post_lifecycle("RELOADING=1");
}

void service_reloaded(void)
{
	post_lifecycle("READY=1");
}

void service_status(const char *fmt, ...)
{
	char line[sizeof(box.status)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	post_status(line);
}

void service_stopping(void)
{
	post_lifecycle("STOPPING=1");
}

int service_alive(uint64_t now_ms, int wait_ms)
{
	uint64_t due_in_ms;

	if (!keepalive_ms)
		return wait_ms;
	if (now_ms - last_keepalive_ms >= keepalive_ms) {
		last_keepalive_ms = now_ms;
		if (!box.running) {
			sd_notify(0, "WATCHDOG=1");
		} else {
			pthread_mutex_lock(&box.lock);
			box.watchdog = true;
			pthread_cond_signal(&box.posted);
			pthread_mutex_unlock(&box.lock);
		}
	}
	due_in_ms = last_keepalive_ms + keepalive_ms - now_ms;
	return wait_ms < 0 || due_in_ms < (uint64_t)wait_ms ? (int)due_in_ms : wait_ms;
}

/*
 * Whether descriptor @fd is the journal's stream: systemd names it in
 * JOURNAL_STREAM as "DEVICE:INODE" (systemd.exec(5)). Lines to it get a
 * "<N>" priority prefix, which journald strips (SyslogLevelPrefix=, on
 * by default); lines anywhere else (the tests' checker) are left as
 * they were.
 */
static bool is_journal(int fd)
{
	const char *stream = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	return stream && sscanf(stream, "%llu:%llu", &dev, &ino) == 2 && !fstat(fd, &st) &&
	       st.st_dev == dev && st.st_ino == ino;
}

bool service_stderr_is_journal(void)
{
	static int known = -1;

	if (known < 0)
		known = is_journal(STDERR_FILENO);
	return known;
}

const char *service_log_prefix(int priority)
{
	static const char prefixes[8][4] = { "<0>", "<1>", "<2>", "<3>", "<4>", "<5>", "<6>", "<7>" };

	return service_stderr_is_journal() && priority >= 0 && priority < 8 ?
		prefixes[priority] : "";
}

bool service_control_char(char c)
{
	return (unsigned char)c < 0x20 || c == 0x7f;
}

/*
 * One line to @out, after @prefix, its control characters spaces and a
 * byte that is part of no UTF-8 character (a path's) written \xNN: the
 * journal keeps a line that is not UTF-8 as a blob, which journalctl
 * does not show. Room for a message naming two paths of PATH_MAX; a
 * longer one is cut between characters, and says so.
 */
static void say_line(FILE *out, const char *prefix, const char *fmt, va_list ap)
{
	static const char cut[] = " [cut]";
	char line[3 * 4096], text[4 * sizeof(line)];
	size_t len;
	int used;

	used = vsnprintf(line, sizeof(line), fmt, ap);
	if (used >= (int)sizeof(line)) {
		len = utf8_cut(line, sizeof(line) - sizeof(cut));
		memcpy(line + len, cut, sizeof(cut));
	}
	utf8_escape(text, sizeof(text), line, "");
	fprintf(out, "%s%s\n", prefix, text);
}

void service_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say_line(stderr, service_log_prefix(LOG_ERR), fmt, ap);
	va_end(ap);
}

void service_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say_line(stdout, is_journal(STDOUT_FILENO) ? "<4>warning: " : "warning: ", fmt, ap);
	va_end(ap);
}

void service_say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say_line(stdout, "", fmt, ap);
	va_end(ap);
}
