/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What availctl prints: for people (aligned, units spelled out) or as
 * JSON (the schema documented in availctl(8)). Pure functions of their
 * inputs, so that tests can compare their output with recorded text.
 */
#ifndef AVAILCTL_FORMAT_H
#define AVAILCTL_FORMAT_H

#include <stdbool.h>
#include <stdio.h>

#include "availcast.h"

/* show: the snapshot with its counters, and the configuration. */
void format_show(FILE *out, bool json, const struct availcast_snapshot *snap,
		 const struct availcast_config *config);
/* watch: one line per broadcast (JSON Lines with --json). */
void format_broadcast(FILE *out, bool json, const struct availcast_snapshot *snap);
/* pool list, resources: one row per resource. */
void format_resources(FILE *out, bool json,
		      const struct availcast_resource *resources, size_t n);

/* A level as a percentage free, e.g. "87.3%". */
void format_level(char *text, size_t size, uint32_t level);
/* A resource's amount in its unit: CPUs, bytes (IEC), or a plain count. */
void format_amount(char *text, size_t size, const struct availcast_resource *res,
		   int64_t amount);
/* A duration in nanoseconds, e.g. "850 us", "12.5 ms", "1.50 s". */
void format_duration(char *text, size_t size, int64_t ns);

#endif /* AVAILCTL_FORMAT_H */
