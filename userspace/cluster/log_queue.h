/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's log lines, written to standard error by a thread of their
 * own. The event loop queues a line and goes on: a destination that
 * takes its time (a slow journal, a pipe nobody reads, a log file on a
 * frozen or hung file system) never holds up renewals and heartbeats. A
 * line the queue has no room for is dropped, as is one the destination
 * refuses (a full disk); both are counted, and the thread says how many
 * in a "log-dropped lines=N" line as soon as the log takes lines again.
 *
 * One queue per process, started by its first line. A process forked
 * from the daemon has no writer thread: it must not log (a hook's
 * process tells the daemon what to log, hooks.c).
 */
#ifndef AVAILCTL_LOG_QUEUE_H
#define AVAILCTL_LOG_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes of lines the queue holds: about 2,000 lines of 128 bytes. */
#define LOG_QUEUE_SIZE (256 * 1024)

/*
 * How long, in ms, a process that exits waits for its queued lines to
 * be written: a log that takes none (a frozen file system) does not keep
 * a daemon from exiting for longer.
 */
#define LOG_QUEUE_EXIT_MS 2000

/*
 * Starts the writer thread, if not yet: 0, or an errno value (EAGAIN: a
 * limit on tasks reached). A daemon starts it first: without it lines
 * are written at once, and a log that takes its time would stop the
 * loop. A process that only logs a line or two (a test) needs not.
 */
int log_queue_start(void);

/*
 * Queues @line, @len bytes ending in '\n' (at most LOG_QUEUE_LINE), for
 * @node's log ("log-dropped" lines name it), unless fewer than @len +
 * @spare bytes are free: @spare keeps room for lines that matter more
 * (the daemon's own, when @line is a hook's). Returns false for a line
 * dropped, which is counted only when @spare is 0: a caller that spares
 * room counts its own.
 */
#define LOG_QUEUE_LINE 1024
bool log_queue_put(const char *node, const char *line, size_t len, size_t spare);

/*
 * Waits up to @timeout_ms for every line queued to be written (or
 * dropped); false if some are still waiting. Done at exit for up to
 * LOG_QUEUE_EXIT_MS.
 */
bool log_queue_drain(unsigned int timeout_ms);

/*
 * Lines dropped since the process started: not queued, or not written;
 * and those a caller that spares room counted (log_queue_count()).
 */
uint64_t log_queue_dropped(void);

/* Adds @lines dropped that the caller has said itself (hooks' lines). */
void log_queue_count(uint64_t lines);

#endif
