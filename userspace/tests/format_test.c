// SPDX-License-Identifier: GPL-2.0
/*
 * What availctl prints, for people and as JSON, from recorded inputs: the
 * exact text, so that any change to the output is a deliberate one (the
 * JSON schema is documented in availctl(8) and must stay stable).
 */

#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "json.h"
#include "kselftest_harness.h"

static const char expected_show_human[] =
	"node        host-1\n"
	"level       12.5% free (min of 3 resources)\n"
	"broadcasts  5 sent, 1 suppressed, 0 failed, 3 unheard; last #42\n"
	"\n"
	"resource   kind        free            used        capacity\n"
	"cpu        builtin    87.5%       0.25 CPUs       2.00 CPUs\n"
	"memory     builtin    90.0%       204.8 MiB         2.0 GiB\n"
	"gpu-slots  pool       12.5%               7               8\n"
	"\n"
	"configuration\n"
	"  node_id          host-1           who this host is in every broadcast\n"
	"  interval_min_ms  100 ms           broadcast period at full availability\n"
	"  interval_max_ms  1000 ms          broadcast period at zero availability\n"
	"  delta            100 per mille    a level change that broadcasts at once\n"
	"  thresholds       100,250,500      levels whose crossing broadcasts at once\n"
	"  tb_rate          10 per second    immediate broadcasts allowed, sustained\n"
	"  tb_burst         10               immediate broadcasts allowed at once\n"
	"  aggregation      min              how resource levels make the host level: min or mean\n"
	"  sample_ms        100 ms           sampling period of cpu and memory\n"
	"  all_netns        0                1: broadcast to, and be read from, every network namespace\n";

static const char expected_show_json[] =
	"{\"node_id\": \"host-1\", \"level\": 125, \"timestamp_ns\": 1000000000, \"seq\": 42, \"next_deadline_ns\": 1150000000, \"resources\": [{\"name\": \"cpu\", \"kind\": \"builtin\", \"capacity\": 2000, \"used\": 250, \"level\": 875}, {\"name\": \"memory\", \"kind\": \"builtin\", \"capacity\": 2147483648, \"used\": 214748365, \"level\": 900}, {\"name\": \"gpu-slots\", \"kind\": \"pool\", \"capacity\": 8, \"used\": 7, \"level\": 125}], \"stats\": {\"sent\": 5, \"suppressed\": 1, \"failed\": 0, \"unheard\": 3}, \"config\": {\"node_id\": \"host-1\", \"interval_min_ms\": 100, \"interval_max_ms\": 1000, \"delta\": 100, \"thresholds\": [100, 250, 500], \"tb_rate\": 10, \"tb_burst\": 10, \"aggregation\": \"min\", \"sample_ms\": 100, \"all_netns\": false}}\n";

static const char expected_broadcast_human[] =
	"#42     threshold level  12.5%  next within  150.0 ms  latency    400 us  cpu 87.5% memory 90.0% gpu-slots 12.5%\n";

static const char expected_broadcast_json[] =
	"{\"node_id\": \"host-1\", \"seq\": 42, \"reason\": \"threshold\", \"level\": 125, \"timestamp_ns\": 1000000000, \"next_deadline_ns\": 1150000000, \"received_ns\": 1000400000, \"latency_ns\": 400000, \"resources\": [{\"name\": \"cpu\", \"kind\": \"builtin\", \"capacity\": 2000, \"used\": 250, \"level\": 875}, {\"name\": \"memory\", \"kind\": \"builtin\", \"capacity\": 2147483648, \"used\": 214748365, \"level\": 900}, {\"name\": \"gpu-slots\", \"kind\": \"pool\", \"capacity\": 8, \"used\": 7, \"level\": 125}]}\n";

static const char expected_shutdown_human[] =
	"#42     shutdown  level  12.5%  next within     never  latency    400 us  cpu 87.5% memory 90.0% gpu-slots 12.5%\n";

static const char expected_pools_human[] =
	"resource   kind        free            used        capacity\n"
	"gpu-slots  pool       12.5%               7               8\n";

static const char expected_pools_json[] =
	"[{\"name\": \"gpu-slots\", \"kind\": \"pool\", \"capacity\": 8, \"used\": 7, \"level\": 125}]\n";

static const char expected_empty_json[] =
	"[]\n";

static struct availcast_resource resources[] = {
	{ "cpu", AVAILCAST_RESOURCE_BUILTIN, 2000, 250, 875 },
	{ "memory", AVAILCAST_RESOURCE_BUILTIN, 2147483648ull, 214748365, 900 },
	{ "gpu-slots", AVAILCAST_RESOURCE_POOL, 8, 7, 125 },
};

/* A threshold broadcast: 400 us on its way, the next within 150 ms. */
static struct availcast_snapshot recorded(void)
{
	struct availcast_snapshot snap = {
		.node_id = "host-1", .seq = 42, .timestamp_ns = 1000000000,
		.next_deadline_ns = 1150000000, .received_ns = 1000400000,
		.level = 125, .reason = AVAILCAST_REASON_THRESHOLD,
		.has_level = true, .has_stats = true, .stats = { 5, 1, 0, 3 },
		.n_resources = 3, .resources = resources,
	};

	return snap;
}

static const struct availcast_config config = {
	.node_id = "host-1", .interval_min_ms = 100, .interval_max_ms = 1000,
	.delta = 100, .thresholds = { 100, 250, 500 }, .n_thresholds = 3,
	.tb_rate = 10, .tb_burst = 10, .aggregation = AVAILCAST_AGGREGATION_MIN,
	.sample_ms = 100,
};

/* Runs one formatting call into a string. */
#define PRINTED(call) ({					\
	static char *text;					\
	size_t len;						\
	FILE *out = open_memstream(&text, &len);		\
								\
	call;							\
	fclose(out);						\
	text;							\
})

TEST(show_for_people)
{
	struct availcast_snapshot snap = recorded();
	char *text = PRINTED(format_show(out, false, &snap, &config));

	EXPECT_STREQ(expected_show_human, text);
	free(text);
}

TEST(show_as_json)
{
	struct availcast_snapshot snap = recorded();
	char *text = PRINTED(format_show(out, true, &snap, &config));

	EXPECT_STREQ(expected_show_json, text);
	free(text);
}

TEST(watch_for_people_and_as_json)
{
	struct availcast_snapshot snap = recorded();
	char *text = PRINTED(format_broadcast(out, false, &snap));

	EXPECT_STREQ(expected_broadcast_human, text);
	free(text);
	text = PRINTED(format_broadcast(out, true, &snap));
	EXPECT_STREQ(expected_broadcast_json, text);
	free(text);

	/* The last broadcast promises nothing more. */
	snap.next_deadline_ns = 0;
	snap.reason = AVAILCAST_REASON_SHUTDOWN;
	text = PRINTED(format_broadcast(out, false, &snap));
	EXPECT_STREQ(expected_shutdown_human, text);
	free(text);
	text = PRINTED(format_broadcast(out, true, &snap));
	EXPECT_NE(NULL, strstr(text, "\"next_deadline_ns\": null"));
	EXPECT_NE(NULL, strstr(text, "\"reason\": \"shutdown\""));
	free(text);
}

TEST(pool_list_for_people_and_as_json)
{
	char *text = PRINTED(format_resources(out, false, resources + 2, 1));

	EXPECT_STREQ(expected_pools_human, text);
	free(text);
	text = PRINTED(format_resources(out, true, resources + 2, 1));
	EXPECT_STREQ(expected_pools_json, text);
	free(text);
	text = PRINTED(format_resources(out, true, resources, 0));
	EXPECT_STREQ(expected_empty_json, text);
	free(text);
}

TEST(json_escapes_what_must_be_escaped)
{
	struct json json;
	char *text = PRINTED(({
		json_init(&json, out);
		json_object_begin(&json, NULL);
		json_string(&json, "quote\"key", "back\\slash\nnewline\ttab\x01");
		json_array_begin(&json, "empty");
		json_array_end(&json);
		json_i64(&json, "negative", -5);
		json_object_end(&json);
	}));

	EXPECT_STREQ("{\"quote\\\"key\": \"back\\\\slash\\u000anewline\\u0009tab\\u0001\", "
		     "\"empty\": [], \"negative\": -5}", text);
	free(text);
}

TEST(amounts_levels_and_durations_for_people)
{
	struct availcast_resource memory = { .name = "memory",
					     .kind = AVAILCAST_RESOURCE_BUILTIN };
	struct availcast_resource pool = { .name = "p", .kind = AVAILCAST_RESOURCE_POOL };
	char text[32];

	format_level(text, sizeof(text), 1000);
	EXPECT_STREQ("100.0%", text);
	format_level(text, sizeof(text), 0);
	EXPECT_STREQ("0.0%", text);
	format_amount(text, sizeof(text), &memory, 1023);
	EXPECT_STREQ("1023 B", text);
	format_amount(text, sizeof(text), &memory, 1536);
	EXPECT_STREQ("1.5 KiB", text);
	format_amount(text, sizeof(text), &pool, -3);
	EXPECT_STREQ("-3", text);
	format_duration(text, sizeof(text), 850000);
	EXPECT_STREQ("850 us", text);
	format_duration(text, sizeof(text), 12500000);
	EXPECT_STREQ("12.5 ms", text);
	format_duration(text, sizeof(text), 1500000000);
	EXPECT_STREQ("1.50 s", text);
}

TEST_HARNESS_MAIN
