/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _AVAILCAST_SAMPLER_H
#define _AVAILCAST_SAMPLER_H

#include <linux/types.h>

struct availcast_resource_view;

/*
 * The built-in resources, sampled from the kernel's own accounting; the
 * first availcast_sampler_count() of them exist on this host.
 */
enum {
	AVAILCAST_BUILTIN_CPU,		/* idle share of the online CPUs */
	AVAILCAST_BUILTIN_MEMORY,	/* MemAvailable / MemTotal */
	AVAILCAST_BUILTIN_PRESSURE,	/* PSI, where the host has it */
	AVAILCAST_N_BUILTINS
};

unsigned int availcast_sampler_count(void);

int availcast_sampler_init(void);
void availcast_sampler_exit(void);
/* The sampling period changed: take it from now. */
void availcast_sampler_replan(void);

bool availcast_sampler_has(const char *name);
/* For availcast_resources_read(); see there for @mark. */
void availcast_sampler_read(unsigned int index,
			    struct availcast_resource_view *view, bool mark);

#endif /* _AVAILCAST_SAMPLER_H */
