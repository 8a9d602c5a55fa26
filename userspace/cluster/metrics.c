// SPDX-License-Identifier: GPL-2.0
/* Prometheus text exposition: the parts every family shares. */

#include "metrics.h"

void metrics_family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP availctl_%s %s\n# TYPE availctl_%s %s\n", name, help, name, type);
}

void metrics_integer(FILE *out, const char *name, const char *type, const char *help,
		     const char *labels, unsigned long long value)
{
	metrics_family(out, name, type, help);
	fprintf(out, "availctl_%s{%s} %llu\n", name, labels, value);
}

void metrics_seconds(FILE *out, const char *name, const char *help, const char *labels,
		     unsigned long long ms)
{
	metrics_family(out, name, "gauge", help);
	fprintf(out, "availctl_%s{%s} %llu.%03llu\n", name, labels, ms / 1000, ms % 1000);
}
