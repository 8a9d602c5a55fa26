/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _AVAILCAST_LEVEL_H
#define _AVAILCAST_LEVEL_H

#include <linux/math64.h>
#include <linux/types.h>
#include <uapi/linux/availcast.h>

struct availcast_config;

/* Availability in per mille free: 1000 when nothing is used, 0 when full. */
static inline u32 availcast_level(u64 capacity, s64 used)
{
	if (used <= 0)
		return AVAILCAST_LEVEL_MAX;
	if (!capacity || (u64)used >= capacity)
		return 0;
	return mul_u64_u64_div_u64(capacity - used, AVAILCAST_LEVEL_MAX,
				   capacity);
}

/*
 * Whether a level moving from @then to @now calls for a message at once:
 * it crossed a configured threshold, or moved by at least delta.
 */
bool availcast_level_crossed(const struct availcast_config *cfg, u32 then,
			     u32 now);

#endif /* _AVAILCAST_LEVEL_H */
