/* SPDX-License-Identifier: GPL-2.0 */
/*
 * availcast's kernel API: pools that other kernel code charges and
 * releases, and whose availability the module broadcasts with its own.
 *
 * A pool belongs to the code that created it, which must destroy it before
 * it goes away (module unload included); userspace can see it but not
 * change or delete it. Charging and releasing never sleep and take no
 * lock: they may be called from any context, hard interrupts included.
 */
#ifndef _LINUX_AVAILCAST_H
#define _LINUX_AVAILCAST_H

#include <linux/types.h>
#include <uapi/linux/availcast.h>

struct availcast_pool;

struct availcast_pool *availcast_pool_create(const char *name, u64 capacity);
void availcast_pool_destroy(struct availcast_pool *pool);
void availcast_pool_charge(struct availcast_pool *pool, u64 amount);
void availcast_pool_release(struct availcast_pool *pool, u64 amount);
s64 availcast_pool_used(const struct availcast_pool *pool);

#endif /* _LINUX_AVAILCAST_H */
