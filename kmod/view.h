/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _AVAILCAST_VIEW_H
#define _AVAILCAST_VIEW_H

#include <linux/string.h>
#include <linux/types.h>
#include <uapi/linux/availcast.h>

/*
 * What every layer says of a resource: how a message shows one, and the
 * names of the built-in ones, which no pool may take.
 */

/* One resource as a message shows it. */
struct availcast_resource_view {
	char name[AVAILCAST_NAME_SIZE];
	u32 kind;		/* enum availcast_resource_kind */
	u64 capacity;
	s64 used;
	u32 level;
};

/* The built-in resources, sampled from the kernel's own accounting (sampler.c). */
enum {
	AVAILCAST_BUILTIN_CPU,		/* idle share of the online CPUs */
	AVAILCAST_BUILTIN_MEMORY,	/* MemAvailable / MemTotal */
	AVAILCAST_N_BUILTINS
};

/* The name of built-in @index, 0 to AVAILCAST_N_BUILTINS - 1. */
static inline const char *availcast_builtin_name(unsigned int index)
{
	static const char *const names[AVAILCAST_N_BUILTINS] = {
		[AVAILCAST_BUILTIN_CPU] = "cpu",
		[AVAILCAST_BUILTIN_MEMORY] = "memory",
	};

	return names[index];
}

/* Whether @name is a built-in's. */
static inline bool availcast_builtin_named(const char *name)
{
	unsigned int i;

	for (i = 0; i < AVAILCAST_N_BUILTINS; i++) {
		if (!strcmp(availcast_builtin_name(i), name))
			return true;
	}
	return false;
}

#endif /* _AVAILCAST_VIEW_H */
