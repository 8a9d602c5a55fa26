/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The relay, on every host: forwards each broadcast of the availcast
 * module to both managers, and serves this host's witness store.
 */
#ifndef AVAILCTL_RELAY_H
#define AVAILCTL_RELAY_H

#include <stdbool.h>
#include <stdint.h>

#include "availcast.h"
#include "wire.h"

/*
 * The report of @snap, a broadcast of the module, as the relay sends it
 * (@now_ns on CLOCK_MONOTONIC, for the time left to its next deadline).
 * A resource whose name the wire cannot carry (wire_name_valid(): a module
 * of another version may allow more) is left out, not the whole report:
 * the managers would refuse the report, and the host would be unavailable.
 * Returns how many were left out.
 */
unsigned int relay_report(const struct availcast_snapshot *snap, uint64_t now_ns,
			  struct wire_report *rep);

/*
 * The host's pressure (pressure.h), @per_mille 0 to 1000 of time some
 * task stalled, added to @rep as the resource "pressure" (capacity 1000,
 * used @per_mille). It is a floor on the report's level, whatever the
 * module's aggregation: the level becomes pressure's free share when
 * that is lower, as the module's default aggregation (min) would make
 * it. Returns false, changing nothing, when @rep has a resource of that
 * name already (an older module's own) or no room for one more.
 */
bool relay_add_pressure(struct wire_report *rep, uint32_t per_mille);

/* Runs until SIGTERM or SIGINT; returns an exit code. */
int relay_main(const char *config_path);

#endif /* AVAILCTL_RELAY_H */
