/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _AVAILCAST_POOL_H
#define _AVAILCAST_POOL_H

#include <linux/availcast.h>
#include <linux/list.h>
#include <linux/netlink.h>

#include "counter.h"

struct availcast_resource_view;

struct availcast_pool {
	struct list_head list;		/* in the pool list, under RCU */
	char name[AVAILCAST_NAME_SIZE];
	u64 capacity;
	struct availcast_counter used;
	/* Written at each broadcast, beside the folds' total, not the adds'. */
	u32 last_level;			/* as last broadcast: for crossings */
	bool kernel_owned;		/* created by kernel code, not netlink */
	u32 born;			/* the list's generation once it was added */
	struct rcu_head rcu;
};

/*
 * Hold the pool list still: a request's read then sees the list and its
 * generation as one (a dump in parts tells a change by the generation).
 * Process context; the emitter never takes it.
 */
void availcast_pools_lock(void);
void availcast_pools_unlock(void);

/*
 * Reads every pool into @view, which has room for AVAILCAST_POOLS_MAX, in
 * the order they were made, and returns how many: those in the list at
 * the generation it sets in @generation (a pool added during the walk is
 * left out, so one deleted and made again is not read twice). With @mark, each level
 * read becomes the one later changes are measured from (see
 * availcast_level_crossed()): the caller is about to broadcast them.
 * @generation is set to the pool list's generation, which changes with
 * every add and removal (for dumps, to tell a list that changed).
 *
 * Context: under rcu_read_lock() (the emitter, on the way to a deadline),
 * and also under availcast_pools_lock() for requests; never sleeps.
 */
unsigned int availcast_pools_read(struct availcast_resource_view *view,
				  bool mark, u32 *generation);

/* Pool commands from userspace, by name. */
int availcast_pool_user_create(const char *name, u64 capacity,
			       struct netlink_ext_ack *extack);
int availcast_pool_user_delete(const char *name, struct netlink_ext_ack *extack);
int availcast_pool_user_add(const char *name, s64 delta,
			    struct netlink_ext_ack *extack);

void availcast_pools_exit(void);

#endif /* _AVAILCAST_POOL_H */
