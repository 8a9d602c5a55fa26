// SPDX-License-Identifier: GPL-2.0
/*
 * checker_canary.ko: plants, on purpose, one bug of the kind a debug
 * kernel's checker exists to find, so that selftests/vm/checkers_live.sh
 * can show the checker would have reported one in availcast. A clean
 * report after the suite means something only if the checker was awake:
 * KCSAN samples accesses and kmemleak reports only what it can prove
 * unreferenced, and a configuration slip silences either without a sound.
 *
 *   bug=race  two kthreads, on two CPUs, increment one plain counter
 *             until the module is removed: KCSAN must report a data race
 *             in canary_racer (when is up to its sampling, and to how
 *             often the host runs both vCPUs at once)
 *   bug=leak  allocates objects and forgets them: kmemleak must report
 *             one, with this module in its backtrace, while the module
 *             is still loaded (its symbols resolve only then)
 *   bug=oob   reads one byte past the end of an allocation: KASAN must
 *             report a slab-out-of-bounds access in plant_oob. It taints
 *             the kernel and turns lockdep off, so it comes last.
 *
 * Never loaded by anything but that script, and only on debug kernels.
 */

#include <linux/compiler.h>
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

static char *bug = "";
module_param(bug, charp, 0);
MODULE_PARM_DESC(bug, "the bug to plant at load: race, leak or oob");

/* The race: plain, unmarked, from two CPUs at once. */
static unsigned long racy_count;

/* They race until the module is removed: KCSAN reports when it samples. */
static struct task_struct *racers[2];

static int canary_racer(void *data)
{
	while (!kthread_should_stop()) {
		racy_count++;
		/* A call: the compiler must load and store the count each time. */
		cond_resched();
	}
	return 0;
}

static void stop_racers(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(racers); i++) {
		if (racers[i])
			kthread_stop(racers[i]);
		racers[i] = NULL;
	}
}

static int plant_race(void)
{
	unsigned int cpu, n = 0;

	if (num_online_cpus() < 2) {
		pr_err("a race needs two online CPUs\n");
		return -ENODEV;
	}
	for_each_online_cpu(cpu) {
		struct task_struct *task;

		task = kthread_create(canary_racer, NULL, "canary_racer/%u", cpu);
		if (IS_ERR(task)) {
			stop_racers();
			return PTR_ERR(task);
		}
		kthread_bind(task, cpu);
		racers[n] = task;
		wake_up_process(task);
		if (++n == ARRAY_SIZE(racers))
			break;
	}
	return 0;
}

/*
 * Not inlined into the __init code: its symbols are gone once the load
 * ends, and kmemleak's backtrace could not name this module.
 */
static noinline void plant_leak(void)
{
	unsigned int i, leaked = 0;

	/*
	 * Dropped on purpose: kmemleak must find no pointer to them. Several,
	 * since a stale copy of a pointer left in a dead stack frame, which
	 * kmemleak takes for a reference, could hide one.
	 */
	for (i = 0; i < 16; i++)
		leaked += kmalloc(128, GFP_KERNEL) ? 1 : 0;
	pr_info("leaked %u objects\n", leaked);
}

static noinline int plant_oob(void)
{
	/* Of kmalloc-128: KASAN poisons the 28 bytes past what was asked. */
	size_t size = 100;
	char *buf;

	/* Hidden from the compiler, which would otherwise see the overflow. */
	OPTIMIZER_HIDE_VAR(size);
	buf = kmalloc(size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	pr_info("read %d past the end\n", READ_ONCE(buf[size]));
	kfree(buf);
	return 0;
}

static int __init checker_canary_init(void)
{
	if (!strcmp(bug, "race"))
		return plant_race();
	if (!strcmp(bug, "leak")) {
		plant_leak();
		return 0;
	}
	if (!strcmp(bug, "oob"))
		return plant_oob();
	pr_err("bug= must be race, leak or oob\n");
	return -EINVAL;
}

static void __exit checker_canary_exit(void)
{
	stop_racers();
}

module_init(checker_canary_init);
module_exit(checker_canary_exit);
MODULE_DESCRIPTION("availcast selftests: planted bugs that the debug kernels' checkers must report");
MODULE_LICENSE("GPL");
