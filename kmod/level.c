// SPDX-License-Identifier: GPL-2.0
/*
 * When a change of level is news: see level.h.
 */

#include "config.h"
#include "level.h"

bool availcast_level_crossed(const struct availcast_config *cfg, u32 then,
			     u32 now)
{
	unsigned int i;

	if (abs((int)now - (int)then) >= cfg->delta)
		return true;
	for (i = 0; i < cfg->n_thresholds; i++) {
		bool was_below = then < cfg->thresholds[i];
		bool is_below = now < cfg->thresholds[i];

		if (was_below != is_below)
			return true;
	}
	return false;
}
