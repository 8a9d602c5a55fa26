/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whether a directory takes durable writes, and how fast: a thread that
 * replaces a small probe file there (write, fsync, rename, fsync of the
 * directory) every so often. A witness store writes only when the record
 * changes, that is when a takeover or a witness move needs it; the probe
 * tells of a full, read-only or slow disk before then, so that the
 * active moves the witness away in time (Documentation/arbitration.rst,
 * "The witness store", write health). A thread, so that a write stuck in a
 * slow fsync delays no answer of the daemon's.
 */
#ifndef AVAILCTL_WRITE_PROBE_H
#define AVAILCTL_WRITE_PROBE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "durable.h"

/*
 * How often the probe writes, in ms, at most: after a write that took
 * longer than a third of this, it waits three times that write's time.
 */
#define WRITE_PROBE_EVERY_MS 1000

struct write_probe {
	struct durable_file file;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_cond_t ended_cond;	/* for write_probe_stopped() */
	bool running;
	/* Under lock. */
	bool stopping;
	bool ended;			/* the thread is done */
	uint64_t done;		/* probes completed */
	uint32_t took_ms;	/* the last one's time */
	int error;		/* the last one's errno value; 0: durable */
	uint64_t since_ms;	/* the one in progress began (CLOCK_MONOTONIC); 0: none */
};

/*
 * Starts probing @dir with the file @name (replaced, never read). Returns
 * 0, or -1 with errno set (a name too long, no thread).
 */
int write_probe_start(struct write_probe *p, const char *dir, const char *name);

/*
 * Asks the thread to stop: it does once the write in progress, if any,
 * is done (on a slow disk, in as long as its fsync takes).
 * write_probe_stopped() says when.
 */
void write_probe_stop(struct write_probe *p);

/*
 * Waits up to @wait_ms for the thread to have stopped; then collects it,
 * removes the file and returns true. False if it has not: the caller
 * waits on (a daemon's watchdog fed meanwhile).
 */
bool write_probe_stopped(struct write_probe *p, int wait_ms);

/*
 * The probes completed so far; the last one's time in *@took_ms and
 * errno value in *@error (0: made durable), and in *@in_flight_ms how
 * long the one in progress has taken so far (0: none).
 */
uint64_t write_probe_result(struct write_probe *p, uint32_t *took_ms, int *error,
			    uint32_t *in_flight_ms);

#endif /* AVAILCTL_WRITE_PROBE_H */
