/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The numbers a node puts on the datagrams it sends (see replay.h). They
 * must grow across restarts whatever the wall clock did: a restarted
 * sender whose numbers start below its old ones is dropped as a replay by
 * every peer that heard it, for as long as it runs. So before a number is
 * sent, one above it is written down (a block ahead, so that writes are
 * rare), in the state directory and in a runtime copy (a tmpfs, which a
 * restored backup of the state directory does not touch, and which is
 * written even when the state directory cannot be); a restart goes on
 * from the larger of what they hold and CLOCK_REALTIME in nanoseconds. A
 * node that lost both starts from its clock alone: below what it sent, if
 * its clock was ahead then, and its peers drop it until the clock passes.
 */
#ifndef AVAILCTL_SEQUENCE_H
#define AVAILCTL_SEQUENCE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "durable.h"

/* Numbers written down at a time. */
#define SEQUENCE_BLOCK (1ull << 20)
/* After a failed write, numbers given before the next try. */
#define SEQUENCE_RETRY 1024
/* The largest number a file may hold: far from wrapping around. */
#define SEQUENCE_MAX (UINT64_MAX / 2)

struct sequence {
	struct durable_file file;	/* <state-dir>/<node>@<cluster>.sequence */
	struct durable_file copy;	/* the same in runtime-dir */
	bool has_copy;
	uint64_t next;		/* the number the next datagram gets */
	uint64_t reserved;	/* written down: no number at or above it was sent */
	uint64_t on_disk[2];	/* what the file and the copy hold; 0: nothing */
	uint64_t retry_at;	/* after a failed write: when to try again */
	int save_errno;		/* 0, or why the last write to the state file failed */
	/* "": none; else the state files that were unusable, and why */
	char ignored[2 * PATH_MAX + 128];
};

/*
 * Reads what @state_dir and @runtime_dir (NULL: none) hold for @node of
 * @cluster, under the names of now and of earlier versions (layout.h),
 * and starts above it and above @clock_ns (CLOCK_REALTIME, ns).
 * A file that cannot be read or parsed is left out, and named in
 * s->ignored. Returns 0, or -1 when the paths are too long.
 */
int sequence_start(struct sequence *s, const char *state_dir, const char *runtime_dir,
		   const char *cluster, const char *node, uint64_t clock_ns);

/*
 * The number for the next datagram, > 0. When the numbers written down
 * are used up, writes a new block first. If the state file cannot be
 * written, the number is given all the same, so that a node whose disk is
 * full goes on talking; *@failed is then set and s->save_errno says why:
 * the runtime copy still keeps a restart within this boot above it, but
 * after a reboot such numbers may be below ones already sent.
 */
uint64_t sequence_take(struct sequence *s, bool *failed);

#endif /* AVAILCTL_SEQUENCE_H */
