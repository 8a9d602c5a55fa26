// SPDX-License-Identifier: GPL-2.0
/* The daemons' shared plumbing: sockets, signing, signals, log, status. */

#define _GNU_SOURCE	/* SCHED_RESET_ON_FORK */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <linux/capability.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>

#include "control.h"
#include "keyring.h"
#include "local_net.h"
#include "locks.h"
#include "log_queue.h"
#include "metrics.h"
#include "node.h"
#include "service.h"
#include "utf8.h"

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reload_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void on_hup(int sig)
{
	(void)sig;
	reload_requested = 1;
}

bool node_should_stop(void)
{
	return stop_requested;
}

bool node_take_reload(void)
{
	if (!reload_requested)
		return false;
	reload_requested = 0;
	return true;
}

static uint64_t clock_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t node_now_ms(void)
{
	return clock_ms(NODE_CLOCK);
}

uint64_t node_unix_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}

/*
 * Each event's syslog priority, for "journalctl -p": what went wrong and
 * what an operator must act on at warning or above, the role's changes
 * at notice, the routine (the hold renewed every heartbeat) at debug.
 * Unlisted events are info. Four events' priority follows their first
 * value: a role change to fault, a module lost, a witness store's writes
 * failing and pressure unreported are warnings; the way back is notice.
 * A store's answer refused is notice (the protocol at work: a lease
 * still held, an older epoch fenced off) unless the store failed
 * (corrupt, io_error): a warning. A hook's end is info if it exited 0,
 * else (a status, a signal) a warning.
 */
static const struct {
	const char *event;
	int priority;
} event_priorities[] = {
	{ "poll-failed", LOG_ERR }, { "persist-failed", LOG_ERR },
	{ "reload-hosts-failed", LOG_ERR }, { "sequence-unsaved", LOG_ERR },
	{ "hook-abandoned", LOG_ERR },
	{ "reload-refused", LOG_WARNING }, { "role-lapsed", LOG_WARNING },
	{ "state-rolled-back", LOG_WARNING }, { "state-ignored", LOG_WARNING },
	{ "sequence-ignored", LOG_WARNING }, { "scheduling-refused", LOG_WARNING },
	{ "runtime-dir-unusable", LOG_WARNING }, { "hook-failed", LOG_WARNING },
	{ "hook-timeout", LOG_WARNING }, { "hook-lapsed", LOG_WARNING },
	{ "witness-restored", LOG_WARNING }, { "dropped", LOG_WARNING },
	{ "log-dropped", LOG_WARNING }, { "control-unrecorded", LOG_WARNING },
	{ "memory-unlocked", LOG_WARNING }, { "hook-output-dropped", LOG_WARNING },
	{ "resources-unsent", LOG_WARNING }, { "witness-expired", LOG_WARNING },
	{ "send-failed", LOG_WARNING },
	{ "started", LOG_NOTICE }, { "stopping", LOG_NOTICE }, { "stopped", LOG_NOTICE },
	{ "reloaded", LOG_NOTICE }, { "witness", LOG_NOTICE },
	{ "witness-refused", LOG_NOTICE },
	{ "hold", LOG_DEBUG },
};

static int event_priority(const char *event, const char *values)
{
	size_t i;

	if (!strcmp(event, "role"))
		return !strncmp(values, "role=fault ", 11) ? LOG_WARNING : LOG_NOTICE;
	if (!strcmp(event, "module"))
		return !strncmp(values, "state=subscribed", 16) ? LOG_NOTICE : LOG_WARNING;
	if (!strcmp(event, "witness-writes"))
		return !strncmp(values, "state=ok", 8) ? LOG_NOTICE : LOG_WARNING;
	if (!strcmp(event, "pressure"))
		return !strncmp(values, "state=reported", 14) ? LOG_NOTICE : LOG_WARNING;
	/* A store's refusal is the protocol at work; its failing, a fault. */
	if (!strcmp(event, "witness") && !strncmp(values, "from=", 5))
		return strstr(values, " status=corrupt ") || strstr(values, " status=io_error ") ?
		       LOG_WARNING : LOG_NOTICE;
	if (!strcmp(event, "hook-ended")) {
		const char *ok = strstr(values, " status=0");

		return ok && !ok[strlen(" status=0")] ? LOG_INFO : LOG_WARNING;
	}
	for (i = 0; i < sizeof(event_priorities) / sizeof(event_priorities[0]); i++)
		if (!strcmp(event, event_priorities[i].event))
			return event_priorities[i].priority;
	return LOG_INFO;
}

/*
 * Ends @line, @len bytes with its values from @values, as one cut to
 * fit: a UTF-8 character cut in two is left out, a quoted value cut
 * inside is closed (an escape it cuts, "\" or "\xNN", left out), and
 * " cut=yes" says the line is not whole. @size - @len must hold it.
 * Returns the new length.
 */
static size_t log_cut(char *line, size_t len, size_t values)
{
	bool quoted = false, escaped = false;
	size_t i, escape = 0;

	len = values + utf8_cut(line + values, len - values);
	for (i = values; i < len; i++) {
		if (escaped) {
			escaped = false;
		} else if (line[i] == '\\' && quoted) {
			escaped = true;
			escape = i;
		} else if (line[i] == '"') {
			quoted = !quoted;
		}
	}
	/* An escape cut inside: "\", "\x" or "\xN" left out. */
	if (escaped || (quoted && escape && line[escape + 1] == 'x' && len - escape < 4))
		len = escape;
	if (quoted)
		line[len++] = '"';
	memcpy(line + len, " cut=yes", strlen(" cut=yes"));
	return len + strlen(" cut=yes");
}

/*
 * One write per line: a daemon killed mid-log leaves whole lines only,
 * and the checker in selftests/ reads every line as one event. So a
 * control character in a value (a newline in a configuration path, said
 * in an error) is written as a space: it would start a line of its own,
 * read as another event. Lines are queued (log_queue.h): the loop never
 * waits for its log. Returns false for a line dropped.
 */
static bool log_at(const struct node *n, uint64_t at_ms, size_t spare, const char *event,
		   const char *fmt, va_list ap)
{
	char line[LOG_QUEUE_LINE];
	size_t len, prefix = 0, values, i, step;
	int used;

	_Static_assert(sizeof(line) <= PIPE_BUF, "a log line fits a pipe's atomic write");
	if (service_stderr_is_journal())
		prefix = 3;	/* "<N>", N filled in below */
	used = snprintf(line + prefix, sizeof(line) - prefix, "%llu %s %s ",
			(unsigned long long)at_ms, n->conf.node, event);
	len = prefix + (used < 0 ? 0 : (size_t)used);
	values = len;
	if (len < sizeof(line) - 1) {
		used = vsnprintf(line + len, sizeof(line) - 1 - len, fmt, ap);
		if (used > 0)
			len += (size_t)used;
	}
	/* Room for '\n' and what log_cut() adds: '"' and " cut=yes". */
	if (len > sizeof(line) - 2)
		len = log_cut(line, sizeof(line) - 2 - strlen("\" cut=yes"), values);
	/*
	 * The journal keeps a line that is not UTF-8 as a blob, which
	 * journalctl does not show: a byte of no character that is not in
	 * a value node_log_value() wrote (which writes it \xNN) is a '?'.
	 */
	line[len] = '\0';	/* where utf8_length() stops */
	for (i = values; i < len; i += step) {
		step = (size_t)utf8_length((const unsigned char *)line + i);
		if (!step) {
			line[i] = '?';
			step = 1;
		} else if (service_control_char(line[i])) {
			line[i] = ' ';
		}
	}
	if (prefix) {
		line[0] = '<';
		line[1] = (char)('0' + event_priority(event, values < len ? line + values : ""));
		line[2] = '>';
	}
	line[len++] = '\n';
	return log_queue_put(n->conf.node, line, len, spare);
}

const char *node_log_value(char *buf, size_t size, const char *s)
{
	size_t in, out = 0;
	bool quote = !*s;

	/* A byte past ASCII may be part of a space (U+00A0, U+2028) to a reader. */
	for (in = 0; s[in] && !quote; in++)
		quote = strchr(" \"\\=", s[in]) || service_control_char(s[in]) ||
			(unsigned char)s[in] >= 0x80;
	if (!quote) {
		snprintf(buf, size, "%s", s);
		return buf;
	}
	/* Room for the closing '"' and '\0': cut between characters. */
	buf[out++] = '"';
	out += utf8_escape(buf + out, size - out - 1, s, "\"\\");
	buf[out++] = '"';
	buf[out] = '\0';
	return buf;
}

void node_log(const struct node *n, const char *event, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_at(n, node_now_ms(), 0, event, fmt, ap);
	va_end(ap);
}

void node_log_at(const struct node *n, uint64_t at_ms, const char *event, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_at(n, at_ms, 0, event, fmt, ap);
	va_end(ap);
}

bool node_log_spare(const struct node *n, const char *event, const char *fmt, ...)
{
	va_list ap;
	bool logged;

	va_start(ap, fmt);
	logged = log_at(n, node_now_ms(), LOG_QUEUE_SIZE / 2, event, fmt, ap);
	va_end(ap);
	return logged;
}

static int fail(char *error, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(char *error, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(error, size, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * The node's own address, not every one: two daemons on one machine
 * share a port, and none receives what it sends to another.
 */
static int bind_udp(const struct sockaddr_in *listen, char *error, size_t size)
{
	char address[INET_ADDRSTRLEN] = "?";
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(error, size, "socket: %s", strerror(errno));
	/* The kernel's receipt time of each datagram (node_datagram). */
	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &(int){ 1 }, sizeof(int))) {
		fail(error, size, "SO_TIMESTAMPNS: %s", strerror(errno));
		close(fd);
		return -1;
	}
	if (bind(fd, (const struct sockaddr *)listen, sizeof(*listen))) {
		inet_ntop(AF_INET, &listen->sin_addr, address, sizeof(address));
		fail(error, size, "binding UDP %s:%u: %s%s", address, ntohs(listen->sin_port),
		     strerror(errno),
		     errno == EADDRNOTAVAIL ? " (not an address of this machine: see bind-address)" : "");
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * SCHED_RR at realtime-priority, so that renewals and heartbeats run
 * ahead of every ordinary task however busy the machine (as corosync
 * does); SCHED_RESET_ON_FORK, so that hooks run as ordinary tasks.
 * Priority 0 asks for SCHED_OTHER. A refusal (no CAP_SYS_NICE, a
 * sandbox) is logged, and the daemon runs on as it is.
 */
static void set_scheduling(const struct node *n)
{
	struct sched_param want = { .sched_priority = (int)n->conf.realtime_priority };
	int policy = want.sched_priority ? SCHED_RR : SCHED_OTHER;
	struct sched_param have;
	int had = sched_getscheduler(0);

	/* Hooks must not inherit it: the flag is part of what is configured. */
	if (had >= 0 && !sched_getparam(0, &have) &&
	    had == (policy | SCHED_RESET_ON_FORK) && have.sched_priority == want.sched_priority)
		return;	/* as configured already, by the service manager say */
	if (sched_setscheduler(0, policy | SCHED_RESET_ON_FORK, &want)) {
		node_log(n, "scheduling-refused", "policy=%s priority=%d error=%s",
			 policy == SCHED_RR ? "rr" : "other", want.sched_priority,
			 LOG_VALUE(strerror(errno)));
		return;
	}
	node_log(n, "scheduling", "policy=%s priority=%d", policy == SCHED_RR ? "rr" : "other",
		 want.sched_priority);
}

/* AddressSanitizer's build: GCC says so one way, clang another. */
#if defined(__SANITIZE_ADDRESS__)
#define NODE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NODE_ASAN 1
#endif
#endif

#ifndef NODE_ASAN
/* CAP_IPC_LOCK: no memory-lock limit applies to this process. */
static bool may_lock_beyond_limit(void)
{
	struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &header, data))
		return false;
	return data[CAP_TO_INDEX(CAP_IPC_LOCK)].effective & CAP_TO_MASK(CAP_IPC_LOCK);
}
#endif

/*
 * The daemon's memory locked (mlockall()), with its realtime priority: a
 * renewal must no more wait for a page of its code or data to come back
 * from the disk or from swap (memory pressure, a slow root filesystem)
 * than for the CPU. corosync does the same. Only when no memory-lock
 * limit applies (RLIMIT_MEMLOCK infinite, as the units set it, or raised
 * here by root; or CAP_IPC_LOCK): with MCL_FUTURE, an allocation past a
 * finite limit would fail. Not in sanitizer builds, whose shadow memory
 * is terabytes of reservation. At start only (@starting): locking faults
 * in every page, which a reload, in the middle of the daemon's loop, must
 * not wait for; a reload that sets realtime-priority to 0 unlocks.
 */
static void set_memory_lock(struct node *n, bool starting)
{
	if (!n->conf.realtime_priority) {
		if (n->memory_locked && !munlockall())
			n->memory_locked = false;
		return;
	}
	if (n->memory_locked)
		return;
	if (!starting) {
		node_log(n, "memory-unlocked", "reason=\"reload (locked at the next start)\"");
		return;
	}
#ifdef NODE_ASAN
	node_log(n, "memory-unlocked", "reason=sanitizer");
#else
	struct rlimit limit = { RLIM_INFINITY, RLIM_INFINITY };

	/* Raising the hard limit needs CAP_SYS_RESOURCE: tried, not needed. */
	setrlimit(RLIMIT_MEMLOCK, &limit);
	if ((getrlimit(RLIMIT_MEMLOCK, &limit) || limit.rlim_cur != RLIM_INFINITY) &&
	    !may_lock_beyond_limit()) {
		node_log(n, "memory-unlocked", "reason=limit limit_bytes=%llu",
			 (unsigned long long)limit.rlim_cur);
		return;
	}
	if (mlockall(MCL_CURRENT | MCL_FUTURE)) {
		node_log(n, "memory-unlocked", "error=%s", LOG_VALUE(strerror(errno)));
		return;
	}
	n->memory_locked = true;
	node_log(n, "memory-locked", "priority=%u", n->conf.realtime_priority);
#endif
}

/* @status, with @error about @key's value prefixed by its file and line. */
static int blamed(const struct conf *c, const char *key, char *error, size_t size, int status)
{
	conf_blame(c, key, error, size);
	return status;
}

/*
 * The runtime directory's locks (locks.h): one daemon per node of a
 * cluster there, and the mark that says the directory is this daemon's
 * runtime directory; none when it is the state directory. One that
 * cannot be made there (a runtime directory we cannot write) leaves the
 * daemon without runtime copies, as a runtime directory that cannot be
 * made does.
 */
static int take_runtime_lock(struct node *n, const struct lock_place places[LOCK_KINDS],
			     char *error, size_t size)
{
	int *fds[] = { [LOCK_RUNTIME] = &n->runtime_lock,
		       [LOCK_RUNTIME_MARK] = &n->runtime_mark_lock };
	const struct conf *c = &n->conf;
	const char *why = NULL;
	struct stat run;
	int err, i;

	if (!n->runtime_dir_ok || !places[LOCK_RUNTIME].dir)
		return 0;
	/* mkdir() said EEXIST of a dangling symlink, or a file, too. */
	err = stat(c->runtime_dir, &run) ? errno : S_ISDIR(run.st_mode) ? 0 : ENOTDIR;
	if (err)
		why = strerror(err);
	for (i = LOCK_RUNTIME_MARK; i <= LOCK_RUNTIME && !why; i++) {
		*fds[i] = lock_take(&places[i], error, size);
		if (*fds[i] >= 0)
			continue;
		if (errno == EWOULDBLOCK)
			return blamed(c, places[i].key, error, size, places[i].status);
		why = error;	/* the lock file's path and what is wrong with it */
	}
	if (!why)
		return 0;
	node_log(n, "runtime-dir-unusable", "path=%s error=%s", LOG_VALUE(c->runtime_dir),
		 LOG_VALUE(why));
	n->runtime_dir_ok = false;
	return 0;
}

/*
 * How long a lock the daemon of this node that exits still holds may
 * stay held once it let go of NODE@CLUSTER.lock, in ms: node_stop()
 * lets go of that one last, but a daemon killed leaves the order to the
 * kernel.
 */
#define LOCKS_EXIT_MS 2000

/*
 * lock_take(), and when @after_exit (NODE@CLUSTER.lock is ours: no
 * daemon of this node runs) tried again while another holds it, for
 * LOCKS_EXIT_MS: the one that ran may be releasing the rest.
 */
static int take_after_exit(const struct lock_place *p, bool after_exit, char *error,
			   size_t size)
{
	uint64_t until = node_now_ms() + LOCKS_EXIT_MS;
	int fd;

	while ((fd = lock_take(p, error, size)) < 0 && errno == EWOULDBLOCK && after_exit &&
	       node_now_ms() < until)
		usleep(20 * 1000);
	return fd;
}

/* The locks a daemon holds while it runs, and what another holding one means: locks.h. */
static int take_locks(struct node *n, bool manager, char *error, size_t size)
{
	struct lock_place places[LOCK_KINDS];
	int *fds[] = { [LOCK_NODE_CLUSTER] = &n->cluster_lock, [LOCK_NODE] = &n->lock,
		       [LOCK_ROLE] = &n->role_lock };
	const struct lock_place *as_runtime = &places[LOCK_STATE_AS_RUNTIME];
	int i, status;

	if (locks_place(&n->conf, manager, places, error, size))
		return -1;
	for (i = LOCK_NODE_CLUSTER; i < LOCK_RUNTIME_MARK; i++) {
		*fds[i] = take_after_exit(&places[i], i > LOCK_NODE_CLUSTER, error, size);
		if (*fds[i] >= 0)
			continue;
		/*
		 * Held by a daemon whose runtime-dir this is, which marked it
		 * so before it took this lock there, or by one of this node
		 * on its way out.
		 */
		status = lock_status(&places[i], errno);
		if (i == LOCK_NODE_CLUSTER && errno == EWOULDBLOCK &&
		    lock_probe(as_runtime, error, size))
			status = as_runtime->status;
		return blamed(&n->conf, places[i].key, error, size, status);
	}
	return take_runtime_lock(n, places, error, size);
}

/* config_real, as config_path names it now (just read: no wait). */
static void resolve_config(struct node *n)
{
	if (!realpath(n->config_path, n->config_real))
		snprintf(n->config_real, sizeof(n->config_real), "%s", n->config_path);
}

/* node_start(), but -1 for a failure that may pass by itself. */
static int start(struct node *n, const char *config_path, bool manager,
		 char *error, size_t error_size)
{
	struct sigaction stop = { .sa_handler = on_stop }, hup = { .sa_handler = on_hup };
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	struct conf *c = &n->conf;
	struct control_place control;
	struct stat st;
	sigset_t none;
	int status;

	memset(n, 0, sizeof(*n));
	n->udp = n->cluster_lock = n->lock = n->role_lock = n->runtime_lock = -1;
	n->runtime_mark_lock = n->control.fd = -1;
	/*
	 * First: a SIGHUP or SIGTERM that comes while the daemon starts (a
	 * tool's restart-then-reload) is kept for the loop, not fatal. And
	 * what a supervisor or shell may have left is undone: SIGTERM
	 * blocked would make the daemon unstoppable, SIGCHLD ignored would
	 * reap its hooks unseen (hooks.c).
	 */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	sigaction(SIGTERM, &stop, NULL);
	sigaction(SIGINT, &stop, NULL);
	sigaction(SIGHUP, &hup, NULL);
	sigaction(SIGCHLD, &dfl, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (sodium_init() < 0)
		return fail(error, error_size, "libsodium could not start");
	snprintf(n->config_path, sizeof(n->config_path), "%s", config_path);
	if (conf_load_unless(config_path, c, &stop_requested, error, error_size))
		/* Stopped while it waited for a FIFO's writer: not the file's fault. */
		return stop_requested ? -1 : SERVICE_EXIT_CONFIG;
	resolve_config(n);
	if (manager != !!conf_is_manager(c, c->node)) {
		fail(error, error_size, "node %s is %s: run 'availctl %s'", c->node,
		     manager ? "a host" : "a manager", manager ? "relay" : "arbiter");
		return blamed(c, "node", error, error_size, SERVICE_EXIT_CONFIG);
	}
	if (keyring_load(&n->keys, c, error, error_size) ||
	    local_net_check_broadcasts(c, error, error_size) ||
	    conf_check_hook(c, error, error_size))
		return SERVICE_EXIT_CONFIG;
	/* From here on a failure may pass (an address not up yet): 1, restarted. */
	n->windows = calloc(c->n_managers + c->n_hosts, sizeof(*n->windows));
	n->inbox = calloc(1, sizeof(*n->inbox));
	if (!n->windows || !n->inbox)
		return fail(error, error_size, "out of memory");
	/* Without it, a log file on a frozen file system would stop the loop. */
	status = log_queue_start();
	if (status)
		return fail(error, error_size, "the log's writer thread: %s", strerror(status));
	/* Nor would a service manager that does not read its notify socket. */
	status = service_start();
	if (status)
		return fail(error, error_size, "the service manager's notifier thread: %s",
			    strerror(status));
	/*
	 * A control path that is not the daemon's to take refuses the start
	 * before anything is made (state-dir, runtime-dir, locks): bad input
	 * changes nothing. One that answers is left to the locks below, whose
	 * message names who holds them; control_open() looks again at its turn.
	 */
	control = (struct control_place){ .path = c->control, .record = c->control_record,
					  .path_is_default = c->control_default,
					  .made_at_start = { c->state_dir, c->runtime_dir } };
	status = control_inspect(&control, error, error_size);
	if (status == 1 || status == 3)
		return blamed(c, "control", error, error_size, SERVICE_EXIT_CONFIG);
	if (mkdir(c->state_dir, 0700) && errno != EEXIST) {
		int err = errno;

		/* Not the directories it is in: one missing may be a mount not made yet. */
		if (err == ENOENT) {
			fail(error, error_size,
			     "state-dir %s: the directory it is in does not exist (the daemon makes the state-dir alone: a mount not made yet?)",
			     c->state_dir);
			return blamed(c, "state-dir", error, error_size, -1);
		}
		fail(error, error_size, "state-dir %s: %s", c->state_dir, strerror(err));
		/* A file where a directory of it should be: no retry mends that. */
		return blamed(c, "state-dir", error, error_size,
			      err == ENOTDIR ? SERVICE_EXIT_CONFIG : -1);
	}
	if (stat(c->state_dir, &st) || !S_ISDIR(st.st_mode)) {
		fail(error, error_size, "state-dir %s is not a directory", c->state_dir);
		return blamed(c, "state-dir", error, error_size, SERVICE_EXIT_CONFIG);
	}
	/* Without it the daemon still runs, but cannot see its state go back. */
	n->runtime_dir_ok = !mkdir(c->runtime_dir, 0700) || errno == EEXIST;
	if (!n->runtime_dir_ok) {
		const char *why = strerror(errno);

		node_log(n, "runtime-dir-unusable", "path=%s error=%s", LOG_VALUE(c->runtime_dir),
			 LOG_VALUE(why));
	}
	status = take_locks(n, manager, error, error_size);
	if (status)
		return status;
	n->udp = bind_udp(&c->listen, error, error_size);
	if (n->udp < 0)
		return blamed(c, "listen", error, error_size, -1);
	status = control_open(&n->control, &control, error, error_size);
	if (status)
		return blamed(c, "control", error, error_size,
			      status > 0 ? SERVICE_EXIT_CONFIG : -1);
	if (n->control.record_error)
		node_log(n, "control-unrecorded", "path=%s record=%s error=%s",
			 LOG_VALUE(c->control), LOG_VALUE(c->control_record),
			 LOG_VALUE(strerror(n->control.record_error)));
	if (sequence_start(&n->seq, c->state_dir, n->runtime_dir_ok ? c->runtime_dir : NULL,
			   c->cluster, c->node, node_unix_ms() * 1000000)) {
		fail(error, error_size, "state-dir %s: path too long", c->state_dir);
		return blamed(c, "state-dir", error, error_size, -1);
	}
	if (n->seq.ignored[0])
		node_log(n, "sequence-ignored", "error=%s", LOG_VALUE(n->seq.ignored));
	n->started_ms = node_now_ms();
	set_scheduling(n);
	set_memory_lock(n, true);
	return 0;
}

int node_start(struct node *n, const char *config_path, bool manager,
	       char *error, size_t error_size)
{
	int status = start(n, config_path, manager, error, error_size);

	return status < 0 ? 1 : status;
}

void node_stop(struct node *n)
{
	control_close(&n->control, n->conf.control);
	if (n->udp >= 0)
		close(n->udp);
	/*
	 * The locks in the reverse of the order they were taken: a start
	 * meanwhile finds NODE@CLUSTER.lock held, this node's daemon on its
	 * way out (1), not one of the others still held (78).
	 */
	if (n->runtime_lock >= 0)
		close(n->runtime_lock);
	if (n->runtime_mark_lock >= 0)
		close(n->runtime_mark_lock);
	if (n->role_lock >= 0)
		close(n->role_lock);
	if (n->lock >= 0)
		close(n->lock);
	if (n->cluster_lock >= 0)
		close(n->cluster_lock);
	keyring_free(&n->keys);
	free(n->windows);
	n->windows = NULL;
	free(n->inbox);
	n->inbox = NULL;
	conf_free(&n->conf);
}

/*
 * The replay windows for @next's nodes: each follows its sender's name
 * when the list changes. Returns them, or NULL when out of memory.
 */
static struct replay_window *keep_windows(const struct node *n, const struct conf *next)
{
	unsigned int i, count = next->n_managers + next->n_hosts;
	struct replay_window *windows = calloc(count, sizeof(*windows));
	int from;

	if (!windows)
		return NULL;
	for (i = 0; i < count; i++) {
		from = conf_index(&n->conf, next->by_name[i].name);
		if (from >= 0)
			windows[next->by_name[i].index] = n->windows[from];
	}
	return windows;
}

/*
 * Whether @path is a regular file, opened without waiting: a reload must
 * not stop the loop on a FIFO with no writer (the start may wait on one).
 */
static bool regular_file(const char *path, char *error, size_t error_size)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		fail(error, error_size, "%s: %s", path, strerror(errno));
		return false;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		fail(error, error_size, "%s: not a regular file, which a reload needs", path);
		close(fd);
		return false;
	}
	close(fd);
	return true;
}

/* A change a reload cannot take: what changed, and the line that says it (0: none). */
struct restart_only {
	const char *what;
	unsigned int line;
};

/*
 * The first change @next makes that a reload cannot take, or { NULL }:
 * what the daemon bound, locked and named itself by at start. The
 * managers' names and order too: the arbiter took its peer and whether
 * it is the preferred one at start (their addresses may change).
 */
static struct restart_only restart_only_change(const struct conf *now, const struct conf *next)
{
	const struct conf_node *was = conf_self(now), *is = conf_self(next);
	unsigned int i;

	if (strcmp(next->cluster, now->cluster))
		return (struct restart_only){ "cluster changed", conf_line(next, "cluster") };
	if (strcmp(next->node, now->node) ||
	    conf_is_manager(next, next->node) != conf_is_manager(now, now->node))
		return (struct restart_only){ "node changed, or its role", conf_line(next, "node") };
	if (strcmp(next->state_dir, now->state_dir))
		return (struct restart_only){ "state-dir changed", conf_line(next, "state-dir") };
	if (strcmp(next->runtime_dir, now->runtime_dir))
		return (struct restart_only){ "runtime-dir changed", conf_line(next, "runtime-dir") };
	/* The default's line is state-dir's, which names it. */
	if (strcmp(next->control, now->control))
		return (struct restart_only){ next->control_default ?
					      "control changed to the default, <state-dir>/NODE.sock" :
					      "control changed", conf_line(next, "control") };
	for (i = 0; i < 2; i++)
		if (strcmp(next->managers[i].name, now->managers[i].name))
			return (struct restart_only){ "the managers' names or order changed",
						      next->managers[i].line };
	if (is->addr.sin_addr.s_addr != was->addr.sin_addr.s_addr ||
	    is->addr.sin_port != was->addr.sin_port)
		return (struct restart_only){ "this node's address or port changed", is->line };
	/* Removed, it leaves no line to name. */
	if (next->listen.sin_addr.s_addr != now->listen.sin_addr.s_addr)
		return conf_line(next, "bind-address") ?
			(struct restart_only){ "bind-address changed", conf_line(next, "bind-address") } :
			(struct restart_only){ "bind-address removed", 0 };
	return (struct restart_only){ NULL, 0 };
}

static int reload_conf(struct node *n, char *error, size_t error_size)
{
	struct conf next;
	struct restart_only change;
	struct replay_window *windows;
	struct keyring keys;
	bool keys_loaded = false;

	if (!regular_file(n->config_path, error, error_size) ||
	    conf_load(n->config_path, &next, error, error_size)) {
		node_log(n, "reload-refused", "error=%s", LOG_VALUE(error));
		return -1;
	}
	change = restart_only_change(&n->conf, &next);
	if (change.what) {
		char where[CONF_WHERE_SIZE];

		fail(error, error_size, "%s%s: only a restart takes that",
		     conf_at(&next, change.line, where, sizeof(where)), change.what);
		goto refused;
	}
	if (keyring_load(&keys, &next, error, error_size))
		goto refused;
	keys_loaded = true;
	if (local_net_check_broadcasts(&next, error, error_size) ||
	    conf_check_hook(&next, error, error_size))
		goto refused;
	windows = keep_windows(n, &next);
	if (!windows) {
		fail(error, error_size, "out of memory");
		goto refused;
	}
	keyring_adopt(&keys, &next, &n->keys, &n->conf);
	keyring_free(&n->keys);
	n->keys = keys;
	free(n->windows);
	n->windows = windows;
	conf_free(&n->conf);
	n->conf = next;
	resolve_config(n);
	node_log(n, "reloaded", "path=%s", LOG_VALUE(n->config_path));
	set_scheduling(n);
	set_memory_lock(n, false);
	return 0;
refused:
	node_log(n, "reload-refused", "error=%s", LOG_VALUE(error));
	if (keys_loaded)
		keyring_free(&keys);
	conf_free(&next);
	return -1;
}

int node_reload(struct node *n, char *error, size_t error_size)
{
	int status;

	service_reloading();
	status = reload_conf(n, error, error_size);
	service_reloaded();
	return status;
}

/*
 * A datagram to @to that could not be sent (@why: a firewall's rule, no
 * route, a full socket buffer): counted, and logged once a second at
 * most (a warning), as drops are, so that a daemon whose heartbeats go
 * nowhere says so in its log, not only in its counters, and one that
 * cannot send at all does not flood it.
 */
static int send_failed(struct node *n, const char *to, const char *why)
{
	n->send_failed++;
	if (n->send_failed_logged_ms && node_now_ms() - n->send_failed_logged_ms < 1000) {
		n->send_failed_unlogged++;
		return -1;
	}
	node_log(n, "send-failed", "to=%s error=%s unlogged_before=%llu", LOG_VALUE(to),
		 LOG_VALUE(why), (unsigned long long)n->send_failed_unlogged);
	n->send_failed_logged_ms = node_now_ms();
	n->send_failed_unlogged = 0;
	return -1;
}

int node_send(struct node *n, const char *to, struct wire_message *msg)
{
	const struct conf_node *dest = conf_find(&n->conf, to);
	const struct wire_key *key = keyring_send_key(&n->keys, conf_index(&n->conf, to));
	uint8_t buf[WIRE_MAX];
	bool unsaved;
	size_t len;

	if (!dest || !key)
		return send_failed(n, to, dest ? "no key for it" : "not in the configuration");
	snprintf(msg->sender, sizeof(msg->sender), "%s", n->conf.node);
	snprintf(msg->destination, sizeof(msg->destination), "%s", to);
	msg->seq = sequence_take(&n->seq, &unsaved);
	if (unsaved)
		node_log(n, "sequence-unsaved", "next=%llu error=%s",
			 (unsigned long long)n->seq.next, LOG_VALUE(strerror(n->seq.save_errno)));
	msg->time_ms = node_unix_ms();
	len = wire_encode(msg, key, buf, sizeof(buf));
	if (!len)
		return send_failed(n, to, "too large to encode");
	if (sendto(n->udp, buf, len, 0, (const struct sockaddr *)&dest->addr,
		   sizeof(dest->addr)) != (ssize_t)len)
		return send_failed(n, to, strerror(errno));
	n->sent++;
	return 0;
}

/* A datagram's key lookup, and the sender's conf_index() it found. */
struct lookup {
	const struct node *n;
	int sender_index;
};

/* wire_decode()'s key lookup: what this node shares with the sender. */
static const struct wire_key *find_key(void *ctx, uint16_t key_id, const char *sender,
				       const char *destination, enum wire_verdict *verdict)
{
	struct lookup *l = ctx;

	return keyring_lookup(&l->n->keys, &l->n->conf, key_id, sender, destination,
			      &l->sender_index, verdict);
}

/* When the kernel received the datagram of @mh (SCM_TIMESTAMPNS), or 0. */
static uint64_t received_unix_ms(struct msghdr *mh)
{
	struct cmsghdr *c;
	struct timespec ts;

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS)
			continue;
		memcpy(&ts, CMSG_DATA(c), sizeof(ts));
		return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	}
	return 0;
}

/* Takes what waits in the socket, up to NODE_INBOX; false when nothing. */
static bool fill_inbox(struct node *n)
{
	union {
		struct cmsghdr align;
		char bytes[CMSG_SPACE(sizeof(struct timespec))];
	} control[NODE_INBOX];
	struct node_inbox *in = n->inbox;
	struct mmsghdr mm[NODE_INBOX];
	struct iovec iov[NODE_INBOX];
	int got, i;

	for (i = 0; i < NODE_INBOX; i++) {
		iov[i] = (struct iovec){ .iov_base = in->d[i].bytes,
					 .iov_len = sizeof(in->d[i].bytes) };
		mm[i].msg_hdr = (struct msghdr){
			.msg_iov = &iov[i], .msg_iovlen = 1,
			.msg_control = control[i].bytes,
			.msg_controllen = sizeof(control[i].bytes),
		};
	}
	/* MSG_TRUNC: each length as sent, so that a datagram too long is seen. */
	got = recvmmsg(n->udp, mm, NODE_INBOX, MSG_TRUNC, NULL);
	if (got <= 0)
		return false;
	for (i = 0; i < got; i++) {
		in->d[i].len = (ssize_t)mm[i].msg_len;
		in->d[i].received_unix_ms = received_unix_ms(&mm[i].msg_hdr);
	}
	in->next = 0;
	in->count = (unsigned int)got;
	return true;
}

bool node_read(struct node *n, struct node_datagram *d)
{
	const struct node_datagram *next;

	if (!node_unread(n) && !fill_inbox(n))
		return false;
	next = &n->inbox->d[n->inbox->next++];
	d->len = next->len;
	d->received_unix_ms = next->received_unix_ms;
	memcpy(d->bytes, next->bytes,
	       next->len < (ssize_t)sizeof(d->bytes) ? (size_t)next->len : sizeof(d->bytes));
	return true;
}

bool node_unread(const struct node *n)
{
	return n->inbox->next < n->inbox->count;
}

uint64_t node_waited_ms(uint64_t received_unix_ms)
{
	uint64_t now = node_unix_ms();

	return received_unix_ms && now > received_unix_ms ? now - received_unix_ms : 0;
}

int node_accept(struct node *n, const struct node_datagram *d, struct wire_message *msg)
{
	struct lookup l = { .n = n, .sender_index = -1 };
	enum wire_verdict verdict;

	verdict = wire_decode(d->bytes, (size_t)d->len, find_key, &l, msg);
	/* Authentic: the sender is a node we share a key with, not us. */
	msg->sender_index = l.sender_index;
	if (verdict == WIRE_OK)
		verdict = replay_check(&n->windows[l.sender_index], msg->seq, msg->time_ms,
				       node_unix_ms(), n->conf.replay_window_ms);
	n->verdicts[verdict]++;
	if (verdict == WIRE_OK)
		return 1;
	if (node_now_ms() - n->drops_logged_ms < 1000) {
		n->drops_unlogged++;
		return -1;
	}
	node_log(n, "dropped", "verdict=%s bytes=%zd unlogged_before=%llu",
		 wire_verdict_name(verdict), d->len, (unsigned long long)n->drops_unlogged);
	n->drops_logged_ms = node_now_ms();
	n->drops_unlogged = 0;
	return -1;
}

int node_receive(struct node *n, struct wire_message *msg)
{
	struct node_datagram d;

	if (!node_read(n, &d))
		return 0;
	return node_accept(n, &d, msg);
}

void node_metric_labels(const struct node *n, char *labels, size_t size)
{
	snprintf(labels, size, "node=\"%s\",cluster=\"%s\"", n->conf.node, n->conf.cluster);
}

static void write_counter_metrics(const struct node *n, FILE *out, const char *labels)
{
	unsigned int v;

	metrics_integer(out, "log_dropped_total", "counter",
			"Log lines dropped: no room in the log queue, refused by the log (a full disk), or hooks' lines the log had no room to spare for.",
			labels, log_queue_dropped());
	metrics_integer(out, "datagrams_sent_total", "counter",
			"Datagrams this daemon sent, signed.", labels, n->sent);
	metrics_integer(out, "datagrams_send_failed_total", "counter",
			"Datagrams this daemon could not send.", labels, n->send_failed);
	metrics_family(out, "datagrams_received_total", "counter",
		       "Datagrams received, by verdict: accepted, or why dropped.");
	for (v = 0; v < WIRE_VERDICTS; v++)
		fprintf(out, "availctl_datagrams_received_total{%s,verdict=\"%s\"} %llu\n",
			labels, v ? wire_verdict_name(v) : "accepted",
			(unsigned long long)n->verdicts[v]);
}

void node_json_string(FILE *out, const char *s)
{
	const unsigned char *c = (const unsigned char *)s;
	int len;

	fputc('"', out);
	while (*c) {
		len = utf8_length(c);
		if (!len) {
			/* JSON is text: a byte that is not (a path's) becomes U+FFFD. */
			fputs("\\ufffd", out);
			c++;
			continue;
		}
		if (*c == '"' || *c == '\\')
			fputc('\\', out);
		if (*c >= 0x20)
			fwrite(c, 1, (size_t)len, out);
		c += len;
	}
	fputc('"', out);
}

void node_write_counters(const struct node *n, FILE *out, enum node_format format,
			 const char *labels)
{
	unsigned int v;

	switch (format) {
	case NODE_PROMETHEUS:
		write_counter_metrics(n, out, labels);
		return;
	case NODE_JSON:
		fputs("\"config\":", out);
		node_json_string(out, n->config_real);
		fprintf(out, ",\"log_dropped\":%llu,\"datagrams\":{\"sent\":%llu,\"send_failed\":%llu",
			(unsigned long long)log_queue_dropped(), (unsigned long long)n->sent,
			(unsigned long long)n->send_failed);
		for (v = 0; v < WIRE_VERDICTS; v++)
			fprintf(out, ",\"%s\":%llu", v ? wire_verdict_name(v) : "accepted",
				(unsigned long long)n->verdicts[v]);
		fputc('}', out);
		return;
	case NODE_ROLE:
		return;		/* no counters in a role */
	case NODE_TEXT:
		break;
	}
	fprintf(out, "datagrams:  %llu sent, %llu accepted", (unsigned long long)n->sent,
		(unsigned long long)n->verdicts[WIRE_OK]);
	for (v = 1; v < WIRE_VERDICTS; v++)
		if (n->verdicts[v])
			fprintf(out, ", %llu %s", (unsigned long long)n->verdicts[v],
				wire_verdict_name(v));
	fputc('\n', out);
	if (log_queue_dropped())
		fprintf(out, "log:        %llu lines dropped, the log full or too slow\n",
			(unsigned long long)log_queue_dropped());
}

static enum node_format requested_format(const char *request)
{
	if (!strcmp(request, "json"))
		return NODE_JSON;
	if (!strcmp(request, "prom"))
		return NODE_PROMETHEUS;
	if (!strcmp(request, "role"))
		return NODE_ROLE;
	return NODE_TEXT;
}

struct status_request {
	struct node *node;
	node_status_fn answer;
	node_reload_fn reload;
	void *ctx;
};

/*
 * Whether @req is for this daemon (control.h): no one named, or this
 * node of this cluster, reading the file named if one is.
 */
static bool for_us(const struct node *n, const struct control_request *req)
{
	struct stat st;

	if (!req->addressed)
		return true;
	if (strcmp(req->node, n->conf.node) || strcmp(req->cluster, n->conf.cluster))
		return false;
	return !req->has_file || (!stat(n->config_path, &st) && control_request_names(req, &st));
}

static void answer_request(void *ctx, const char *request, FILE *out)
{
	struct status_request *sr = ctx;
	struct control_request req;
	char error[CONF_ERROR_SIZE];

	if (control_request_parse(request, &req)) {
		fprintf(out, "refused: a malformed request\n");
		return;
	}
	if (!for_us(sr->node, &req)) {
		fprintf(out, CONTROL_OTHER "%s %s %s\n", sr->node->conf.node, sr->node->conf.cluster,
			sr->node->config_real);
		return;
	}
	if (req.addressed)
		fprintf(out, CONTROL_FOR "%s %s\n", sr->node->conf.node, sr->node->conf.cluster);
	if (strcmp(req.verb, "reload")) {
		sr->answer(sr->ctx, out, requested_format(req.verb));
		return;
	}
	if (sr->reload(sr->ctx, error, sizeof(error)))
		fprintf(out, "refused: %s\n", error);
	else
		fprintf(out, "reloaded\n");
}

void node_serve_status(struct node *n, node_status_fn answer, node_reload_fn reload, void *ctx)
{
	struct status_request sr = { .node = n, .answer = answer, .reload = reload, .ctx = ctx };

	control_serve(&n->control, node_now_ms(), answer_request, &sr);
}

int node_poll_control(const struct node *n, struct pollfd *fds, int wait_ms)
{
	fds[0] = (struct pollfd){ .fd = -1 };
	control_poll_fds(&n->control, fds + 1);
	return control_wait_ms(&n->control, node_now_ms(), wait_ms);
}

int node_poll_fds(const struct node *n, struct pollfd *fds, int wait_ms)
{
	wait_ms = node_poll_control(n, fds, wait_ms);
	fds[0] = (struct pollfd){ .fd = n->udp, .events = POLLIN };
	return node_unread(n) ? 0 : wait_ms;
}
