/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A signed per-CPU counter whose add is lockless.
 *
 * Each CPU accumulates deltas in its own slot; when a slot's magnitude
 * reaches the batch, that CPU folds it into the shared total with one
 * atomic add. Unlike lib/percpu_counter.c, the fold takes no lock and
 * leaves interrupts on, so the add is safe in any context, hard
 * interrupts included.
 *
 * An add runs with preemption off, from its per-CPU add to the end of its
 * fold: a few instructions. So it never migrates in the middle (the CPU
 * whose slot reached the batch is the one that folds it), and a fold, the
 * moment its amount is in neither the slot nor the total, is never held
 * open by a preempted task (on preempt=full and PREEMPT_RT kernels any
 * number of them could be). Only an interrupt on that CPU can come in
 * between, and it runs to its end first.
 *
 * Exactness: once adds stop, every delta is in one slot or in the total,
 * and availcast_counter_sum() is exact. While adds run, each CPU has at
 * most one add in progress per context (task, softirq, hard interrupt);
 * a sum is off by at most the amounts of those.
 *
 * Error bound: once adds stop, every slot is below the batch in magnitude
 * (an add that takes it there folds it before it ends, on that CPU), so
 * the total alone (what the hot path looks at after a fold) is within
 * nr_cpu_ids * (batch - 1) of the sum; while adds run, within that plus
 * the amounts of the adds in progress, whatever their size.
 */
#ifndef _AVAILCAST_COUNTER_H
#define _AVAILCAST_COUNTER_H

#include <linux/atomic.h>
#include <linux/cache.h>
#include <linux/compiler.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/types.h>

struct availcast_counter {
	/* Read by every add: */
	s64 __percpu *slot;	/* per CPU: deltas not yet folded */
	s64 batch;		/* a slot is folded when |slot| reaches this */
	/*
	 * Written by folds: on a cache line of its own, so that a fold does
	 * not take the line every add reads from the other CPUs.
	 */
	atomic64_t total ____cacheline_aligned_in_smp;	/* every folded delta */
};

int availcast_counter_init(struct availcast_counter *counter, s64 batch,
			   gfp_t gfp);
void availcast_counter_destroy(struct availcast_counter *counter);
s64 availcast_counter_sum(const struct availcast_counter *counter);

/*
 * Adds @delta. Returns true when this add folded a slot into the total,
 * so that the caller can look at the new total: the rare, slow path.
 * Any context; preemption is off for its length (see above).
 */
static inline bool availcast_counter_add(struct availcast_counter *counter,
					 s64 delta)
{
	bool folded = false;
	s64 slot;

	preempt_disable();
	/* this_cpu_*(): an interrupt may add to this slot in between. */
	slot = this_cpu_add_return(*counter->slot, delta);
	if (unlikely(slot >= counter->batch || slot <= -counter->batch)) {
		atomic64_add(this_cpu_xchg(*counter->slot, 0), &counter->total);
		folded = true;
	}
	preempt_enable();
	return folded;
}

/* The folded total: cheap, and within the error bound above. */
static inline s64 availcast_counter_total(const struct availcast_counter *counter)
{
	return atomic64_read(&counter->total);
}

#endif /* _AVAILCAST_COUNTER_H */
