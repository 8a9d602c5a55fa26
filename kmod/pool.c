// SPDX-License-Identifier: GPL-2.0
/*
 * Pools: resources created at run time and charged and released, by kernel
 * code through the exported API below, or by userspace through netlink.
 *
 * The pool list changes under a mutex and is read under RCU, so userspace
 * charges find their pool without a lock. A charge itself is a per-CPU
 * counter add (counter.h); only when a CPU folds its batch does the charge
 * look at the pool's level, and tell news.h if that is news.
 */

#include <linux/cpumask.h>
#include <linux/export.h>
#include <linux/math64.h>
#include <linux/mutex.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "config.h"
#include "level.h"
#include "news.h"
#include "pool.h"
#include "view.h"

static LIST_HEAD(availcast_pool_list);
static DEFINE_MUTEX(pools_mutex);
static unsigned int pools_count;
/*
 * Bumped by every add and removal, under the mutex, with release order:
 * a reader that loads it with acquire and then walks the list sees every
 * change it counts (see availcast_pools_read()).
 */
static u32 pools_generation;

void availcast_pools_lock(void)
{
	mutex_lock(&pools_mutex);
}

void availcast_pools_unlock(void)
{
	mutex_unlock(&pools_mutex);
}

static void pools_changed(void)
{
	lockdep_assert_held(&pools_mutex);
	/* Pairs with availcast_pools_read(): the change is seen with it. */
	smp_store_release(&pools_generation, pools_generation + 1);
}

/* Under rcu_read_lock() or the mutex. */
static struct availcast_pool *pool_find(const char *name)
{
	struct availcast_pool *pool;

	list_for_each_entry_rcu(pool, &availcast_pool_list, list,
				lockdep_is_held(&pools_mutex)) {
		if (!strcmp(pool->name, name))
			return pool;
	}
	return NULL;
}

/*
 * A CPU folds when its slot reaches 1/128 of the capacity shared by all
 * possible CPUs: once charges stop, the total the hot path sees is within
 * 1/128 of the capacity (8 per mille); while they run, also within the
 * charges in progress, at most one per CPU and context, whatever their
 * size (counter.h). Small pools get a batch of 1, which folds every
 * charge: exact, if slower.
 */
static s64 pool_batch(u64 capacity)
{
	return div64_u64(capacity, 128 * (u64)num_possible_cpus());
}

/* The slow path of a charge: did this fold make news? */
static void __cold pool_folded(struct availcast_pool *pool)
{
	u32 level = availcast_level(pool->capacity,
				    availcast_counter_total(&pool->used));
	bool crossed;

	rcu_read_lock();
	crossed = availcast_level_crossed(rcu_dereference(availcast_config),
					  READ_ONCE(pool->last_level), level);
	rcu_read_unlock();
	if (crossed)
		availcast_news_level();
}

/*
 * @pool stays valid for the call by the caller's doing: userspace's
 * charges hold rcu_read_lock() from finding it by name to the end
 * (availcast_pool_user_add()), kernel code keeps its own pointer valid
 * (availcast_pool_destroy()).
 */
static __always_inline void pool_add(struct availcast_pool *pool, s64 delta)
{
	if (availcast_counter_add(&pool->used, delta))
		pool_folded(pool);
}

static void pool_free_rcu(struct rcu_head *head)
{
	struct availcast_pool *pool = container_of(head, struct availcast_pool, rcu);

	availcast_counter_destroy(&pool->used);
	kfree(pool);
}

static void pool_unlink(struct availcast_pool *pool)
{
	lockdep_assert_held(&pools_mutex);
	list_del_rcu(&pool->list);
	pools_count--;
	pools_changed();
	/* Userspace charges may still be walking past it under RCU. */
	call_rcu(&pool->rcu, pool_free_rcu);
}

static struct availcast_pool *pool_create(const char *name, u64 capacity,
					  bool kernel_owned,
					  struct netlink_ext_ack *extack)
{
	struct availcast_pool *pool;
	int err = 0;

	if (!availcast_name_valid(name, AVAILCAST_NAME_SIZE)) {
		NL_SET_ERR_MSG(extack, "pool name must be 1 to 31 characters of A-Z a-z 0-9 and "
			       AVAILCAST_NAME_PUNCT);
		return ERR_PTR(-EINVAL);
	}
	if (!capacity || capacity > S64_MAX) {
		NL_SET_ERR_MSG(extack, "pool capacity must be 1 to 2^63 - 1");
		return ERR_PTR(-EINVAL);
	}

	pool = kzalloc(sizeof(*pool), GFP_KERNEL);
	if (!pool)
		return ERR_PTR(-ENOMEM);
	if (availcast_counter_init(&pool->used, pool_batch(capacity), GFP_KERNEL)) {
		kfree(pool);
		return ERR_PTR(-ENOMEM);
	}
	strscpy(pool->name, name, sizeof(pool->name));
	pool->capacity = capacity;
	pool->last_level = AVAILCAST_LEVEL_MAX;
	pool->kernel_owned = kernel_owned;

	mutex_lock(&pools_mutex);
	if (availcast_builtin_named(name) || pool_find(name)) {
		NL_SET_ERR_MSG(extack, "a resource with that name exists");
		err = -EEXIST;
	} else if (!strcmp(name, AVAILCAST_PRESSURE_NAME)) {
		/* Two resources of one name in every report of this host. */
		NL_SET_ERR_MSG(extack, "pressure is what availctl's relay adds to reports");
		err = -EEXIST;
	} else if (pools_count == AVAILCAST_POOLS_MAX) {
		/* More would not fit one broadcast comfortably, nor be read. */
		NL_SET_ERR_MSG(extack, "there are 64 pools already, the most there can be");
		err = -ENOSPC;
	} else {
		pool->born = pools_generation + 1;
		list_add_tail_rcu(&pool->list, &availcast_pool_list);
		pools_count++;
		pools_changed();
	}
	mutex_unlock(&pools_mutex);

	if (err) {
		availcast_counter_destroy(&pool->used);
		kfree(pool);
		return ERR_PTR(err);
	}
	return pool;
}

static void pool_read(struct availcast_pool *pool,
		      struct availcast_resource_view *view, bool mark)
{
	strscpy(view->name, pool->name, sizeof(view->name));
	view->kind = AVAILCAST_RESOURCE_POOL;
	view->capacity = pool->capacity;
	view->used = availcast_counter_sum(&pool->used);
	view->level = availcast_level(view->capacity, view->used);
	if (mark)
		WRITE_ONCE(pool->last_level, view->level);
}

unsigned int availcast_pools_read(struct availcast_resource_view *view,
				  bool mark, u32 *generation)
{
	struct availcast_pool *pool;
	unsigned int n = 0;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held() && !lockdep_is_held(&pools_mutex),
			 "pools read outside RCU and the mutex");
	/* Pairs with pools_changed(): the walk sees what it counts. */
	*generation = smp_load_acquire(&pools_generation);
	list_for_each_entry_rcu(pool, &availcast_pool_list, list,
				lockdep_is_held(&pools_mutex)) {
		if ((s32)(pool->born - *generation) > 0)
			continue;	/* added after the generation read */
		if (n == AVAILCAST_POOLS_MAX)
			break;		/* cannot be: a guard for @view */
		pool_read(pool, &view[n++], mark);
	}
	return n;
}

/**
 * availcast_pool_create() - Create a pool that kernel code charges.
 * @name: 1 to 31 ASCII letters, digits and "-._:" (AVAILCAST_NAME_PUNCT),
 *	unique among resources.
 * @capacity: How much of the resource there is, 1 to S64_MAX, in any unit
 *	the caller likes; charges and releases use the same unit.
 *
 * The pool appears in every broadcast from now on, its level being the
 * share of @capacity not charged. Userspace sees it but cannot charge,
 * release or delete it.
 *
 * Context: Process context; sleeps.
 * Return: The pool, or an ERR_PTR(): -EINVAL for a bad name or capacity,
 * -EEXIST when a resource has that name or it is "pressure"
 * (AVAILCAST_PRESSURE_NAME, which availctl's relay adds to its reports),
 * -ENOSPC when there are 64 pools already, -ENOMEM.
 */
struct availcast_pool *availcast_pool_create(const char *name, u64 capacity)
{
	return pool_create(name, capacity, true, NULL);
}
EXPORT_SYMBOL_GPL(availcast_pool_create);

/**
 * availcast_pool_destroy() - Remove a pool made by availcast_pool_create().
 * @pool: The pool; NULL is ignored. No charge or release of it may be
 *	running or start once this is called: the caller's own ordering,
 *	or its rcu_read_lock() held from loading the pool pointer to the end
 *	of the charge (the pool is freed after an RCU grace period), must
 *	make sure of it.
 *
 * Context: Process context; sleeps.
 */
void availcast_pool_destroy(struct availcast_pool *pool)
{
	if (!pool)
		return;
	mutex_lock(&pools_mutex);
	pool_unlink(pool);
	mutex_unlock(&pools_mutex);
}
EXPORT_SYMBOL_GPL(availcast_pool_destroy);

/**
 * availcast_pool_charge() - Mark @amount of a pool as used.
 * @pool: The pool.
 * @amount: How much, at most S64_MAX. Charging more than the capacity
 *	is allowed: the level stays at 0 until enough is released.
 *
 * Lockless: one per-CPU add, and now and then one atomic add.
 *
 * Context: Any context, hard interrupts included.
 */
void availcast_pool_charge(struct availcast_pool *pool, u64 amount)
{
	pool_add(pool, (s64)amount);
}
EXPORT_SYMBOL_GPL(availcast_pool_charge);

/**
 * availcast_pool_release() - Give back @amount of a pool.
 * @pool: The pool.
 * @amount: How much, at most S64_MAX.
 *
 * Context: Any context, hard interrupts included.
 */
void availcast_pool_release(struct availcast_pool *pool, u64 amount)
{
	pool_add(pool, -(s64)amount);
}
EXPORT_SYMBOL_GPL(availcast_pool_release);

/**
 * availcast_pool_used() - How much of a pool is charged.
 * @pool: The pool.
 *
 * Exact once charges and releases have stopped; while they go on, off by
 * at most the amounts of those in progress (one per CPU and context).
 * Reads every possible CPU's slot.
 *
 * Context: Any context.
 * Return: Charged minus released; negative if more was released.
 */
s64 availcast_pool_used(const struct availcast_pool *pool)
{
	return availcast_counter_sum(&pool->used);
}
EXPORT_SYMBOL_GPL(availcast_pool_used);

int availcast_pool_user_create(const char *name, u64 capacity,
			       struct netlink_ext_ack *extack)
{
	return PTR_ERR_OR_ZERO(pool_create(name, capacity, false, extack));
}

/*
 * The pool named @name, if userspace may change it; else an ERR_PTR with
 * the reason in @extack. Under rcu_read_lock() or the mutex.
 */
static struct availcast_pool *user_pool(const char *name,
					struct netlink_ext_ack *extack)
{
	struct availcast_pool *pool = pool_find(name);

	if (!pool) {
		NL_SET_ERR_MSG(extack, "no pool with that name");
		return ERR_PTR(-ENOENT);
	}
	if (pool->kernel_owned) {
		NL_SET_ERR_MSG(extack, "the pool belongs to kernel code");
		return ERR_PTR(-EBUSY);
	}
	return pool;
}

int availcast_pool_user_delete(const char *name, struct netlink_ext_ack *extack)
{
	struct availcast_pool *pool;

	mutex_lock(&pools_mutex);
	pool = user_pool(name, extack);
	if (!IS_ERR(pool))
		pool_unlink(pool);
	mutex_unlock(&pools_mutex);
	return PTR_ERR_OR_ZERO(pool);
}

int availcast_pool_user_add(const char *name, s64 delta,
			    struct netlink_ext_ack *extack)
{
	struct availcast_pool *pool;
	int err = 0;

	rcu_read_lock();
	pool = user_pool(name, extack);
	if (IS_ERR(pool)) {
		err = PTR_ERR(pool);
	} else if (abs(delta) > pool->capacity) {
		NL_SET_ERR_MSG(extack, "the amount exceeds the pool's capacity");
		err = -ERANGE;
	} else {
		pool_add(pool, delta);
	}
	rcu_read_unlock();
	return err;
}

void availcast_pools_exit(void)
{
	struct availcast_pool *pool, *next;

	mutex_lock(&pools_mutex);
	list_for_each_entry_safe(pool, next, &availcast_pool_list, list) {
		/* Impossible for a module that uses the API: it unloads first. */
		if (pool->kernel_owned)
			pr_warn("pool %s was never destroyed by its owner\n", pool->name);
		pool_unlink(pool);
	}
	mutex_unlock(&pools_mutex);
	/* Wait for pool_free_rcu(): it is our code, about to be unloaded. */
	rcu_barrier();
}
