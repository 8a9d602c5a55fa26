/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User hooks on role changes, like keepalived's notify scripts: the
 * configured program runs as "HOOK ROLE" with the details in its
 * environment, without the daemon waiting for it.
 */
#ifndef AVAILCTL_HOOKS_H
#define AVAILCTL_HOOKS_H

#include <stdint.h>

#include "arbiter.h"
#include "node.h"

/*
 * Starts @n's hook for a change from @previous to @role at @epoch (for
 * active, with the hold until @hold_until_ms); the witness and the reason
 * are @a's now.
 */
void hooks_run(const struct node *n, const struct arbiter *a,
	       enum arbiter_role role, uint64_t epoch, uint64_t hold_until_ms,
	       enum arbiter_role previous);
/* Collects finished hooks and logs how they ended. */
void hooks_reap(const struct node *n);

#endif /* AVAILCTL_HOOKS_H */
