/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What hooks write to their standard output and error, as events of the
 * daemon's log. A hook given the daemon's own stream (a file, the
 * journal's socket) wrote into it between the daemon's lines: a line
 * without its newline glued the daemon's next line onto it, and a line
 * of the form "TIME NODE EVENT ..." read as the daemon's event. Instead
 * every hook writes into one pipe the daemon reads without waiting, and
 * each line becomes "hook-output transition=N line=TEXT": N the change
 * whose hook ran last when the line was read (a hook's background child
 * may write later), TEXT quoted as any free text (node.h). A line longer
 * than HOOK_OUTPUT_LINE bytes is logged in parts, cut between UTF-8
 * characters, each but the last with part=yes; a hook that ends without
 * a last newline has its last line logged then. A hook whose writes
 * outrun what may be logged (HOOK_OUTPUT_RATE) waits on the pipe
 * (64 KiB), not the daemon on it. A log that cannot keep up (its queue
 * half full, log_queue.h) loses hooks' lines before the daemon's own:
 * those are dropped and counted.
 */
#ifndef AVAILCTL_HOOK_OUTPUT_H
#define AVAILCTL_HOOK_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include "node.h"

/*
 * The longest part of a hook's line logged as one event, in bytes: its
 * every byte escaped, it still fits a log line (NODE_LOG_VALUE_SIZE).
 */
#define HOOK_OUTPUT_LINE 400

/*
 * Hooks' lines logged at most, a second and at once: a hook that writes
 * faster waits in its write, and takes neither the daemon's loop (its
 * renewals) nor its log (its own lines) from it.
 */
#define HOOK_OUTPUT_RATE 100
#define HOOK_OUTPUT_BURST 100

struct hook_output {
	int read_fd;		/* the daemon's end, not blocking; -1: none */
	int write_fd;		/* the hooks' standard output and error */
	char line[HOOK_OUTPUT_LINE];
	size_t len;		/* bytes of an unfinished line in line */
	uint32_t allowed;	/* lines that may be logged, as at counted_ms */
	uint64_t dropped;	/* lines the log had no room for, not yet said */
	uint64_t counted_ms;
};

/* Returns 0, or -1 with errno (no pipe). */
int hook_output_init(struct hook_output *o);

/* In a hook's process before exec(): its standard output and error. */
void hook_output_attach(const struct hook_output *o);

/*
 * The descriptor to poll for what hooks wrote at @now_ms (CLOCK_BOOTTIME
 * ms), -1 while no line may be logged (HOOK_OUTPUT_RATE).
 */
int hook_output_fd(const struct hook_output *o, uint64_t now_ms);

/* When a line may be logged again, if none may now; else UINT64_MAX. */
uint64_t hook_output_next_ms(const struct hook_output *o, uint64_t now_ms);

/* Called with @ctx before what a read() brought is logged. */
typedef void (*hook_output_first_fn)(void *ctx, const struct node *n);

/*
 * Logs the lines hooks wrote that are there to read now, as many as may
 * be logged (the rest wait in the pipe), for the hook of @transition;
 * @first (if not NULL) before each read's lines: what the hook's process
 * said before it wrote them goes first. A line the log's queue has no
 * room to spare for (node_log_spare()) is dropped, and how many were is
 * said in a "hook-output-dropped transition=N lines=N" event with the
 * next line logged or when the hook ends.
 */
void hook_output_read(struct hook_output *o, const struct node *n, uint64_t transition,
		      uint64_t now_ms, hook_output_first_fn first, void *ctx);

/* Logs the unfinished line, if any: its hook has ended. */
void hook_output_flush(struct hook_output *o, const struct node *n, uint64_t transition,
		       uint64_t now_ms);

void hook_output_close(struct hook_output *o);

#endif /* AVAILCTL_HOOK_OUTPUT_H */
