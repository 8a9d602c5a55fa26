// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing snapshots: GET replies and NOTIFY broadcasts. Attributes newer
 * than this code are ignored, so an older availctl keeps working with a
 * newer module; the kernel, not userspace, is the strict side.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/genl/genl.h>

#include "internal.h"

static struct nla_policy snapshot_policy[AVAILCAST_A_MAX + 1] = {
	[AVAILCAST_A_NODE_ID]		= { .type = NLA_STRING,
					    .maxlen = AVAILCAST_NODE_ID_SIZE },
	[AVAILCAST_A_SEQ]		= { .type = NLA_U64 },
	[AVAILCAST_A_TIMESTAMP_NS]	= { .type = NLA_U64 },
	[AVAILCAST_A_LEVEL]		= { .type = NLA_U32 },
	[AVAILCAST_A_REASON]		= { .type = NLA_U32 },
	[AVAILCAST_A_NEXT_DEADLINE_NS]	= { .type = NLA_U64 },
	[AVAILCAST_A_RESOURCE]		= { .type = NLA_NESTED },
	[AVAILCAST_A_STATS]		= { .type = NLA_NESTED },
};

static struct nla_policy stats_policy[AVAILCAST_STATS_A_MAX + 1] = {
	[AVAILCAST_STATS_A_SENT]	= { .type = NLA_U64 },
	[AVAILCAST_STATS_A_SUPPRESSED]	= { .type = NLA_U64 },
	[AVAILCAST_STATS_A_FAILED]	= { .type = NLA_U64 },
	[AVAILCAST_STATS_A_UNHEARD]	= { .type = NLA_U64 },
};

static uint64_t get_u64(struct nlattr *attr)
{
	return attr ? nla_get_u64(attr) : 0;
}

static uint32_t get_u32(struct nlattr *attr)
{
	return attr ? nla_get_u32(attr) : 0;
}

static int parse_resource(struct nlattr *nest, struct availcast_resource *res,
			  struct availcast_error *error)
{
	struct nlattr *tb[AVAILCAST_RES_A_MAX + 1];

	if (nla_parse_nested(tb, AVAILCAST_RES_A_MAX, nest,
			     availcast_resource_policy))
		return availcast_error_set(error, EINVAL, "malformed resource");
	return availcast_resource_from_attrs(tb, res, error);
}

static int parse_resources(const struct nlmsghdr *nlh,
			   struct availcast_snapshot *snap,
			   struct availcast_error *error)
{
	struct genlmsghdr *ghdr = nlmsg_data(nlh);
	struct nlattr *attr;
	size_t count = 0;
	int rem, err;

	nla_for_each_attr(attr, genlmsg_attrdata(ghdr, 0),
			  genlmsg_attrlen(ghdr, 0), rem)
		count += nla_type(attr) == AVAILCAST_A_RESOURCE;
	if (!count)
		return 0;

	snap->resources = calloc(count, sizeof(*snap->resources));
	if (!snap->resources)
		return availcast_error_set(error, ENOMEM, "out of memory");

	nla_for_each_attr(attr, genlmsg_attrdata(ghdr, 0),
			  genlmsg_attrlen(ghdr, 0), rem) {
		if (nla_type(attr) != AVAILCAST_A_RESOURCE)
			continue;
		err = parse_resource(attr, &snap->resources[snap->n_resources],
				     error);
		if (err)
			return err;
		snap->n_resources++;
	}
	return 0;
}

int availcast_snapshot_parse(const struct nlmsghdr *nlh,
			     struct availcast_snapshot *snap,
			     struct availcast_error *error)
{
	struct nlattr *tb[AVAILCAST_A_MAX + 1];
	struct nlattr *stats[AVAILCAST_STATS_A_MAX + 1];
	int err;

	memset(snap, 0, sizeof(*snap));
	if (genlmsg_parse((struct nlmsghdr *)nlh, 0, tb, AVAILCAST_A_MAX,
			  snapshot_policy) || !tb[AVAILCAST_A_NODE_ID])
		return availcast_error_set(error, EINVAL, "malformed snapshot");

	snprintf(snap->node_id, sizeof(snap->node_id), "%s",
		 nla_get_string(tb[AVAILCAST_A_NODE_ID]));
	snap->seq = get_u64(tb[AVAILCAST_A_SEQ]);
	snap->timestamp_ns = get_u64(tb[AVAILCAST_A_TIMESTAMP_NS]);
	snap->next_deadline_ns = get_u64(tb[AVAILCAST_A_NEXT_DEADLINE_NS]);
	snap->has_level = tb[AVAILCAST_A_LEVEL];
	snap->level = get_u32(tb[AVAILCAST_A_LEVEL]);
	snap->reason = get_u32(tb[AVAILCAST_A_REASON]);

	if (tb[AVAILCAST_A_STATS]) {
		if (nla_parse_nested(stats, AVAILCAST_STATS_A_MAX,
				     tb[AVAILCAST_A_STATS], stats_policy))
			return availcast_error_set(error, EINVAL, "malformed counters");
		snap->has_stats = true;
		snap->stats.sent = get_u64(stats[AVAILCAST_STATS_A_SENT]);
		snap->stats.suppressed = get_u64(stats[AVAILCAST_STATS_A_SUPPRESSED]);
		snap->stats.failed = get_u64(stats[AVAILCAST_STATS_A_FAILED]);
		snap->stats.unheard = get_u64(stats[AVAILCAST_STATS_A_UNHEARD]);
	}

	err = parse_resources(nlh, snap, error);
	if (err)
		availcast_snapshot_free(snap);
	return err;
}

void availcast_snapshot_free(struct availcast_snapshot *snap)
{
	free(snap->resources);
	snap->resources = NULL;
	snap->n_resources = 0;
}
