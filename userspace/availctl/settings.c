// SPDX-License-Identifier: GPL-2.0
/*
 * The module's settings as availctl names, parses and shows them.
 */

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"

#define NUMBER(_name, _bit, _min, _max, _unit, _meaning) {		\
	.name = #_name, .type = SETTING_NUMBER, .field = _bit,		\
	.offset = offsetof(struct availcast_config, _name),		\
	.min = _min, .max = _max, .unit = _unit, .meaning = _meaning,	\
}

const struct setting settings[] = {
	{ .name = "node_id", .type = SETTING_NODE_ID,
	  .field = AVAILCAST_SET_NODE_ID, .unit = "",
	  .meaning = "who this host is in every broadcast" },
	NUMBER(interval_min_ms, AVAILCAST_SET_INTERVAL_MIN_MS,
	       AVAILCAST_INTERVAL_MS_MIN, AVAILCAST_INTERVAL_MS_MAX, " ms",
	       "broadcast period at full availability"),
	NUMBER(interval_max_ms, AVAILCAST_SET_INTERVAL_MAX_MS,
	       AVAILCAST_INTERVAL_MS_MIN, AVAILCAST_INTERVAL_MS_MAX, " ms",
	       "broadcast period at zero availability"),
	NUMBER(delta, AVAILCAST_SET_DELTA, AVAILCAST_DELTA_MIN,
	       AVAILCAST_DELTA_MAX, " per mille",
	       "a level change that broadcasts at once"),
	{ .name = "thresholds", .type = SETTING_THRESHOLDS,
	  .field = AVAILCAST_SET_THRESHOLDS, .unit = "",
	  .min = AVAILCAST_THRESHOLD_MIN, .max = AVAILCAST_THRESHOLD_MAX,
	  .meaning = "levels whose crossing broadcasts at once" },
	NUMBER(tb_rate, AVAILCAST_SET_TB_RATE, AVAILCAST_TOKENS_MIN,
	       AVAILCAST_TOKENS_MAX, " per second",
	       "immediate broadcasts allowed, sustained"),
	NUMBER(tb_burst, AVAILCAST_SET_TB_BURST, AVAILCAST_TOKENS_MIN,
	       AVAILCAST_TOKENS_MAX, "", "immediate broadcasts allowed at once"),
	{ .name = "aggregation", .type = SETTING_AGGREGATION,
	  .field = AVAILCAST_SET_AGGREGATION, .unit = "",
	  .offset = offsetof(struct availcast_config, aggregation),
	  .meaning = "how resource levels make the host level: min or mean" },
	NUMBER(sample_ms, AVAILCAST_SET_SAMPLE_MS, AVAILCAST_SAMPLE_MS_MIN,
	       AVAILCAST_SAMPLE_MS_MAX, " ms", "sampling period of cpu and memory"),
	{ .name = "all_netns", .type = SETTING_SWITCH,
	  .field = AVAILCAST_SET_ALL_NETNS, .unit = "", .max = 1,
	  .offset = offsetof(struct availcast_config, all_netns),
	  .meaning = "1: broadcast to, and be read from, every network namespace" },
};

const size_t n_settings = sizeof(settings) / sizeof(settings[0]);

const struct setting *setting_find(const char *name)
{
	char normal[64];
	size_t i;

	if (strlen(name) >= sizeof(normal))
		return NULL;
	for (i = 0; name[i]; i++)
		normal[i] = name[i] == '-' ? '_' : name[i];
	normal[i] = '\0';
	for (i = 0; i < n_settings; i++) {
		if (!strcmp(settings[i].name, normal))
			return &settings[i];
	}
	return NULL;
}

int parse_number(const char *text, uint64_t min, uint64_t max,
		 uint64_t *value, char *why, size_t size)
{
	const char *c;
	char *end;

	for (c = text; *c; c++) {
		if (!isdigit((unsigned char)*c))
			break;
	}
	if (!*text || *c) {
		snprintf(why, size, "'%s' is not a whole number (%" PRIu64 " to %" PRIu64 ")",
			 text, min, max);
		return -1;
	}
	errno = 0;
	*value = strtoull(text, &end, 10);
	if (errno || *value < min || *value > max) {
		snprintf(why, size, "%s is out of range (%" PRIu64 " to %" PRIu64 ")",
			 text, min, max);
		return -1;
	}
	return 0;
}

static uint32_t *number_of(const struct setting *setting,
			   struct availcast_config *config)
{
	return (uint32_t *)((char *)config + setting->offset);
}

/* Parses into a list of its own, so that a refused value changes nothing. */
static int parse_thresholds(const struct setting *setting, const char *text,
			    struct availcast_config *config, char *why,
			    size_t size)
{
	uint32_t levels[AVAILCAST_THRESHOLDS_MAX];
	char copy[256], *cursor = copy, *word;
	unsigned int n = 0;
	uint64_t level;

	if (strcmp(text, "none")) {
		if (strlen(text) >= sizeof(copy)) {
			snprintf(why, size, "too long a list");
			return -1;
		}
		strcpy(copy, text);
		while ((word = strsep(&cursor, ", "))) {
			if (!*word)
				continue;
			if (n == AVAILCAST_THRESHOLDS_MAX) {
				snprintf(why, size, "at most %d levels", AVAILCAST_THRESHOLDS_MAX);
				return -1;
			}
			if (parse_number(word, setting->min, setting->max, &level, why, size))
				return -1;
			levels[n++] = (uint32_t)level;
		}
		if (!n) {
			snprintf(why, size, "no levels: give some, or 'none'");
			return -1;
		}
	}
	memcpy(config->thresholds, levels, n * sizeof(levels[0]));
	config->n_thresholds = n;
	return 0;
}

int setting_parse(const struct setting *setting, const char *text,
		  struct availcast_config *config, char *why, size_t size)
{
	uint64_t value;

	switch (setting->type) {
	case SETTING_NUMBER:
		if (parse_number(text, setting->min, setting->max, &value, why, size))
			return -1;
		*number_of(setting, config) = (uint32_t)value;
		return 0;
	case SETTING_NODE_ID:
		if (!availcast_name_valid(text, sizeof(config->node_id))) {
			snprintf(why, size, "a node id is 1 to %d of A-Z a-z 0-9 and %s",
				 AVAILCAST_NODE_ID_SIZE - 1, AVAILCAST_NAME_PUNCT);
			return -1;
		}
		strcpy(config->node_id, text);
		return 0;
	case SETTING_THRESHOLDS:
		return parse_thresholds(setting, text, config, why, size);
	case SETTING_AGGREGATION:
		value = availcast_aggregation_value(text);
		if (!value) {
			snprintf(why, size, "'%s' is neither min nor mean", text);
			return -1;
		}
		config->aggregation = (uint32_t)value;
		return 0;
	case SETTING_SWITCH:
		if (!strcmp(text, "on") || !strcmp(text, "1")) {
			*number_of(setting, config) = 1;
		} else if (!strcmp(text, "off") || !strcmp(text, "0")) {
			*number_of(setting, config) = 0;
		} else {
			snprintf(why, size, "'%s' is not 0, 1, on or off", text);
			return -1;
		}
		return 0;
	}
	return -1;
}

void setting_format(const struct setting *setting,
		    const struct availcast_config *config, char *text,
		    size_t size)
{
	size_t len = 0;
	unsigned int i;

	switch (setting->type) {
	case SETTING_NODE_ID:
		snprintf(text, size, "%s", config->node_id);
		return;
	case SETTING_THRESHOLDS:
		text[0] = '\0';
		for (i = 0; i < config->n_thresholds && len < size; i++)
			len += snprintf(text + len, size - len, "%s%u", i ? "," : "",
					config->thresholds[i]);
		if (!config->n_thresholds)
			snprintf(text, size, "none");
		return;
	case SETTING_AGGREGATION:
		snprintf(text, size, "%s", availcast_aggregation_name(config->aggregation));
		return;
	case SETTING_NUMBER:
	case SETTING_SWITCH:
		snprintf(text, size, "%u",
			 *number_of(setting, (struct availcast_config *)config));
		return;
	}
}
