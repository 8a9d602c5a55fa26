// SPDX-License-Identifier: GPL-2.0
/*
 * The built-in resources, sampled every sample_ms from the kernel's own
 * accounting, whether anyone listens or not: it is cheap (one pass over
 * the online CPUs' idle counters and one si_mem_available()), and it is
 * what notices a threshold crossing between broadcasts.
 *
 *   cpu       capacity: 1000 per online CPU; used: the busy share of
 *             them over the last period (idle and iowait count as
 *             available);
 *   memory    capacity: total RAM in bytes; used: total - MemAvailable.
 *
 * Pressure stall information (PSI) is not among them: a module cannot
 * reach psi_system, and reading it from files by path would make the
 * module depend on userspace's mounts (Documentation/design.rst). The
 * relay reads /proc/pressure and adds "pressure" to its reports.
 */

#include <linux/cpumask.h>
#include <linux/kernel_stat.h>
#include <linux/mm.h>
#include <linux/seqlock.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/tick.h>
#include <linux/workqueue.h>

#include "config.h"
#include "level.h"
#include "news.h"
#include "sampler.h"
#include "view.h"

struct builtin {
	u64 capacity;
	s64 used;
	u32 last_level;		/* as last broadcast: for crossings */
};

static struct builtin builtins[AVAILCAST_N_BUILTINS];

/* Readers see capacity and used of the same sample. */
static DEFINE_SEQLOCK(builtins_lock);

static struct delayed_work sample_work;
/* Orders (re)queueing against stopping, so nothing runs after exit. */
static DEFINE_SPINLOCK(sampler_lock);
static bool sampler_running;

/* CPU idle time at the last sample, per CPU, and which CPUs it covers. */
static u64 *prev_idle_us;
static cpumask_var_t prev_sampled;
static ktime_t prev_time;

static u32 sample_ms(void)
{
	u32 ms;

	rcu_read_lock();
	ms = rcu_dereference(availcast_config)->sample_ms;
	rcu_read_unlock();
	return ms;
}

/* Idle and iowait time of @cpu in microseconds, as /proc/stat has them. */
static u64 cpu_idle_us(int cpu)
{
	u64 idle = get_cpu_idle_time_us(cpu, NULL);
	u64 iowait = get_cpu_iowait_time_us(cpu, NULL);

	/*
	 * Without NO_HZ the tick accounts idle time in kcpustat instead. That
	 * CPU's tick adds to it as we read: one marked load of the word, as
	 * strict KCSAN asks (it reported the plain one on a periodic-tick
	 * kernel).
	 */
	if (idle == -1ULL)
		idle = div_u64(READ_ONCE(kcpustat_cpu(cpu).cpustat[CPUTIME_IDLE]), NSEC_PER_USEC);
	if (iowait == -1ULL)
		iowait = div_u64(READ_ONCE(kcpustat_cpu(cpu).cpustat[CPUTIME_IOWAIT]),
				 NSEC_PER_USEC);
	return idle + iowait;
}

/*
 * Only CPUs online at both ends of the period count: a CPU that comes
 * online is measured from its first sample on.
 */
static void sample_cpu(u64 *capacity, s64 *used)
{
	ktime_t now = ktime_get();
	u64 elapsed_us = ktime_us_delta(now, prev_time);
	u64 idle_sum = 0;
	unsigned int n = 0;
	int cpu;

	for_each_online_cpu(cpu) {
		u64 idle = cpu_idle_us(cpu);

		if (cpumask_test_cpu(cpu, prev_sampled)) {
			idle_sum += clamp_t(s64, idle - prev_idle_us[cpu], 0,
					    elapsed_us);
			n++;
		}
		prev_idle_us[cpu] = idle;
	}
	cpumask_copy(prev_sampled, cpu_online_mask);
	prev_time = now;

	*capacity = (u64)(n ? n : num_online_cpus()) * AVAILCAST_LEVEL_MAX;
	*used = 0;
	if (n && elapsed_us)
		*used = *capacity - div64_u64(idle_sum * AVAILCAST_LEVEL_MAX,
					      elapsed_us);
}

static void sample_memory(u64 *capacity, s64 *used)
{
	u64 total = totalram_pages();
	u64 available = min_t(u64, max(si_mem_available(), 0L), total);

	*capacity = total << PAGE_SHIFT;
	*used = (total - available) << PAGE_SHIFT;
}

static void sample(void)
{
	u64 capacity[AVAILCAST_N_BUILTINS];
	s64 used[AVAILCAST_N_BUILTINS];
	const struct availcast_config *cfg;
	bool crossed = false;
	unsigned int i;

	sample_cpu(&capacity[AVAILCAST_BUILTIN_CPU], &used[AVAILCAST_BUILTIN_CPU]);
	sample_memory(&capacity[AVAILCAST_BUILTIN_MEMORY],
		      &used[AVAILCAST_BUILTIN_MEMORY]);

	write_seqlock(&builtins_lock);
	for (i = 0; i < AVAILCAST_N_BUILTINS; i++) {
		builtins[i].capacity = capacity[i];
		builtins[i].used = used[i];
	}
	write_sequnlock(&builtins_lock);

	rcu_read_lock();
	cfg = rcu_dereference(availcast_config);
	for (i = 0; i < AVAILCAST_N_BUILTINS; i++)
		crossed |= availcast_level_crossed(cfg, READ_ONCE(builtins[i].last_level),
						   availcast_level(capacity[i], used[i]));
	rcu_read_unlock();
	if (crossed)
		availcast_news_level();
}

static void sample_work_fn(struct work_struct *work)
{
	sample();
	spin_lock(&sampler_lock);
	if (sampler_running)
		queue_delayed_work(system_power_efficient_wq, &sample_work,
				   msecs_to_jiffies(sample_ms()));
	spin_unlock(&sampler_lock);
}

void availcast_sampler_replan(void)
{
	spin_lock(&sampler_lock);
	if (sampler_running)
		mod_delayed_work(system_power_efficient_wq, &sample_work,
				 msecs_to_jiffies(sample_ms()));
	spin_unlock(&sampler_lock);
}

void availcast_sampler_read(unsigned int index,
			    struct availcast_resource_view *view, bool mark)
{
	struct builtin *builtin = &builtins[index];
	unsigned int seq;

	do {
		seq = read_seqbegin(&builtins_lock);
		view->capacity = builtin->capacity;
		view->used = builtin->used;
	} while (read_seqretry(&builtins_lock, seq));

	strscpy(view->name, availcast_builtin_name(index), sizeof(view->name));
	view->kind = AVAILCAST_RESOURCE_BUILTIN;
	view->level = availcast_level(view->capacity, view->used);
	if (mark)
		WRITE_ONCE(builtin->last_level, view->level);
}

int availcast_sampler_init(void)
{
	unsigned int i;

	prev_idle_us = kcalloc(nr_cpu_ids, sizeof(*prev_idle_us), GFP_KERNEL);
	if (!prev_idle_us)
		return -ENOMEM;
	if (!zalloc_cpumask_var(&prev_sampled, GFP_KERNEL)) {
		kfree(prev_idle_us);
		return -ENOMEM;
	}
	for (i = 0; i < AVAILCAST_N_BUILTINS; i++)
		builtins[i].last_level = AVAILCAST_LEVEL_MAX;

	/*
	 * The first sample, in the work like every other (one context writes
	 * the sampler's state), is taken before init returns. It only starts
	 * the CPU period (cpu reads fully idle until the second, sample_ms
	 * later); the rest is right.
	 */
	prev_time = ktime_get();
	INIT_DELAYED_WORK(&sample_work, sample_work_fn);
	sampler_running = true;
	queue_delayed_work(system_power_efficient_wq, &sample_work, 0);
	flush_delayed_work(&sample_work);
	return 0;
}

void availcast_sampler_exit(void)
{
	spin_lock(&sampler_lock);
	sampler_running = false;
	spin_unlock(&sampler_lock);
	cancel_delayed_work_sync(&sample_work);
	free_cpumask_var(prev_sampled);
	kfree(prev_idle_us);
}
