/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _AVAILCAST_SAMPLER_H
#define _AVAILCAST_SAMPLER_H

#include <linux/types.h>

struct availcast_resource_view;

int availcast_sampler_init(void);
void availcast_sampler_exit(void);
/* The sampling period changed: take it from now. */
void availcast_sampler_replan(void);

/* For availcast_resources_sample(); see there for @mark. */
void availcast_sampler_read(unsigned int index,
			    struct availcast_resource_view *view, bool mark);

#endif /* _AVAILCAST_SAMPLER_H */
