/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's background threads: the log's writer (log_queue.c), the
 * service manager's notifier (service.c), the witness store's write
 * probe (write_probe.c). Each waits where the event loop must not.
 */
#ifndef AVAILCTL_BACKGROUND_H
#define AVAILCTL_BACKGROUND_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/*
 * Starts @run(NULL) in a detached thread with a stack of @stack_size
 * bytes (small: the daemon locks its memory, node.c) that takes no
 * signal (they go to the event loop) and inherits the loop's
 * SCHED_RESET_ON_FORK, so runs at ordinary priority. Returns 0, or
 * pthread_create()'s error (EAGAIN: a limit on tasks).
 */
int background_start(void *(*run)(void *), size_t stack_size);

/* The moment @ms ms from now on @clock, for pthread_cond_timedwait(). */
struct timespec background_deadline(clockid_t clock, uint64_t ms);

#endif
