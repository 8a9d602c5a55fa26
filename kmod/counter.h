/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A signed per-CPU counter whose add is lockless.
 *
 * Each CPU accumulates deltas in its own slot; when a slot's magnitude
 * reaches the batch, that CPU folds it into the shared total with one
 * atomic add. Unlike lib/percpu_counter.c, the fold takes no lock and
 * nothing disables interrupts or preemption, so the add is safe in any
 * context, hard interrupts included.
 *
 * Exactness: every delta is in exactly one slot or in the total, always;
 * a fold moves an amount from a slot to the total, and a fold on a CPU
 * other than the one whose slot overflowed (after a migration) moves that
 * other CPU's slot, which conserves the sum as well. Once adds stop,
 * availcast_counter_sum() is exact.
 *
 * Error bound: the total alone (what the hot path looks at after a fold)
 * misses only the slots, each below batch plus twice the largest delta,
 * so by less than nr_cpu_ids * (batch + 2 * max |delta|). A concurrent
 * sum may count an in-flight fold twice or not at all: off by one slot.
 */
#ifndef _AVAILCAST_COUNTER_H
#define _AVAILCAST_COUNTER_H

#include <linux/atomic.h>
#include <linux/cache.h>
#include <linux/compiler.h>
#include <linux/percpu.h>
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
 */
static inline bool availcast_counter_add(struct availcast_counter *counter,
					 s64 delta)
{
	s64 slot = this_cpu_add_return(*counter->slot, delta);

	if (likely(slot < counter->batch && slot > -counter->batch))
		return false;
	atomic64_add(this_cpu_xchg(*counter->slot, 0), &counter->total);
	return true;
}

/* The folded total: cheap, and within the error bound above. */
static inline s64 availcast_counter_total(const struct availcast_counter *counter)
{
	return atomic64_read(&counter->total);
}

#endif /* _AVAILCAST_COUNTER_H */
