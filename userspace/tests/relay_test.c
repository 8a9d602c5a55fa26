// SPDX-License-Identifier: GPL-2.0
/*
 * What the relay makes of a broadcast of the module: the report it sends
 * both managers (relay_report()).
 */

#include <stdio.h>
#include <string.h>

#include "relay.h"
#include "kselftest_harness.h"

static struct availcast_resource resources[3];
static struct availcast_snapshot snap = {
	.level = 400,
	.seq = 9,
	.next_deadline_ns = 3000000000ull,
	.resources = resources,
	.n_resources = 3,
};

static void name(unsigned int i, const char *text, uint32_t level)
{
	snprintf(resources[i].name, sizeof(resources[i].name), "%s", text);
	resources[i].level = level;
}

TEST(a_report_carries_every_resource_the_module_names)
{
	struct wire_report rep;

	name(0, "cpu", 400);
	name(1, "gpu:0", 500);
	name(2, "memory", 900);
	EXPECT_EQ(0, relay_report(&snap, 1000000000ull, &rep));
	EXPECT_EQ(400, rep.level);
	EXPECT_EQ(9, rep.kernel_seq);
	EXPECT_EQ(2000, rep.time_left_ms);
	ASSERT_EQ(3, rep.n_resources);
	EXPECT_STREQ("gpu:0", rep.resources[1].name);
	EXPECT_EQ(500, rep.resources[1].level);
}

/*
 * A module of another version may allow a name this wire cannot carry:
 * that resource is left out, not the report (which both managers would
 * refuse as malformed, and the host would be unavailable).
 */
TEST(a_name_the_wire_cannot_carry_leaves_out_that_resource_alone)
{
	struct wire_message msg = { .type = WIRE_REPORT, .seq = 1 };
	struct wire_key key = { .id = 1 };
	uint8_t buf[WIRE_MAX];
	size_t len;

	name(0, "cpu", 400);
	name(1, "gpu 0", 500);
	name(2, "memory", 900);
	EXPECT_EQ(1, relay_report(&snap, 0, &msg.report));
	ASSERT_EQ(2, msg.report.n_resources);
	EXPECT_STREQ("memory", msg.report.resources[1].name);
	EXPECT_EQ(900, msg.report.resources[1].level);

	snprintf(msg.sender, sizeof(msg.sender), "h1");
	snprintf(msg.destination, sizeof(msg.destination), "m1");
	/* wire_encode() refuses what holds a name the wire cannot carry. */
	len = wire_encode(&msg, &key, buf, sizeof(buf));
	EXPECT_GT(len, 0);
}

/*
 * The relay adds the host's pressure, which the module no longer reads,
 * as a floor on the level; never a second one, nor one over an older
 * module's own, whose level the module aggregated by its own rule.
 */
TEST(pressure_is_added_once_and_is_a_floor_on_the_level)
{
	struct wire_report rep;

	name(0, "cpu", 400);
	name(1, "gpu", 500);
	name(2, "memory", 900);
	relay_report(&snap, 0, &rep);
	EXPECT_TRUE(relay_add_pressure(&rep, 700));
	ASSERT_EQ(4, rep.n_resources);
	EXPECT_STREQ("pressure", rep.resources[3].name);
	EXPECT_EQ(300, rep.resources[3].level);
	EXPECT_EQ(1000, rep.resources[3].capacity);
	EXPECT_EQ(700, rep.resources[3].used);
	EXPECT_EQ(300, rep.level) TH_LOG("the scarcest: pressure");
	EXPECT_FALSE(relay_add_pressure(&rep, 0));
	EXPECT_EQ(4, rep.n_resources);
	EXPECT_EQ(300, rep.level);

	relay_report(&snap, 0, &rep);
	EXPECT_TRUE(relay_add_pressure(&rep, 100));
	EXPECT_EQ(900, rep.resources[3].level);
	EXPECT_EQ(400, rep.level) TH_LOG("the module's level, lower than pressure's");
}

TEST(an_older_modules_own_pressure_is_left_as_it_is)
{
	struct wire_report rep;

	name(0, "cpu", 800);
	name(1, "pressure", 400);
	name(2, "memory", 900);
	relay_report(&snap, 0, &rep);
	EXPECT_FALSE(relay_add_pressure(&rep, 0));
	ASSERT_EQ(3, rep.n_resources);
	EXPECT_EQ(400, rep.resources[1].level);
	EXPECT_EQ(400, rep.level);
}

TEST_HARNESS_MAIN
