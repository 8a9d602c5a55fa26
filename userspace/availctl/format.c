// SPDX-License-Identifier: GPL-2.0
/*
 * What availctl prints: see format.h.
 */

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "json.h"
#include "settings.h"

void format_level(char *text, size_t size, uint32_t level)
{
	snprintf(text, size, "%u.%u%%", level / 10, level % 10);
}

static void format_bytes(char *text, size_t size, int64_t bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double value = (double)llabs(bytes);
	unsigned int unit = 0;

	while (value >= 1024 && unit < sizeof(units) / sizeof(units[0]) - 1) {
		value /= 1024;
		unit++;
	}
	if (unit == 0)
		snprintf(text, size, "%" PRId64 " B", bytes);
	else
		snprintf(text, size, "%s%.1f %s", bytes < 0 ? "-" : "", value, units[unit]);
}

void format_amount(char *text, size_t size, const struct availcast_resource *res,
		   int64_t amount)
{
	if (res->kind == AVAILCAST_RESOURCE_BUILTIN && !strcmp(res->name, "cpu"))
		snprintf(text, size, "%.2f CPUs", amount / 1000.0);
	else if (res->kind == AVAILCAST_RESOURCE_BUILTIN && !strcmp(res->name, "memory"))
		format_bytes(text, size, amount);
	else
		snprintf(text, size, "%" PRId64, amount);
}

void format_duration(char *text, size_t size, int64_t ns)
{
	int64_t magnitude = llabs(ns);

	if (magnitude < 1000000)
		snprintf(text, size, "%" PRId64 " us", ns / 1000);
	else if (magnitude < 1000000000)
		snprintf(text, size, "%.1f ms", ns / 1e6);
	else
		snprintf(text, size, "%.2f s", ns / 1e9);
}

/* JSON */

static void json_resource(struct json *json, const struct availcast_resource *res)
{
	json_object_begin(json, NULL);
	json_string(json, "name", res->name);
	json_string(json, "kind", availcast_kind_name(res->kind));
	json_u64(json, "capacity", res->capacity);
	json_i64(json, "used", res->used);
	json_u64(json, "level", res->level);
	json_object_end(json);
}

static void json_resources(struct json *json, const char *key,
			   const struct availcast_resource *resources, size_t n)
{
	size_t i;

	json_array_begin(json, key);
	for (i = 0; i < n; i++)
		json_resource(json, &resources[i]);
	json_array_end(json);
}

static void json_config(struct json *json, const struct availcast_config *config)
{
	const struct setting *setting;
	size_t i;
	unsigned int t;

	json_object_begin(json, "config");
	for (i = 0; i < n_settings; i++) {
		setting = &settings[i];
		switch (setting->type) {
		case SETTING_NODE_ID:
			json_string(json, setting->name, config->node_id);
			break;
		case SETTING_THRESHOLDS:
			json_array_begin(json, setting->name);
			for (t = 0; t < config->n_thresholds; t++)
				json_u64(json, NULL, config->thresholds[t]);
			json_array_end(json);
			break;
		case SETTING_AGGREGATION:
			json_string(json, setting->name,
				    availcast_aggregation_name(config->aggregation));
			break;
		case SETTING_SWITCH:
			json_bool(json, setting->name, config->all_netns);
			break;
		case SETTING_NUMBER:
			json_u64(json, setting->name,
				 *(const uint32_t *)((const char *)config + setting->offset));
			break;
		}
	}
	json_object_end(json);
}

static void json_deadline(struct json *json, uint64_t deadline_ns)
{
	if (deadline_ns)
		json_u64(json, "next_deadline_ns", deadline_ns);
	else
		json_null(json, "next_deadline_ns");
}

/* Human */

/* The resource table: widths follow the longest name. */
static void human_resources(FILE *out, const struct availcast_resource *resources,
			    size_t n)
{
	char free_text[16], used[32], capacity[32];
	int width = 8;
	size_t i;

	for (i = 0; i < n; i++) {
		if ((int)strlen(resources[i].name) > width)
			width = strlen(resources[i].name);
	}
	fprintf(out, "%-*s  %-8s %7s  %14s  %14s\n", width, "resource", "kind",
		"free", "used", "capacity");
	for (i = 0; i < n; i++) {
		const struct availcast_resource *res = &resources[i];

		format_level(free_text, sizeof(free_text), res->level);
		format_amount(used, sizeof(used), res, res->used);
		format_amount(capacity, sizeof(capacity), res, (int64_t)res->capacity);
		fprintf(out, "%-*s  %-8s %7s  %14s  %14s\n", width, res->name,
			availcast_kind_name(res->kind), free_text, used, capacity);
	}
}

static void human_config(FILE *out, const struct availcast_config *config)
{
	char value[256], shown[300];
	size_t i;

	fprintf(out, "configuration\n");
	for (i = 0; i < n_settings; i++) {
		setting_format(&settings[i], config, value, sizeof(value));
		snprintf(shown, sizeof(shown), "%s%s", value, settings[i].unit);
		fprintf(out, "  %-16s %-16s %s\n", settings[i].name, shown,
			settings[i].meaning);
	}
}

void format_show(FILE *out, bool json, const struct availcast_snapshot *snap,
		 const struct availcast_config *config)
{
	char level[16];

	if (json) {
		struct json j;

		json_init(&j, out);
		json_object_begin(&j, NULL);
		json_string(&j, "node_id", snap->node_id);
		json_u64(&j, "level", snap->level);
		json_u64(&j, "timestamp_ns", snap->timestamp_ns);
		json_u64(&j, "seq", snap->seq);
		json_deadline(&j, snap->next_deadline_ns);
		json_resources(&j, "resources", snap->resources, snap->n_resources);
		json_object_begin(&j, "stats");
		json_u64(&j, "sent", snap->stats.sent);
		json_u64(&j, "suppressed", snap->stats.suppressed);
		json_u64(&j, "failed", snap->stats.failed);
		json_u64(&j, "unheard", snap->stats.unheard);
		json_object_end(&j);
		json_config(&j, config);
		json_object_end(&j);
		fputc('\n', out);
		return;
	}

	format_level(level, sizeof(level), snap->level);
	fprintf(out, "node        %s\n", snap->node_id);
	fprintf(out, "level       %s free (%s of %zu resources)\n", level,
		availcast_aggregation_name(config->aggregation), snap->n_resources);
	fprintf(out, "broadcasts  %" PRIu64 " sent, %" PRIu64 " suppressed, %"
		PRIu64 " failed, %" PRIu64 " unheard; last #%" PRIu64 "\n",
		snap->stats.sent, snap->stats.suppressed, snap->stats.failed,
		snap->stats.unheard, snap->seq);
	fputc('\n', out);
	human_resources(out, snap->resources, snap->n_resources);
	fputc('\n', out);
	human_config(out, config);
}

void format_broadcast(FILE *out, bool json, const struct availcast_snapshot *snap)
{
	int64_t latency = (int64_t)(snap->received_ns - snap->timestamp_ns);
	char level[16], next[32], delay[32];
	size_t i;

	if (json) {
		struct json j;

		json_init(&j, out);
		json_object_begin(&j, NULL);
		json_string(&j, "node_id", snap->node_id);
		json_u64(&j, "seq", snap->seq);
		json_string(&j, "reason", availcast_reason_name(snap->reason));
		json_u64(&j, "level", snap->level);
		json_u64(&j, "timestamp_ns", snap->timestamp_ns);
		json_deadline(&j, snap->next_deadline_ns);
		json_u64(&j, "received_ns", snap->received_ns);
		json_i64(&j, "latency_ns", latency);
		json_resources(&j, "resources", snap->resources, snap->n_resources);
		json_object_end(&j);
		fputc('\n', out);
		return;
	}

	format_level(level, sizeof(level), snap->level);
	format_duration(delay, sizeof(delay), latency);
	if (snap->next_deadline_ns)
		format_duration(next, sizeof(next),
				(int64_t)(snap->next_deadline_ns - snap->timestamp_ns));
	else
		snprintf(next, sizeof(next), "never");
	fprintf(out, "#%-6" PRIu64 " %-9s level %6s  next within %9s  latency %9s ",
		snap->seq, availcast_reason_name(snap->reason), level, next, delay);
	for (i = 0; i < snap->n_resources; i++) {
		format_level(level, sizeof(level), snap->resources[i].level);
		fprintf(out, " %s %s", snap->resources[i].name, level);
	}
	fputc('\n', out);
}

void format_resources(FILE *out, bool json,
		      const struct availcast_resource *resources, size_t n)
{
	if (json) {
		struct json j;

		json_init(&j, out);
		json_resources(&j, NULL, resources, n);
		fputc('\n', out);
		return;
	}
	human_resources(out, resources, n);
}
