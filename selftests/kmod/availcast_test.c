// SPDX-License-Identifier: GPL-2.0
/*
 * availcast_test.ko: drives availcast's kernel API from another module, as
 * its users would. Loading it runs the test named by test=; the load fails
 * with -EINVAL (and says why in the kernel log) if the test does, so that
 * selftests/kernel_api.sh can tell. With hold=NAME it keeps a pool of that
 * name, 40 of 100 charged, for as long as it is loaded.
 *
 *   test=api         every error the API documents, and a pool's life
 *   test=concurrent  charges and releases from a kthread on every online
 *                    CPU and from a hard-interrupt timer, all at once,
 *                    to a large pool (whose CPUs fold now and then) and a
 *                    small one (where every charge folds); the pools'
 *                    totals must be exact when they stop
 */

#include <linux/availcast.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

static char *test = "";
module_param(test, charp, 0);
MODULE_PARM_DESC(test, "the test to run at load: api or concurrent");

static char *hold;
module_param(hold, charp, 0);
MODULE_PARM_DESC(hold, "name of a pool to keep while loaded");

static struct availcast_pool *held;

#define CHECK(cond) ({							\
	bool _ok = (cond);						\
									\
	if (!_ok)							\
		pr_err("test %s failed: %s (line %d)\n", test, #cond, __LINE__); \
	_ok;								\
})

static int test_api(void)
{
	struct availcast_pool *pool, *again;
	bool ok = true;

	ok &= CHECK(PTR_ERR(availcast_pool_create("bad name", 10)) == -EINVAL);
	ok &= CHECK(PTR_ERR(availcast_pool_create("", 10)) == -EINVAL);
	ok &= CHECK(PTR_ERR(availcast_pool_create("k-zero", 0)) == -EINVAL);
	ok &= CHECK(PTR_ERR(availcast_pool_create("k-huge", (u64)S64_MAX + 1)) == -EINVAL);
	ok &= CHECK(PTR_ERR(availcast_pool_create("cpu", 10)) == -EEXIST);

	pool = availcast_pool_create("k-api", 1000);
	if (!CHECK(!IS_ERR(pool)))
		return -EINVAL;
	again = availcast_pool_create("k-api", 1000);
	ok &= CHECK(PTR_ERR(again) == -EEXIST);

	availcast_pool_charge(pool, 700);
	availcast_pool_release(pool, 200);
	ok &= CHECK(availcast_pool_used(pool) == 500);
	availcast_pool_release(pool, 600);
	ok &= CHECK(availcast_pool_used(pool) == -100);
	availcast_pool_destroy(pool);
	availcast_pool_destroy(NULL);

	/* The name is free again once the pool is gone. */
	pool = availcast_pool_create("k-api", 10);
	ok &= CHECK(!IS_ERR(pool));
	if (!IS_ERR(pool))
		availcast_pool_destroy(pool);
	return ok ? 0 : -EINVAL;
}

struct charger {
	struct availcast_pool *pool;
	struct availcast_pool *folding;	/* batch of 1: every charge folds */
	struct task_struct *task;
	struct completion done;
	u32 seed;
	s64 net;
};

/* A small deterministic generator: each charger has its own sequence. */
static u32 next_random(u32 *seed)
{
	*seed = *seed * 1664525 + 1013904223;
	return *seed >> 8;
}

static int charge_and_release(void *arg)
{
	struct charger *c = arg;
	int i;

	for (i = 0; i < 200000; i++) {
		u64 amount = 1 + next_random(&c->seed) % 100;

		if (next_random(&c->seed) & 1) {
			availcast_pool_charge(c->pool, amount);
			availcast_pool_charge(c->folding, amount);
			c->net += amount;
		} else {
			availcast_pool_release(c->pool, amount);
			availcast_pool_release(c->folding, amount);
			c->net -= amount;
		}
		if (!(i % 1024))
			cond_resched();
	}
	complete(&c->done);
	return 0;
}

/* Charges from hard-interrupt context while the kthreads run. */
struct irq_charger {
	struct hrtimer timer;
	struct availcast_pool *pool;
	s64 net;		/* only the timer callback writes it */
	int fired;
};

static enum hrtimer_restart irq_charge(struct hrtimer *timer)
{
	struct irq_charger *ic = container_of(timer, struct irq_charger, timer);

	availcast_pool_charge(ic->pool, 7);
	ic->net += 7;
	ic->fired++;
	hrtimer_forward_now(timer, ns_to_ktime(200 * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

static int test_concurrent(void)
{
	/*
	 * Not on the stack: a timer there must be set up with the _on_stack
	 * calls, which newer kernels renamed. The test runs once per load.
	 */
	static struct irq_charger ic;
	struct availcast_pool *pool, *folding;
	struct charger *chargers;
	unsigned int cpu, n = 0, i;
	s64 expected = 0, used, folded;
	int err = 0;

	/*
	 * Batch = capacity / (128 * CPUs): charges of up to 100 fold now and
	 * then in the first, at every charge in the second, so that the
	 * CPUs' folds race each other too.
	 */
	pool = availcast_pool_create("k-concurrent", 1000000);
	if (IS_ERR(pool))
		return PTR_ERR(pool);
	folding = availcast_pool_create("k-folding", 100);
	if (IS_ERR(folding)) {
		availcast_pool_destroy(pool);
		return PTR_ERR(folding);
	}
	chargers = kcalloc(nr_cpu_ids, sizeof(*chargers), GFP_KERNEL);
	if (!chargers) {
		availcast_pool_destroy(folding);
		availcast_pool_destroy(pool);
		return -ENOMEM;
	}

	ic = (struct irq_charger){ .pool = pool };
	hrtimer_setup(&ic.timer, irq_charge, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	hrtimer_start(&ic.timer, ns_to_ktime(200 * NSEC_PER_USEC), HRTIMER_MODE_REL_HARD);

	for_each_online_cpu(cpu) {
		struct charger *c = &chargers[n];

		c->pool = pool;
		c->folding = folding;
		c->seed = cpu + 1;
		init_completion(&c->done);
		/* Not kthread_create_on_cpu(): 5.10 does not export it. */
		c->task = kthread_create_on_node(charge_and_release, c, cpu_to_node(cpu),
						 "availcast_test/%u", cpu);
		if (IS_ERR(c->task)) {
			err = PTR_ERR(c->task);
			break;
		}
		kthread_bind(c->task, cpu);
		/* Held so that kthread_stop() can reap it after it returned. */
		get_task_struct(c->task);
		wake_up_process(c->task);
		n++;
	}
	for (i = 0; i < n; i++) {
		wait_for_completion(&chargers[i].done);
		kthread_stop(chargers[i].task);
		put_task_struct(chargers[i].task);
		expected += chargers[i].net;
	}
	hrtimer_cancel(&ic.timer);

	/* The interrupts charged only the large pool. */
	folded = availcast_pool_used(folding);
	used = availcast_pool_used(pool);
	pr_info("test concurrent: %u CPUs and %d interrupts: used %lld and %lld, expected %lld and %lld\n",
		n, ic.fired, used, folded, expected + ic.net, expected);
	if (!err && (!CHECK(used == expected + ic.net) || !CHECK(folded == expected) ||
		     !CHECK(ic.fired > 0)))
		err = -EINVAL;
	kfree(chargers);
	availcast_pool_destroy(folding);
	availcast_pool_destroy(pool);
	return err;
}

static int __init availcast_test_init(void)
{
	int err = 0;

	if (!strcmp(test, "api"))
		err = test_api();
	else if (!strcmp(test, "concurrent"))
		err = test_concurrent();
	else if (*test)
		return -EINVAL;
	if (err)
		return err;

	if (hold) {
		held = availcast_pool_create(hold, 100);
		if (IS_ERR(held))
			return PTR_ERR(held);
		availcast_pool_charge(held, 40);
	}
	return 0;
}

static void __exit availcast_test_exit(void)
{
	availcast_pool_destroy(held);
}

module_init(availcast_test_init);
module_exit(availcast_test_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("availcast kernel API selftest");
