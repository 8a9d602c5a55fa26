// SPDX-License-Identifier: GPL-2.0
/* Running the role-change hooks one at a time, in order (hooks.h). */

#define _GNU_SOURCE	/* pipe2() */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hooks.h"

/* A hook child's exit status when the hold ran out before it could start. */
#define HOOKS_LAPSED 125
/* Without a pidfd (a kernel before 5.3), how often a running hook is looked at: ms. */
#define HOOKS_LOOK_MS 100

int hooks_init(struct hooks *h)
{
	void *page;

	memset(h, 0, sizeof(*h));
	h->pidfd = h->report_fd = -1;
	page = mmap(NULL, sizeof(*h->hold_until_ms), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		return -1;
	h->hold_until_ms = page;
	return hook_output_init(&h->output);
}

static void copy(char *to, size_t size, const char *from)
{
	snprintf(to, size, "%s", from);
}

/* The change into @role, "stop" included, as its hook will be told of it. */
static void describe(struct hooks *h, const struct arbiter *a, const char *role,
		     uint64_t epoch, const char *reason, enum arbiter_role previous,
		     struct hooks_change *c)
{
	copy(c->role, sizeof(c->role), role);
	copy(c->previous, sizeof(c->previous), arbiter_role_name(previous));
	c->epoch = epoch;
	c->transition = ++h->transitions;
	copy(c->peer, sizeof(c->peer), a->peer);
	copy(c->witness, sizeof(c->witness), a->agreed.host);
	c->generation = a->agreed.generation;
	copy(c->reason, sizeof(c->reason), reason);
}

/*
 * Signal @s to its default through the system call: libc refuses to
 * change its own (glibc's 32 and 33, which it handles in a process with
 * threads), but a process that started the daemon may have left them
 * ignored, and an ignored signal outlives exec(). The kernel's struct
 * for rt_sigaction: handler, flags, restorer, mask (SIG_DFL: no more).
 */
static void reset_libc_signal(int s)
{
	struct {
		void (*handler)(int);
		unsigned long flags;
		void (*restorer)(void);
		uint64_t mask;
	} dfl = { .handler = SIG_DFL };

	syscall(SYS_rt_sigaction, s, &dfl, NULL, sizeof(dfl.mask));
}

/*
 * What a hook's process says of its start, before the program runs: the
 * daemon logs "hook-started" (or "hook-lapsed") from it, after the lines
 * logged before the hook began and before any the hook writes.
 */
struct hook_report {
	uint64_t checked_ms;	/* NODE_CLOCK ms: when the hold was checked */
	uint64_t hold_until_ms;	/* the hold then */
	bool lapsed;		/* an active hook past its hold: not run */
};

/*
 * In the child: what the hook inherits is its own (no signal ignored or
 * blocked, a session of its own so that it can be ended as a group), and
 * its details in the environment. The child logs nothing: the daemon's
 * log is written by a thread the child does not have (log_queue.h). It
 * says how its start went on @report_fd (struct hook_report), which
 * closes as the program starts, and the daemon logs it. glibc's fork()
 * leaves malloc() usable in the child.
 */
static void exec_hook(const struct hooks *h, const struct node *n, const struct hooks_change *c,
		      int report_fd)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	char epoch[24], generation[24], transition[24];
	struct hook_report report = { 0 };
	sigset_t none;
	int s;

	/*
	 * Out of the daemon's process group first: a signal sent to the
	 * group as the daemon stops (timeout(1), a terminal's ^C) is not the
	 * stop hook's, which is forked then, and would end it before it
	 * runs once its dispositions are the defaults.
	 */
	setsid();
	for (s = 1; s < NSIG; s++)
		if (sigaction(s, &dfl, NULL) && s != SIGKILL && s != SIGSTOP)
			reset_libc_signal(s);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	snprintf(epoch, sizeof(epoch), "%" PRIu64, c->epoch);
	snprintf(generation, sizeof(generation), "%" PRIu64, c->generation);
	snprintf(transition, sizeof(transition), "%" PRIu64, c->transition);
	setenv("AVAILCTL_ROLE", c->role, 1);
	setenv("AVAILCTL_PREVIOUS_ROLE", c->previous, 1);
	setenv("AVAILCTL_EPOCH", epoch, 1);
	setenv("AVAILCTL_TRANSITION", transition, 1);
	setenv("AVAILCTL_CLUSTER", n->conf.cluster, 1);
	setenv("AVAILCTL_NODE", n->conf.node, 1);
	setenv("AVAILCTL_PEER", c->peer, 1);
	setenv("AVAILCTL_WITNESS", c->witness, 1);
	setenv("AVAILCTL_WITNESS_GENERATION", generation, 1);
	setenv("AVAILCTL_REASON", c->reason, 1);
	/* The daemon's own line to systemd (service.h), not the hook's. */
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_PID");
	unsetenv("WATCHDOG_USEC");
	/*
	 * The active hook acts as the active: only while the hold runs, on
	 * the clock as it is now that the child exists (a starved machine
	 * can take long to fork), just before the program starts. The
	 * daemon's line says when that was checked: an ordinary task on a
	 * busy CPU can wait long between the check and a write (300 ms and
	 * more seen on one starved vCPU). The hold is the one the daemon
	 * renewed meanwhile (hooks.h), read after the clock: it only grows.
	 */
	report.checked_ms = node_now_ms();
	report.hold_until_ms = __atomic_load_n(h->hold_until_ms, __ATOMIC_ACQUIRE);
	report.lapsed = !strcmp(c->role, "active") && report.checked_ms >= report.hold_until_ms;
	/* Into an empty pipe, shorter than PIPE_BUF: whole, without waiting. */
	if (write(report_fd, &report, sizeof(report)) != (ssize_t)sizeof(report) || report.lapsed)
		_exit(HOOKS_LAPSED);
	hook_output_attach(&h->output);
	execl(n->conf.hook, n->conf.hook, c->role, (char *)NULL);
	_exit(127);
}

/*
 * The hold an active hook for @c may act within: @a's as it is now, while
 * @a is still active at that epoch; none once it left (a hook for a role
 * already left does not run).
 */
static uint64_t hold_for(const struct hooks_change *c, const struct arbiter *a)
{
	if (strcmp(c->role, "active") || a->role != ARBITER_ACTIVE || a->epoch != c->epoch)
		return 0;
	return arbiter_hold_until(a);
}

/* Runs the hook configured now, if any, for @c. */
static void start(struct hooks *h, const struct node *n, const struct arbiter *a,
		  const struct hooks_change *c, uint64_t now_ms)
{
	int report[2];
	pid_t pid;

	if (!n->conf.hook[0])
		return;	/* removed by a reload since the change */
	__atomic_store_n(h->hold_until_ms, hold_for(c, a), __ATOMIC_RELEASE);
	if (pipe2(report, O_CLOEXEC | O_NONBLOCK)) {
		node_log(n, "hook-failed", "role=%s transition=%" PRIu64 " error=pipe",
			 c->role, c->transition);
		return;
	}
	if (hook_output_open(&h->output, c->transition)) {
		close(report[0]);
		close(report[1]);
		node_log(n, "hook-failed", "role=%s transition=%" PRIu64 " error=pipe",
			 c->role, c->transition);
		return;
	}
	pid = fork();
	if (pid == 0)
		exec_hook(h, n, c, report[1]);
	hook_output_forked(&h->output);
	close(report[1]);
	if (pid < 0) {
		close(report[0]);
		node_log(n, "hook-failed", "role=%s transition=%" PRIu64 " error=fork",
			 c->role, c->transition);
		return;
	}
	h->report_fd = report[0];
	h->running = *c;
	h->pid = pid;
	h->pidfd = pidfd_open(pid, 0);
	h->started_ms = now_ms;
	h->term_ms = 0;
	h->killed = false;
}

/* @c runs once the running hook has ended, in place of any other waiting. */
static void queue(struct hooks *h, const struct node *n, const struct hooks_change *c)
{
	if (h->has_next)
		node_log(n, "hook-skipped", "role=%s epoch=%" PRIu64 " transition=%" PRIu64
			 " superseded_by=%" PRIu64, h->next.role, h->next.epoch,
			 h->next.transition, c->transition);
	h->next = *c;
	h->has_next = true;
}

/*
 * @c's hook starts now, or waits for the running one. Even with no hook
 * configured now, @c replaces one that waits (for a role left since).
 */
static void submit(struct hooks *h, const struct node *n, const struct arbiter *a,
		   const struct hooks_change *c)
{
	if (h->pid)
		queue(h, n, c);
	else
		start(h, n, a, c, node_now_ms());
}

void hooks_change(struct hooks *h, const struct node *n, const struct arbiter *a,
		  const struct arbiter_out *change, enum arbiter_role previous)
{
	struct hooks_change c;

	if (change->role == ARBITER_STARTUP)
		return;
	describe(h, a, arbiter_role_name(change->role), change->epoch, change->reason, previous,
		 &c);
	submit(h, n, a, &c);
}

/* The running hook may be ended for its time: one waits, or none will come. */
static bool may_end(const struct hooks *h)
{
	return h->has_next || h->stopping;
}

/* The group the hook leads, or the hook alone before its setsid(). */
static void signal_hook(const struct hooks *h, int sig)
{
	if (kill(-h->pid, sig) && errno == ESRCH)
		kill(h->pid, sig);
}

/*
 * Logs the running hook's start once its process has said how it went
 * (struct hook_report); nothing if it ended before it said.
 */
static void read_report(struct hooks *h, const struct node *n)
{
	const struct hooks_change *c = &h->running;
	struct hook_report r;
	ssize_t got;

	if (h->report_fd < 0)
		return;
	got = read(h->report_fd, &r, sizeof(r));
	if (got < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	close(h->report_fd);
	h->report_fd = -1;
	if (got != (ssize_t)sizeof(r))
		return;
	/*
	 * Stamped now, as every line (the log's time never goes back), the
	 * check's time in checked=: the process may have waited (a starved
	 * ordinary task) between its check and its report, while the daemon
	 * logged on; the check is what the hold is judged by.
	 */
	node_log(n, r.lapsed ? "hook-lapsed" : "hook-started",
		 "pid=%d role=%s epoch=%" PRIu64 " transition=%" PRIu64 " hold_until=%" PRIu64
		 " checked=%" PRIu64,
		 (int)h->pid, c->role, c->epoch, c->transition, r.hold_until_ms, r.checked_ms);
}

static void read_report_cb(void *ctx, const struct node *n)
{
	read_report(ctx, n);
}

static void log_end(const struct hooks *h, const struct node *n, int status)
{
	if (status < 0)
		node_log(n, "hook-ended", "pid=%d role=%s transition=%" PRIu64 " status=unknown",
			 (int)h->pid, h->running.role, h->running.transition);
	else if (WIFEXITED(status))
		node_log(n, "hook-ended", "pid=%d role=%s transition=%" PRIu64 " status=%d",
			 (int)h->pid, h->running.role, h->running.transition, WEXITSTATUS(status));
	else
		node_log(n, "hook-ended", "pid=%d role=%s transition=%" PRIu64 " signal=%d",
			 (int)h->pid, h->running.role, h->running.transition,
			 WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* What the running hook said and wrote: read, logged, its pipes closed. */
static void let_go_output(struct hooks *h, const struct node *n, uint64_t now_ms)
{
	read_report(h, n);
	if (h->report_fd >= 0) {
		close(h->report_fd);	/* its write end held on to elsewhere */
		h->report_fd = -1;
	}
	hook_output_ended(&h->output, n, now_ms);
}

/* No hook runs any longer, for this daemon. */
static void let_go_pid(struct hooks *h)
{
	if (h->pidfd >= 0)
		close(h->pidfd);
	h->pidfd = -1;
	h->pid = 0;
}

/* Whether the running hook has ended; collects it if so. */
static bool reap(struct hooks *h, const struct node *n)
{
	struct pollfd fd = { .fd = h->pidfd, .events = POLLIN };
	int status;
	pid_t got;

	got = waitpid(h->pid, &status, WNOHANG);
	if (got == 0) {
		/*
		 * It ended (its pidfd says so) but cannot be collected yet (a
		 * tracer holds it): look again now and then, not at every pass.
		 */
		if (h->pidfd >= 0 && poll(&fd, 1, 0) == 1) {
			close(h->pidfd);
			h->pidfd = -1;
		}
		return false;
	}
	if (got < 0 && errno != ECHILD)
		return false;
	/* ECHILD: collected by someone else; it is no longer ours to wait for. */
	let_go_output(h, n, node_now_ms());
	log_end(h, n, got < 0 ? -1 : status);
	/*
	 * What is left of a hook ended for its time goes with it: its group
	 * (which keeps the id from reuse while it has members), not the pid.
	 */
	if (h->term_ms)
		kill(-h->pid, SIGKILL);
	let_go_pid(h);
	return true;
}

/*
 * The running hook, which SIGKILL did not end (stuck in the kernel, or
 * held by a tracer), forgotten: never collected, as reap() would.
 */
static void abandon(struct hooks *h, const struct node *n, uint64_t now_ms)
{
	let_go_output(h, n, now_ms);
	let_go_pid(h);
}

void hooks_step(struct hooks *h, const struct node *n, const struct arbiter *a, uint64_t now_ms)
{
	uint32_t timeout_ms = n->conf.hook_timeout_ms;

	read_report(h, n);
	hook_output_read(&h->output, n, now_ms, read_report_cb, h);
	if (h->pid && !reap(h, n)) {
		__atomic_store_n(h->hold_until_ms, hold_for(&h->running, a), __ATOMIC_RELEASE);
		if (may_end(h) && !h->term_ms && now_ms - h->started_ms >= timeout_ms) {
			node_log(n, "hook-timeout", "pid=%d role=%s transition=%" PRIu64
				 " ran_ms=%" PRIu64 " signal=%d", (int)h->pid, h->running.role,
				 h->running.transition, now_ms - h->started_ms, SIGTERM);
			signal_hook(h, SIGTERM);
			h->term_ms = now_ms;
		} else if (may_end(h) && h->term_ms && !h->killed &&
			   now_ms - h->term_ms >= HOOKS_KILL_MS) {
			signal_hook(h, SIGKILL);
			h->killed = true;
		}
	}
	if (!h->pid && h->has_next) {
		h->has_next = false;
		start(h, n, a, &h->next, now_ms);
	}
}

uint64_t hooks_next_ms(const struct hooks *h, const struct node *n)
{
	uint64_t next = hook_output_next_ms(&h->output, node_now_ms()), deadline;

	if (!h->pid)
		return next;
	if (h->pidfd < 0)
		next = node_now_ms() + HOOKS_LOOK_MS;
	if (h->killed && h->stopping)	/* to be left behind then */
		deadline = h->term_ms + 2 * HOOKS_KILL_MS;
	else if (!may_end(h) || h->killed)
		return next;	/* its end is looked for, no signal is due */
	else
		deadline = h->term_ms ? h->term_ms + HOOKS_KILL_MS :
			   h->started_ms + n->conf.hook_timeout_ms;
	return deadline < next ? deadline : next;
}

void hooks_poll_fds(const struct hooks *h, uint64_t now_ms, struct pollfd fds[HOOKS_POLL_FDS])
{
	fds[0] = (struct pollfd){ .fd = h->pid ? h->pidfd : -1, .events = POLLIN };
	fds[1] = (struct pollfd){ .fd = hook_output_fd(&h->output, now_ms), .events = POLLIN };
}

void hooks_stop(struct hooks *h, const struct node *n, const struct arbiter *a,
		enum arbiter_role previous)
{
	struct hooks_change c;

	h->stopping = true;
	describe(h, a, "stop", a->epoch, a->reason, previous, &c);
	submit(h, n, a, &c);
}

bool hooks_stopped(struct hooks *h, const struct node *n, const struct arbiter *a,
		   uint64_t now_ms)
{
	hooks_step(h, n, a, now_ms);
	if (h->pid && h->killed && now_ms - h->term_ms >= 2 * HOOKS_KILL_MS) {
		node_log(n, "hook-abandoned", "pid=%d role=%s transition=%" PRIu64,
			 (int)h->pid, h->running.role, h->running.transition);
		if (h->has_next) {
			/* Left to the kernel: the stop hook, a process of its own, runs. */
			abandon(h, n, now_ms);
			hooks_step(h, n, a, now_ms);
			return false;
		}
	} else if (h->pid || h->has_next) {
		return false;
	}
	hook_output_leave(&h->output, n);
	return true;
}
