/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's settings as availctl names them: the sysfs file names
 * (dashes work too), their bounds from the UAPI header, and how to parse
 * and show each.
 */
#ifndef AVAILCTL_SETTINGS_H
#define AVAILCTL_SETTINGS_H

#include <stddef.h>
#include <stdint.h>

#include "availcast.h"

enum setting_type {
	SETTING_NUMBER,		/* a u32 within [min, max] */
	SETTING_NODE_ID,
	SETTING_THRESHOLDS,	/* levels separated by commas or spaces, or "none" */
	SETTING_AGGREGATION,	/* min or mean */
	SETTING_SWITCH,		/* 0 or 1 (off or on) */
};

struct setting {
	const char *name;
	enum setting_type type;
	unsigned int field;	/* enum availcast_config_field */
	size_t offset;		/* of the uint32_t in struct availcast_config */
	uint32_t min, max;
	const char *unit;	/* after the value in human output, or "" */
	const char *meaning;
};

extern const struct setting settings[];
extern const size_t n_settings;

/* The setting called @name (underscores or dashes), or NULL. */
const struct setting *setting_find(const char *name);

/*
 * Parses @text for @setting into @config. Returns 0, or -1 with why (the
 * value and what is accepted) in @why.
 */
int setting_parse(const struct setting *setting, const char *text,
		  struct availcast_config *config, char *why, size_t size);

/* Writes the value of @setting in @config as text, as `set` takes it. */
void setting_format(const struct setting *setting,
		    const struct availcast_config *config, char *text,
		    size_t size);

/* A whole decimal number in [min, max]; else -1 and why in @why. */
int parse_number(const char *text, uint64_t min, uint64_t max,
		 uint64_t *value, char *why, size_t size);

#endif /* AVAILCTL_SETTINGS_H */
