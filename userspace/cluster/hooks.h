/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User hooks on role changes, like keepalived's notify scripts, but in
 * order: the configured program runs as "HOOK ROLE" with the details in
 * its environment, one at a time, in the order of the role changes,
 * without the daemon's loop waiting for it.
 *
 * A change that comes while a hook runs waits for it; one that comes
 * while another waits replaces it (the later role is the one to act on;
 * the replaced one is logged "hook-skipped"). A hook with a successor
 * waiting, or the last one at stop, is ended once it has run
 * hook-timeout-ms: SIGTERM to its process group, SIGKILL HOOKS_KILL_MS
 * later. Each change is numbered (AVAILCTL_TRANSITION, from 1 at the
 * daemon's start), so two hooks of one epoch can be told apart. Hooks
 * start in a session of their own with every signal at its default and
 * none blocked.
 */
#ifndef AVAILCTL_HOOKS_H
#define AVAILCTL_HOOKS_H

#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "arbiter.h"
#include "hook_output.h"
#include "node.h"

/* From SIGTERM to SIGKILL of a hook ended for its time, in ms. */
#define HOOKS_KILL_MS 1000

/* One role change, as its hook is told of it. */
struct hooks_change {
	char role[16];			/* "active", ..., or "stop" */
	char previous[16];
	uint64_t epoch;
	uint64_t transition;		/* 1, 2, ...: the change's number */
	char peer[WIRE_NAME_SIZE];
	char witness[WIRE_NAME_SIZE];
	uint64_t generation;
	char reason[ARBITER_REASON_SIZE];
};

struct hooks {
	struct hooks_change running;	/* valid while pid */
	pid_t pid;			/* the running hook, 0: none */
	int pidfd;			/* readable once it ends; -1: none */
	int report_fd;			/* its word on its start (hooks.c), -1: read */
	uint64_t started_ms;
	uint64_t term_ms;		/* SIGTERM sent at, 0: not yet */
	bool killed;			/* SIGKILL sent */
	struct hooks_change next;	/* valid while has_next */
	bool has_next;
	bool stopping;			/* the daemon stops: no successor will come */
	uint64_t transitions;
	/*
	 * The running active hook's hold as the daemon renews it, in a page
	 * shared with the hook's process until it runs the program: a
	 * process slow to start checks the hold as it is then, not as it
	 * was when it was forked. 0: none (the role was left).
	 */
	uint64_t *hold_until_ms;
	struct hook_output output;	/* what hooks write, logged */
};

/* Returns 0, or -1 with errno (no shared page for the hold, no pipe for the output). */
int hooks_init(struct hooks *h);

/*
 * A role change from @previous to @change's role at its epoch, for its
 * reason: its hook starts now, or once the running one has ended,
 * whichever hook is configured then. The witness is @a's now. Entering
 * startup runs no hook.
 */
void hooks_change(struct hooks *h, const struct node *n, const struct arbiter *a,
		  const struct arbiter_out *change, enum arbiter_role previous);

/*
 * Collects the running hook if it ended, ends it if it ran out of time,
 * and starts the next one. An "active" hook runs only while @a is active
 * at its epoch, within @a's hold as renewed until the program starts. Call it when
 * hooks_poll_fds()'s are readable and at hooks_next_ms() at the latest.
 */
void hooks_step(struct hooks *h, const struct node *n, const struct arbiter *a,
		uint64_t now_ms);

/* When hooks_step() must run next (CLOCK_BOOTTIME ms); UINT64_MAX: no need. */
uint64_t hooks_next_ms(const struct hooks *h, const struct node *n);

/*
 * What a daemon polls for its hooks, into @fds: the running hook's pidfd,
 * readable once it ends, and the pipe its output comes by, readable when
 * a hook wrote; -1 for either when there is none or none may be read
 * (hook_output.h).
 */
#define HOOKS_POLL_FDS 2
void hooks_poll_fds(const struct hooks *h, uint64_t now_ms, struct pollfd fds[HOOKS_POLL_FDS]);

/*
 * At the daemon's stop, once it no longer acts: the "stop" hook (its
 * previous role @previous) is to run after the running one. The daemon's
 * loop then turns (answering status) until hooks_stopped().
 */
void hooks_stop(struct hooks *h, const struct node *n, const struct arbiter *a,
		enum arbiter_role previous);

/*
 * hooks_step(), and whether the stop is done: the running hook and the
 * stop hook have ended, each after hook-timeout-ms at most; one that
 * SIGKILL did not end (stuck in the kernel) is left behind, and the stop
 * hook, if it waited for that one, runs all the same. True within
 * 2 x (hook-timeout-ms + 2 x HOOKS_KILL_MS) of hooks_stop(); what hooks
 * wrote is logged by then. hooks_next_ms() says when to look again.
 */
bool hooks_stopped(struct hooks *h, const struct node *n, const struct arbiter *a,
		   uint64_t now_ms);

#endif /* AVAILCTL_HOOKS_H */
