// SPDX-License-Identifier: GPL-2.0
/*
 * The names of the family's enumerations, both ways, the rule for the
 * names of pools and nodes, and the library's error and clock helpers.
 */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "availcast.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const reasons[] = {
	[AVAILCAST_REASON_PERIODIC] = "periodic",
	[AVAILCAST_REASON_THRESHOLD] = "threshold",
	[AVAILCAST_REASON_REQUEST] = "request",
	[AVAILCAST_REASON_SHUTDOWN] = "shutdown",
};

static const char *const kinds[] = {
	[AVAILCAST_RESOURCE_BUILTIN] = "builtin",
	[AVAILCAST_RESOURCE_POOL] = "pool",
};

static const char *const aggregations[] = {
	[AVAILCAST_AGGREGATION_MIN] = "min",
	[AVAILCAST_AGGREGATION_MEAN] = "mean",
};

static const char *name_of(const char *const *names, size_t n, uint32_t value)
{
	return value < n && names[value] ? names[value] : "unknown";
}

static uint32_t value_of(const char *const *names, size_t n, const char *name)
{
	uint32_t value;

	for (value = 0; value < n; value++) {
		if (names[value] && !strcmp(names[value], name))
			return value;
	}
	return 0;
}

const char *availcast_reason_name(uint32_t reason)
{
	return name_of(reasons, N(reasons), reason);
}

const char *availcast_kind_name(uint32_t kind)
{
	return name_of(kinds, N(kinds), kind);
}

const char *availcast_aggregation_name(uint32_t aggregation)
{
	return name_of(aggregations, N(aggregations), aggregation);
}

uint32_t availcast_aggregation_value(const char *name)
{
	return value_of(aggregations, N(aggregations), name);
}

int availcast_error_set(struct availcast_error *error, int code,
			const char *fmt, ...)
{
	va_list ap;

	if (error) {
		error->code = code;
		va_start(ap, fmt);
		vsnprintf(error->message, sizeof(error->message), fmt, ap);
		va_end(ap);
	}
	return code;
}

bool availcast_name_valid(const char *name, size_t size)
{
	size_t i, n = strnlen(name, size);

	if (n == 0 || n == size)
		return false;
	for (i = 0; i < n; i++) {
		char c = name[i];

		/* Not isalnum(): it follows the locale. */
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr(AVAILCAST_NAME_PUNCT, c)))
			return false;
	}
	return true;
}

uint64_t availcast_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
