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
	struct rcu_head rcu;
};

/* The pool list: iterate with availcast_for_each_pool() under the lock. */
void availcast_pools_lock(void);
void availcast_pools_unlock(void);
u32 availcast_pools_generation(void);
extern struct list_head availcast_pool_list;
#define availcast_for_each_pool(pool) \
	list_for_each_entry(pool, &availcast_pool_list, list)

/* For availcast_resources_read(); see there for @mark. */
void availcast_pool_read(struct availcast_pool *pool,
			 struct availcast_resource_view *view, bool mark);

/* Pool commands from userspace, by name. */
int availcast_pool_user_create(const char *name, u64 capacity,
			       struct netlink_ext_ack *extack);
int availcast_pool_user_delete(const char *name, struct netlink_ext_ack *extack);
int availcast_pool_user_add(const char *name, s64 delta,
			    struct netlink_ext_ack *extack);

void availcast_pools_exit(void);

#endif /* _AVAILCAST_POOL_H */
