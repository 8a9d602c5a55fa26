/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A watch for stalls of the machine the tests run on: time in which a
 * real-time thread that asks to wake every STALL_TICK_MS did not run.
 * An emulated machine stops now and then (its host is busy, a debug
 * kernel runs its checks), and a timer then fires late however right the
 * code that armed it. A test of a deadline excuses lateness up to the
 * stalls seen while it ran, and nothing beyond: on a machine that never
 * stalls it asserts the deadline exactly.
 */
#ifndef AVAILCAST_SELFTESTS_STALL_H
#define AVAILCAST_SELFTESTS_STALL_H

#include <pthread.h>
#include <stdint.h>

#define STALL_TICK_MS	2
/*
 * A wake-up later than this is a stall. So a delay of the machine up to
 * this long goes unseen: lateness within it cannot be told from one.
 */
#define STALL_SLACK_MS	5
#define STALL_MAX	1024	/* stalls remembered; later ones are dropped */
#define STALL_CPUS	8	/* CPUs watched, each by a thread of its own */

struct stall {
	uint64_t from_ns, to_ns;	/* CLOCK_MONOTONIC */
};

struct stall_watch {
	pthread_t thread[STALL_CPUS];
	unsigned int threads;
	pthread_mutex_t lock;
	int stop;
	unsigned int n;
	struct stall seen[STALL_MAX];
};

/* Starts watching; 0 or a positive errno. */
int stall_watch_start(struct stall_watch *w);
void stall_watch_stop(struct stall_watch *w);

/*
 * Nanoseconds within [@from_ns, @to_ns] (CLOCK_MONOTONIC, as ac_now_ns()
 * and the kernel's ktime_get_ns() read it) in which some watched CPU was
 * stalled: a vCPU the host did not run stalls what runs on it alone, and
 * the watch of another CPU would not see it.
 */
uint64_t stall_ns_within(struct stall_watch *w, uint64_t from_ns,
			 uint64_t to_ns);

#endif
