/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The numbers a node puts on the datagrams it sends (see replay.h). They
 * must grow across restarts whatever the wall clock did: a restarted
 * sender whose numbers start below its old ones is dropped as a replay by
 * every peer that heard it, for as long as it runs. So before a number is
 * sent, one above it is written down (a block ahead, so that writes are
 * rare), in the state directory and in a runtime copy (a tmpfs, which a
 * restored backup of the state directory does not touch); a restart goes
 * on from the larger of what they hold and CLOCK_REALTIME in nanoseconds,
 * which keeps a node that lost both above what it sent, when its clock is
 * not behind.
 */
#ifndef AVAILCTL_SEQUENCE_H
#define AVAILCTL_SEQUENCE_H

#include <stdbool.h>
#include <stdint.h>

#include "durable.h"

/* Numbers written down at a time. */
#define SEQUENCE_BLOCK (1ull << 20)
/* After a failed write, numbers given before the next try. */
#define SEQUENCE_RETRY 1024

struct sequence {
	struct durable_file file;
	uint64_t next;		/* the number the next datagram gets */
	uint64_t reserved;	/* written down: no number at or above it was sent */
	uint64_t on_disk;	/* what the state file holds; 0: no file */
	uint64_t retry_at;	/* after a failed write: when to try again */
	int save_errno;		/* 0, or why the last write failed */
	/* "": none; else a state file that was unusable, and why */
	char ignored[PATH_MAX + 128];
};

/*
 * Reads what @state_dir and @runtime_dir (NULL: none) hold for @node of
 * @cluster and starts above it and above @clock_ns (CLOCK_REALTIME, ns).
 * A file that cannot be read or parsed is left out, and named in
 * s->ignored. Returns 0, or -1 when the paths are too long.
 */
int sequence_start(struct sequence *s, const char *state_dir, const char *runtime_dir,
		   const char *cluster, const char *node, uint64_t clock_ns);

/*
 * The number for the next datagram, > 0. When the numbers written down
 * are used up, writes a new block first. If that write fails, the number
 * is given all the same, so that a node whose disk is full goes on
 * talking; *@failed is then set and s->save_errno says why: after a
 * restart, such numbers may be below ones already sent.
 */
uint64_t sequence_take(struct sequence *s, bool *failed);

#endif /* AVAILCTL_SEQUENCE_H */
