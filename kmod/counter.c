// SPDX-License-Identifier: GPL-2.0
/*
 * The per-CPU counter's slow paths: see counter.h.
 */

#include <linux/cpumask.h>

#include "counter.h"

int availcast_counter_init(struct availcast_counter *counter, s64 batch,
			   gfp_t gfp)
{
	counter->slot = alloc_percpu_gfp(s64, gfp);
	if (!counter->slot)
		return -ENOMEM;
	atomic64_set(&counter->total, 0);
	counter->batch = max_t(s64, batch, 1);
	return 0;
}

void availcast_counter_destroy(struct availcast_counter *counter)
{
	free_percpu(counter->slot);
	counter->slot = NULL;
}

/*
 * The exact sum once adds have stopped. Every possible CPU is read, online
 * or not: a CPU taken offline keeps its slot, so hotplug loses nothing.
 */
s64 availcast_counter_sum(const struct availcast_counter *counter)
{
	s64 sum = atomic64_read(&counter->total);
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(*per_cpu_ptr(counter->slot, cpu));
	return sum;
}
