// SPDX-License-Identifier: GPL-2.0
/*
 * The module's configuration: CONFIG_GET and CONFIG_SET.
 */

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <netlink/genl/genl.h>

#include "internal.h"

/* The u32 fields, with their attribute and their bit for CONFIG_SET. */
static const struct {
	unsigned int field;
	uint16_t attr;
	size_t offset;
} u32_fields[] = {
#define FIELD(bit, attr, member) \
	{ bit, attr, offsetof(struct availcast_config, member) }
	FIELD(AVAILCAST_SET_INTERVAL_MIN_MS, AVAILCAST_CFG_A_INTERVAL_MIN_MS, interval_min_ms),
	FIELD(AVAILCAST_SET_INTERVAL_MAX_MS, AVAILCAST_CFG_A_INTERVAL_MAX_MS, interval_max_ms),
	FIELD(AVAILCAST_SET_DELTA, AVAILCAST_CFG_A_DELTA, delta),
	FIELD(AVAILCAST_SET_TB_RATE, AVAILCAST_CFG_A_TB_RATE, tb_rate),
	FIELD(AVAILCAST_SET_TB_BURST, AVAILCAST_CFG_A_TB_BURST, tb_burst),
	FIELD(AVAILCAST_SET_AGGREGATION, AVAILCAST_CFG_A_AGGREGATION, aggregation),
	FIELD(AVAILCAST_SET_SAMPLE_MS, AVAILCAST_CFG_A_SAMPLE_MS, sample_ms),
#undef FIELD
};

#define N_U32_FIELDS (sizeof(u32_fields) / sizeof(u32_fields[0]))

static uint32_t *field_of(struct availcast_config *cfg, size_t i)
{
	return (uint32_t *)((char *)cfg + u32_fields[i].offset);
}

static struct nla_policy config_policy[AVAILCAST_CFG_A_MAX + 1] = {
	[AVAILCAST_CFG_A_NODE_ID]		= { .type = NLA_STRING,
						    .maxlen = AVAILCAST_NODE_ID_SIZE },
	[AVAILCAST_CFG_A_INTERVAL_MIN_MS]	= { .type = NLA_U32 },
	[AVAILCAST_CFG_A_INTERVAL_MAX_MS]	= { .type = NLA_U32 },
	[AVAILCAST_CFG_A_DELTA]			= { .type = NLA_U32 },
	[AVAILCAST_CFG_A_THRESHOLDS]		= { .type = NLA_NESTED },
	[AVAILCAST_CFG_A_TB_RATE]		= { .type = NLA_U32 },
	[AVAILCAST_CFG_A_TB_BURST]		= { .type = NLA_U32 },
	[AVAILCAST_CFG_A_AGGREGATION]		= { .type = NLA_U32 },
	[AVAILCAST_CFG_A_SAMPLE_MS]		= { .type = NLA_U32 },
	[AVAILCAST_CFG_A_ALL_NETNS]		= { .type = NLA_U8 },
};

static int config_reply(const struct nlmsghdr *nlh, void *arg,
			struct availcast_error *error)
{
	struct nlattr *tb[AVAILCAST_CFG_A_MAX + 1];
	struct availcast_config *cfg = arg;
	struct nlattr *level;
	size_t i;
	int rem;

	memset(cfg, 0, sizeof(*cfg));
	if (genlmsg_parse((struct nlmsghdr *)nlh, 0, tb, AVAILCAST_CFG_A_MAX,
			  config_policy) || !tb[AVAILCAST_CFG_A_NODE_ID])
		return availcast_error_set(error, EINVAL, "malformed configuration");

	snprintf(cfg->node_id, sizeof(cfg->node_id), "%s",
		 nla_get_string(tb[AVAILCAST_CFG_A_NODE_ID]));
	for (i = 0; i < N_U32_FIELDS; i++) {
		if (tb[u32_fields[i].attr])
			*field_of(cfg, i) = nla_get_u32(tb[u32_fields[i].attr]);
	}
	if (tb[AVAILCAST_CFG_A_ALL_NETNS])
		cfg->all_netns = nla_get_u8(tb[AVAILCAST_CFG_A_ALL_NETNS]);
	if (tb[AVAILCAST_CFG_A_THRESHOLDS]) {
		nla_for_each_nested(level, tb[AVAILCAST_CFG_A_THRESHOLDS], rem) {
			if (cfg->n_thresholds == AVAILCAST_THRESHOLDS_MAX ||
			    nla_len(level) != sizeof(uint32_t))
				return availcast_error_set(error, EINVAL,
							   "malformed thresholds");
			cfg->thresholds[cfg->n_thresholds++] = nla_get_u32(level);
		}
	}
	return 0;
}

int availcast_config_get(struct availcast_client *client,
			 struct availcast_config *config,
			 struct availcast_error *error)
{
	struct nl_msg *msg;

	msg = availcast_request(client, AVAILCAST_CMD_CONFIG_GET, 0, error);
	if (!msg)
		return error->code;
	return availcast_transact(client, msg, config_reply, config, error);
}

static int put_config(struct nl_msg *msg, const struct availcast_config *cfg,
		      unsigned int fields)
{
	struct nlattr *nest;
	unsigned int i;

	if ((fields & AVAILCAST_SET_NODE_ID) &&
	    nla_put_string(msg, AVAILCAST_CFG_A_NODE_ID, cfg->node_id))
		return -1;
	for (i = 0; i < N_U32_FIELDS; i++) {
		if ((fields & u32_fields[i].field) &&
		    nla_put_u32(msg, u32_fields[i].attr,
				*field_of((struct availcast_config *)cfg, i)))
			return -1;
	}
	if ((fields & AVAILCAST_SET_ALL_NETNS) &&
	    nla_put_u8(msg, AVAILCAST_CFG_A_ALL_NETNS, cfg->all_netns))
		return -1;
	if (fields & AVAILCAST_SET_THRESHOLDS) {
		nest = nla_nest_start(msg, AVAILCAST_CFG_A_THRESHOLDS);
		if (!nest)
			return -1;
		for (i = 0; i < cfg->n_thresholds && i < AVAILCAST_THRESHOLDS_MAX; i++) {
			if (nla_put_u32(msg, AVAILCAST_THRESHOLD_A_LEVEL,
					cfg->thresholds[i]))
				return -1;
		}
		nla_nest_end(msg, nest);
	}
	return 0;
}

int availcast_config_set(struct availcast_client *client,
			 const struct availcast_config *config,
			 unsigned int fields, struct availcast_error *error)
{
	struct nl_msg *msg;

	msg = availcast_request(client, AVAILCAST_CMD_CONFIG_SET, 0, error);
	if (!msg)
		return error->code;
	if (put_config(msg, config, fields)) {
		nlmsg_free(msg);
		return availcast_error_set(error, ENOMEM, "out of memory");
	}
	return availcast_transact(client, msg, NULL, NULL, error);
}
