/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _AVAILCAST_RESOURCES_H
#define _AVAILCAST_RESOURCES_H

#include <linux/skbuff.h>
#include <linux/types.h>
#include <uapi/linux/availcast.h>

/* One resource as a message shows it. */
struct availcast_resource_view {
	char name[AVAILCAST_NAME_SIZE];
	u32 kind;		/* enum availcast_resource_kind */
	u64 capacity;
	s64 used;
	u32 level;
};

/* Every resource, read at one time, and the host level they make. */
struct availcast_resources {
	u32 level;		/* aggregated as configured */
	u32 generation;		/* of the pool list, for dumps */
	unsigned int n;
	struct availcast_resource_view view[];
};

/*
 * Reads every resource: the built-ins, then the pools. With @mark, each
 * level read becomes the one later changes are measured from (see
 * availcast_level_crossed()): the caller is about to broadcast them.
 * Sleeps; returns NULL when out of memory.
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

size_t availcast_snapshot_size(const struct availcast_resources *res,
			       bool with_stats);
int availcast_snapshot_fill(struct sk_buff *skb,
			    const struct availcast_resources *res,
			    const struct availcast_snapshot_meta *meta);

/* A resource's attributes, at the top level (RESOURCE_GET replies). */
int availcast_resource_fill(struct sk_buff *skb,
			    const struct availcast_resource_view *view);
size_t availcast_resource_size(void);

#endif /* _AVAILCAST_RESOURCES_H */
