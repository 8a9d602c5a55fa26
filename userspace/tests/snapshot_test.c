// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing snapshots without a kernel: well-formed messages give every
 * field, malformed ones are refused, newer attributes are ignored.
 */

#include <errno.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "availcast.h"
#include "kselftest_harness.h"

/* A message as the module would send it, to be completed by each test. */
static struct nl_msg *snapshot_msg(const char *node_id)
{
	struct nl_msg *msg = nlmsg_alloc();

	genlmsg_put(msg, 0, 0, 0x20, 0, 0, AVAILCAST_CMD_NOTIFY, 1);
	if (node_id)
		nla_put_string(msg, AVAILCAST_A_NODE_ID, node_id);
	return msg;
}

static void put_resource(struct nl_msg *msg, const char *name, uint32_t kind,
			 uint64_t capacity, int64_t used, uint32_t level)
{
	struct nlattr *nest = nla_nest_start(msg, AVAILCAST_A_RESOURCE);

	nla_put_string(msg, AVAILCAST_RES_A_NAME, name);
	nla_put_u32(msg, AVAILCAST_RES_A_KIND, kind);
	nla_put_u64(msg, AVAILCAST_RES_A_CAPACITY, capacity);
	nla_put_u64(msg, AVAILCAST_RES_A_USED, (uint64_t)used);
	nla_put_u32(msg, AVAILCAST_RES_A_LEVEL, level);
	nla_nest_end(msg, nest);
}

TEST(full_broadcast_gives_every_field)
{
	struct nl_msg *msg = snapshot_msg("host-1");
	struct availcast_snapshot snap;
	struct availcast_error error;
	struct nlattr *stats;

	nla_put_u64(msg, AVAILCAST_A_SEQ, 42);
	nla_put_u64(msg, AVAILCAST_A_TIMESTAMP_NS, 1000000007);
	nla_put_u32(msg, AVAILCAST_A_LEVEL, 875);
	nla_put_u32(msg, AVAILCAST_A_REASON, AVAILCAST_REASON_THRESHOLD);
	nla_put_u64(msg, AVAILCAST_A_NEXT_DEADLINE_NS, 2000000007);
	put_resource(msg, "cpu", AVAILCAST_RESOURCE_BUILTIN, 1000, 125, 875);
	put_resource(msg, "gpu-slots", AVAILCAST_RESOURCE_POOL, 8, -2, 1000);
	stats = nla_nest_start(msg, AVAILCAST_A_STATS);
	nla_put_u64(msg, AVAILCAST_STATS_A_SENT, 5);
	nla_put_u64(msg, AVAILCAST_STATS_A_SUPPRESSED, 6);
	nla_put_u64(msg, AVAILCAST_STATS_A_FAILED, 7);
	nla_put_u64(msg, AVAILCAST_STATS_A_UNHEARD, 8);
	nla_nest_end(msg, stats);

	ASSERT_EQ(0, availcast_snapshot_parse(nlmsg_hdr(msg), &snap, &error));
	EXPECT_STREQ("host-1", snap.node_id);
	EXPECT_EQ(42, snap.seq);
	EXPECT_EQ(1000000007, snap.timestamp_ns);
	EXPECT_EQ(2000000007, snap.next_deadline_ns);
	EXPECT_TRUE(snap.has_level);
	EXPECT_EQ(875, snap.level);
	EXPECT_EQ(AVAILCAST_REASON_THRESHOLD, snap.reason);
	ASSERT_EQ(2, snap.n_resources);
	EXPECT_STREQ("cpu", snap.resources[0].name);
	EXPECT_EQ(AVAILCAST_RESOURCE_BUILTIN, snap.resources[0].kind);
	EXPECT_EQ(1000, snap.resources[0].capacity);
	EXPECT_EQ(125, snap.resources[0].used);
	EXPECT_EQ(875, snap.resources[0].level);
	EXPECT_STREQ("gpu-slots", snap.resources[1].name);
	EXPECT_EQ(-2, snap.resources[1].used);
	EXPECT_TRUE(snap.has_stats);
	EXPECT_EQ(5, snap.stats.sent);
	EXPECT_EQ(6, snap.stats.suppressed);
	EXPECT_EQ(7, snap.stats.failed);
	EXPECT_EQ(8, snap.stats.unheard);

	availcast_snapshot_free(&snap);
	nlmsg_free(msg);
}

TEST(minimal_reply_leaves_the_rest_zero)
{
	struct nl_msg *msg = snapshot_msg("n");
	struct availcast_snapshot snap;
	struct availcast_error error;

	ASSERT_EQ(0, availcast_snapshot_parse(nlmsg_hdr(msg), &snap, &error));
	EXPECT_STREQ("n", snap.node_id);
	EXPECT_FALSE(snap.has_level);
	EXPECT_FALSE(snap.has_stats);
	EXPECT_EQ(0, snap.n_resources);
	EXPECT_EQ(NULL, snap.resources);
	nlmsg_free(msg);
}

TEST(newer_attributes_are_ignored)
{
	struct nl_msg *msg = snapshot_msg("host-2");
	struct availcast_snapshot snap;
	struct availcast_error error;

	nla_put_u32(msg, AVAILCAST_A_MAX + 7, 1);
	ASSERT_EQ(0, availcast_snapshot_parse(nlmsg_hdr(msg), &snap, &error));
	EXPECT_STREQ("host-2", snap.node_id);
	nlmsg_free(msg);
}

TEST(missing_node_id_is_refused)
{
	struct nl_msg *msg = snapshot_msg(NULL);
	struct availcast_snapshot snap;
	struct availcast_error error;

	nla_put_u32(msg, AVAILCAST_A_LEVEL, 1);
	EXPECT_EQ(EINVAL, availcast_snapshot_parse(nlmsg_hdr(msg), &snap, &error));
	EXPECT_STREQ("malformed snapshot", error.message);
	nlmsg_free(msg);
}

TEST(malformed_attributes_are_refused)
{
	struct availcast_snapshot snap;
	struct availcast_error error;
	struct nlattr *nest;
	struct nl_msg *msg;
	char big[AVAILCAST_NODE_ID_SIZE + 1];

	/* A u64 attribute four bytes short. */
	msg = snapshot_msg("host-3");
	nla_put_u32(msg, AVAILCAST_A_SEQ, 1);
	EXPECT_EQ(EINVAL, availcast_snapshot_parse(nlmsg_hdr(msg), &snap, &error));
	nlmsg_free(msg);

	/* A node id longer than any the kernel sends. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	msg = snapshot_msg(big);
	EXPECT_EQ(EINVAL, availcast_snapshot_parse(nlmsg_hdr(msg), &snap, &error));
	nlmsg_free(msg);

	/* A node id without its NUL. */
	msg = snapshot_msg(NULL);
	nla_put(msg, AVAILCAST_A_NODE_ID, 3, "abc");
	EXPECT_EQ(EINVAL, availcast_snapshot_parse(nlmsg_hdr(msg), &snap, &error));
	nlmsg_free(msg);

	/* A resource with no name. */
	msg = snapshot_msg("host-4");
	nest = nla_nest_start(msg, AVAILCAST_A_RESOURCE);
	nla_put_u32(msg, AVAILCAST_RES_A_LEVEL, 3);
	nla_nest_end(msg, nest);
	EXPECT_EQ(EINVAL, availcast_snapshot_parse(nlmsg_hdr(msg), &snap, &error));
	EXPECT_EQ(0, snap.n_resources);
	EXPECT_EQ(NULL, snap.resources);
	nlmsg_free(msg);
}

TEST(names_of_reasons_and_kinds)
{
	EXPECT_STREQ("periodic", availcast_reason_name(AVAILCAST_REASON_PERIODIC));
	EXPECT_STREQ("shutdown", availcast_reason_name(AVAILCAST_REASON_SHUTDOWN));
	EXPECT_STREQ("unknown", availcast_reason_name(0));
	EXPECT_STREQ("pool", availcast_kind_name(AVAILCAST_RESOURCE_POOL));
	EXPECT_STREQ("unknown", availcast_kind_name(99));
}

TEST_HARNESS_MAIN
