// SPDX-License-Identifier: GPL-2.0
/*
 * counter_bench.ko: the cost of a charge through availcast's exported API
 * next to the counters kernel code would otherwise use, all measured in
 * one load so that they see the same (emulated) machine:
 *
 *   availcast       availcast_pool_charge() and _release()
 *   atomic64        atomic64_add() on one shared counter
 *   percpu_counter  percpu_counter_add(): the kernel's default batch
 *   percpu_batch    percpu_counter_add_batch() with availcast's batch
 *   spinlock        an s64 under spin_lock_irqsave(): like the others,
 *                   usable from hard interrupts
 *
 * Each runs two workloads, on a kthread per online CPU at once:
 *
 *   pairs    charge v, release v (v = 1 to 64): in-flight accounting,
 *            where a CPU's delta stays small and never folds
 *   charges  charge 1: a total that only grows, so every batch folds
 *
 * Every run checks the counter's total against what was charged, and
 * logs one line:
 *
 *   counter_bench: counter=NAME workload=NAME cpus=N ops=N ns=N
 *
 * with ops the operations of all CPUs together and ns the wall time from
 * the first CPU's start to the last one's end. Loading runs repeat= runs
 * of every pair, ops= operations per CPU each, then the module stays
 * loaded, idle, until it is removed. A wrong total fails the load.
 *
 * Not part of availcast: selftests/bench/run.sh loads it in a VM for
 * `make bench`.
 */

#include <linux/atomic.h>
#include <linux/availcast.h>
#include <linux/cache.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/percpu_counter.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

static unsigned int ops = 1000000;
module_param(ops, uint, 0);
MODULE_PARM_DESC(ops, "operations per CPU in each run (even, default 1000000)");

static unsigned int repeat = 3;
module_param(repeat, uint, 0);
MODULE_PARM_DESC(repeat, "runs of each counter and workload (default 3)");

/* availcast's batch is capacity / (128 * possible CPUs); see kmod/pool.c. */
#define POOL_CAPACITY	1000000ULL

/* The counters; each run uses one. The shared ones have a line each. */
static struct {
	struct availcast_pool *pool;
	struct percpu_counter pcpu;
	s32 pool_batch;
	atomic64_t atomic ____cacheline_aligned_in_smp;
	spinlock_t lock ____cacheline_aligned_in_smp;
	s64 locked;
} ctr;

static void availcast_charge(u64 v)
{
	availcast_pool_charge(ctr.pool, v);
}

static void availcast_release(u64 v)
{
	availcast_pool_release(ctr.pool, v);
}

static void atomic_charge(u64 v)
{
	atomic64_add(v, &ctr.atomic);
}

static void atomic_release(u64 v)
{
	atomic64_sub(v, &ctr.atomic);
}

static void pcpu_charge(u64 v)
{
	percpu_counter_add(&ctr.pcpu, v);
}

static void pcpu_release(u64 v)
{
	percpu_counter_sub(&ctr.pcpu, v);
}

static void pcpu_batch_charge(u64 v)
{
	percpu_counter_add_batch(&ctr.pcpu, v, ctr.pool_batch);
}

static void pcpu_batch_release(u64 v)
{
	percpu_counter_add_batch(&ctr.pcpu, -(s64)v, ctr.pool_batch);
}

static void locked_add(s64 delta)
{
	unsigned long flags;

	spin_lock_irqsave(&ctr.lock, flags);
	ctr.locked += delta;
	spin_unlock_irqrestore(&ctr.lock, flags);
}

static void locked_charge(u64 v)
{
	locked_add(v);
}

static void locked_release(u64 v)
{
	locked_add(-(s64)v);
}

/*
 * The workloads, inlined into one loop per counter (below) so that the
 * loop calls the counter directly: an indirect call per operation would
 * cost more than a per-CPU add and hide the differences measured. They
 * yield now and then: Debian's kernels do not preempt kernel code.
 */
static __always_inline void pairs(unsigned int n, void (*charge)(u64),
				  void (*release)(u64))
{
	unsigned int i;

	for (i = 0; i < n / 2; i++) {
		u64 v = 1 + (i & 63);

		charge(v);
		release(v);
		if (!(i & 4095))
			cond_resched();
	}
}

static __always_inline void charges(unsigned int n, void (*charge)(u64))
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		charge(1);
		if (!(i & 4095))
			cond_resched();
	}
}

enum workload { PAIRS, CHARGES, WORKLOADS };

static const char *const workload_names[WORKLOADS] = {
	[PAIRS] = "pairs",
	[CHARGES] = "charges",
};

static __always_inline void run_workload(enum workload w, unsigned int n,
					 void (*charge)(u64), void (*release)(u64))
{
	if (w == PAIRS)
		pairs(n, charge, release);
	else
		charges(n, charge);
}

static noinline void availcast_loop(enum workload w, unsigned int n)
{
	run_workload(w, n, availcast_charge, availcast_release);
}

static noinline void atomic64_loop(enum workload w, unsigned int n)
{
	run_workload(w, n, atomic_charge, atomic_release);
}

static noinline void percpu_counter_loop(enum workload w, unsigned int n)
{
	run_workload(w, n, pcpu_charge, pcpu_release);
}

static noinline void percpu_batch_loop(enum workload w, unsigned int n)
{
	run_workload(w, n, pcpu_batch_charge, pcpu_batch_release);
}

static noinline void spinlock_loop(enum workload w, unsigned int n)
{
	run_workload(w, n, locked_charge, locked_release);
}

static int availcast_setup(void)
{
	ctr.pool = availcast_pool_create("bench", POOL_CAPACITY);
	return PTR_ERR_OR_ZERO(ctr.pool);
}

static s64 availcast_total(void)
{
	return availcast_pool_used(ctr.pool);
}

static void availcast_teardown(void)
{
	availcast_pool_destroy(ctr.pool);
}

static int atomic_setup(void)
{
	atomic64_set(&ctr.atomic, 0);
	return 0;
}

static s64 atomic_total(void)
{
	return atomic64_read(&ctr.atomic);
}

static int pcpu_setup(void)
{
	return percpu_counter_init(&ctr.pcpu, 0, GFP_KERNEL);
}

static s64 pcpu_total(void)
{
	return percpu_counter_sum(&ctr.pcpu);
}

static void pcpu_teardown(void)
{
	percpu_counter_destroy(&ctr.pcpu);
}

static int locked_setup(void)
{
	spin_lock_init(&ctr.lock);
	ctr.locked = 0;
	return 0;
}

static s64 locked_total(void)
{
	return ctr.locked;
}

struct counter {
	const char *name;
	int (*setup)(void);
	void (*loop)(enum workload w, unsigned int n);
	s64 (*total)(void);
	void (*teardown)(void);
};

static const struct counter counters[] = {
	{ "availcast", availcast_setup, availcast_loop, availcast_total, availcast_teardown },
	{ "atomic64", atomic_setup, atomic64_loop, atomic_total, NULL },
	{ "percpu_counter", pcpu_setup, percpu_counter_loop, pcpu_total, pcpu_teardown },
	{ "percpu_batch", pcpu_setup, percpu_batch_loop, pcpu_total, pcpu_teardown },
	{ "spinlock", locked_setup, spinlock_loop, locked_total, NULL },
};

struct worker {
	const struct counter *counter;
	enum workload workload;
	struct task_struct *task;
	struct completion done;
	u64 start_ns;
	u64 end_ns;
};

/*
 * Workers wait until every one of them is up, then start together. They
 * yield while waiting: a worker spinning on the CPU of the thread that
 * starts the others would otherwise keep it from ever doing so.
 */
static atomic_t workers_ready;
static bool workers_go;

static int worker_fn(void *data)
{
	struct worker *w = data;

	atomic_inc(&workers_ready);
	/* Pairs with the release in run_once(): the run's setup is seen. */
	while (!smp_load_acquire(&workers_go))
		cond_resched();
	w->start_ns = ktime_get_ns();
	w->counter->loop(w->workload, ops);
	w->end_ns = ktime_get_ns();
	complete(&w->done);
	return 0;
}

/* One run, on every online CPU at once: logs its line, or fails. */
static int run_once(const struct counter *c, enum workload wl,
		    struct worker *workers)
{
	unsigned int cpu, n = 0, i;
	u64 first = U64_MAX, last = 0;
	s64 expected, total;
	int err;

	err = c->setup();
	if (err)
		return err;
	atomic_set(&workers_ready, 0);
	WRITE_ONCE(workers_go, false);
	for_each_online_cpu(cpu) {
		struct worker *w = &workers[n];

		w->counter = c;
		w->workload = wl;
		init_completion(&w->done);
		/* Not kthread_create_on_cpu(): 5.10 does not export it. */
		w->task = kthread_create_on_node(worker_fn, w, cpu_to_node(cpu),
						 "counter_bench/%u", cpu);
		if (IS_ERR(w->task)) {
			err = PTR_ERR(w->task);
			break;
		}
		kthread_bind(w->task, cpu);
		wake_up_process(w->task);
		n++;
	}
	while (atomic_read(&workers_ready) < n)
		cond_resched();
	/* Pairs with the acquire in worker_fn(). */
	smp_store_release(&workers_go, true);
	for (i = 0; i < n; i++) {
		wait_for_completion(&workers[i].done);
		first = min(first, workers[i].start_ns);
		last = max(last, workers[i].end_ns);
	}

	expected = wl == PAIRS ? 0 : (s64)ops * n;
	total = c->total();
	if (c->teardown)
		c->teardown();
	if (err)
		return err;
	if (total != expected) {
		pr_err("counter=%s workload=%s: total %lld, expected %lld\n",
		       c->name, workload_names[wl], total, expected);
		return -EIO;
	}
	pr_info("counter=%s workload=%s cpus=%u ops=%llu ns=%llu\n",
		c->name, workload_names[wl], n, (u64)ops * n, last - first);
	return 0;
}

static int __init counter_bench_init(void)
{
	struct worker *workers;
	unsigned int i, r;
	enum workload wl;
	int err = 0;

	if (!ops || ops % 2 || !repeat)
		return -EINVAL;
	ctr.pool_batch = POOL_CAPACITY / (128 * num_possible_cpus());
	workers = kcalloc(nr_cpu_ids, sizeof(*workers), GFP_KERNEL);
	if (!workers)
		return -ENOMEM;
	/* Interleaved, so that a slow moment of the host hits them all. */
	for (r = 0; r < repeat && !err; r++)
		for (wl = 0; wl < WORKLOADS && !err; wl++)
			for (i = 0; i < ARRAY_SIZE(counters) && !err; i++)
				err = run_once(&counters[i], wl, workers);
	kfree(workers);
	return err;
}

static void __exit counter_bench_exit(void)
{
}

module_init(counter_bench_init);
module_exit(counter_bench_exit);
MODULE_DESCRIPTION("availcast benchmarks: pool charges against the kernel's counters");
MODULE_LICENSE("GPL");
