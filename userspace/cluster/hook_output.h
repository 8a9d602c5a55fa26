/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What hooks write to their standard output and error, as events of the
 * daemon's log. A hook given the daemon's own stream (a file, the
 * journal's socket) wrote into it between the daemon's lines: a line
 * without its newline glued the daemon's next line onto it, and a line
 * of the form "TIME NODE EVENT ..." read as the daemon's event. Instead
 * each hook writes into a pipe of its own the daemon reads without
 * waiting, and each line becomes "hook-output transition=N line=TEXT":
 * N the change whose hook (or a process it left behind) wrote it, TEXT
 * quoted as any free text (node.h). Once a hook has ended its pipe is
 * still read, for what it left in it and what its background processes
 * write, until they close it or the next hook ends: then it is closed,
 * and a process still writing to it gets EPIPE (a background process
 * started by a hook must send its output elsewhere). A line longer than
 * HOOK_OUTPUT_LINE bytes is logged in parts, cut between UTF-8
 * characters, each but the last with part=yes; a hook that ends without
 * a last newline has its last line logged then. A hook whose writes
 * outrun what may be logged (HOOK_OUTPUT_RATE) waits on the pipe
 * (64 KiB), not the daemon on it. A log that cannot keep up (its queue
 * half full, log_queue.h) loses hooks' lines before the daemon's own:
 * those are dropped and counted, as are those in a pipe closed unread.
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

/* A hook's pipe, as the daemon reads it. */
struct hook_pipe {
	int fd;			/* the daemon's end, not blocking; -1: none */
	uint64_t transition;	/* of the hook that writes into it */
	char line[HOOK_OUTPUT_LINE];
	size_t len;		/* bytes of an unfinished line in line */
};

struct hook_output {
	struct hook_pipe running;	/* the running hook's */
	struct hook_pipe ended;		/* the last ended hook's, while open */
	int write_fd;		/* the running hook's end, until it started */
	int ready_fd;		/* epoll: readable when a pipe is */
	uint32_t allowed;	/* lines that may be logged, as at counted_ms */
	uint64_t counted_ms;
	uint64_t dropped;	/* lines the log had no room for, not yet said */
};

/* Returns 0, or -1 with errno (no epoll instance). */
int hook_output_init(struct hook_output *o);

/* A pipe for the hook of @transition, before its fork. 0, or -1 with errno. */
int hook_output_open(struct hook_output *o, uint64_t transition);

/* In a hook's process before exec(): its standard output and error. */
void hook_output_attach(const struct hook_output *o);

/* In the daemon once the hook's process exists: its end of the pipe goes. */
void hook_output_forked(struct hook_output *o);

/*
 * The descriptor to poll for what hooks wrote at @now_ms (CLOCK_BOOTTIME
 * ms), -1 while no line may be logged (HOOK_OUTPUT_RATE).
 */
int hook_output_fd(const struct hook_output *o, uint64_t now_ms);

/* When a line may be logged again, if none may now; else UINT64_MAX. */
uint64_t hook_output_next_ms(const struct hook_output *o, uint64_t now_ms);

/* Called with @ctx before what a read() of the running hook's pipe brought is logged. */
typedef void (*hook_output_first_fn)(void *ctx, const struct node *n);

/*
 * Logs the lines there are to read now in the running and the ended
 * hook's pipes, as many as may be logged (the rest wait in the pipe);
 * @first (if not NULL) before each read's lines from the running hook:
 * what the hook's process said before it wrote them goes first. A line
 * the log's queue has no room to spare for (node_log_spare()) is
 * dropped, and how many were is said in a "hook-output-dropped
 * transition=N lines=N" event with the next line logged or when the
 * hook ends. The ended hook's pipe is closed once its writers have.
 */
void hook_output_read(struct hook_output *o, const struct node *n, uint64_t now_ms,
		      hook_output_first_fn first, void *ctx);

/*
 * The running hook has ended: its lines there are to read now and its
 * unfinished one are logged, and its pipe becomes the ended one, in
 * place of the one before (closed; the lines left in it dropped).
 */
void hook_output_ended(struct hook_output *o, const struct node *n, uint64_t now_ms);

/*
 * The daemon stops: the ended hook's pipe is closed, the lines left in
 * it counted as dropped (hook-output-dropped).
 */
void hook_output_leave(struct hook_output *o, const struct node *n);

void hook_output_close(struct hook_output *o);

#endif /* AVAILCTL_HOOK_OUTPUT_H */
