/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _AVAILCAST_RESOURCES_H
#define _AVAILCAST_RESOURCES_H

#include <linux/skbuff.h>
#include <linux/types.h>
#include <uapi/linux/availcast.h>

#include "view.h"

/* Every resource, read at one time, and the host level they make. */
struct availcast_resources {
	u32 level;		/* aggregated as configured */
	u32 generation;		/* of the pool list, for dumps */
	unsigned int n;
	struct availcast_resource_view view[];
};

/* The most resources a host has: every built-in and every pool. */
#define AVAILCAST_RESOURCES_MAX	(AVAILCAST_N_BUILTINS + AVAILCAST_POOLS_MAX)

/* Room for AVAILCAST_RESOURCES_MAX resources; kfree() it. */
struct availcast_resources *availcast_resources_alloc(gfp_t gfp);

/*
 * Reads every resource into @res: the built-ins, then the pools. With
 * @mark, each level read becomes the one later changes are measured from
 * (see availcast_level_crossed()): the caller is about to broadcast them.
 *
 * Context: under rcu_read_lock(); never sleeps (the emitter's deadline
 * path calls it).
 */
void availcast_resources_sample(struct availcast_resources *res, bool mark);

/*
 * The same into a buffer of its own, for requests: sleeps; returns NULL
 * when out of memory.
 */
struct availcast_resources *availcast_resources_read(bool mark);

/* What a snapshot says besides its resources. */
struct availcast_snapshot_meta {
	u64 seq;
	u64 timestamp_ns;
	u64 deadline_ns;	/* 0: no next message is promised */
	u32 reason;		/* 0 in GET replies */
	bool with_stats;
	u64 sent, suppressed, failed, unheard;
};

/* The payload a snapshot of @n resources needs, at most. */
size_t availcast_snapshot_size(unsigned int n, bool with_stats);
int availcast_snapshot_fill(struct sk_buff *skb,
			    const struct availcast_resources *res,
			    const struct availcast_snapshot_meta *meta);

/* A resource's attributes, at the top level (RESOURCE_GET replies). */
int availcast_resource_fill(struct sk_buff *skb,
			    const struct availcast_resource_view *view);
size_t availcast_resource_size(void);

#endif /* _AVAILCAST_RESOURCES_H */
