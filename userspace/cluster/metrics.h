/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemons' state in the Prometheus text exposition format (0.0.4),
 * for node_exporter's textfile collector: availctl metrics. Every metric
 * is named availctl_*, and every sample carries the daemon's node and
 * cluster as labels. Names of nodes, clusters and resources are checked
 * on the way in (wire_name_valid(): A-Z a-z 0-9 and AVAILCAST_NAME_PUNCT),
 * so label values need no escaping.
 */
#ifndef AVAILCTL_METRICS_H
#define AVAILCTL_METRICS_H

#include <stdio.h>

/* The "# HELP" and "# TYPE" lines of a metric family. */
void metrics_family(FILE *out, const char *name, const char *type, const char *help);
/* A family of one sample, availctl_NAME{LABELS} VALUE. */
void metrics_integer(FILE *out, const char *name, const char *type, const char *help,
		     const char *labels, unsigned long long value);
/* A gauge of one sample: a time of @ms milliseconds, in seconds. */
void metrics_seconds(FILE *out, const char *name, const char *help, const char *labels,
		     unsigned long long ms);

#endif /* AVAILCTL_METRICS_H */
