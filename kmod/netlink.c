// SPDX-License-Identifier: GPL-2.0
/*
 * The availcast generic netlink family: its commands, their strict
 * policies, and the multicast group broadcasts go to.
 *
 * Every command is validated strictly (resv_start_op covers them all):
 * unknown attributes, reserved header bits and attributes outside an
 * operation's policy are refused by the core before a handler runs.
 * Commands that change state need CAP_NET_ADMIN in the initial user
 * namespace, because availability is a property of the whole host.
 */

#include <linux/ktime.h>
#include <net/genetlink.h>

#include "config.h"
#include "netlink.h"

static struct genl_family availcast_family;

static const struct nla_policy availcast_config_policy[AVAILCAST_CFG_A_MAX + 1] = {
	[AVAILCAST_CFG_A_NODE_ID] = { .type = NLA_NUL_STRING,
				      .len = AVAILCAST_NODE_ID_SIZE - 1 },
};

/* Starts a reply to @info with the request's command. */
static struct sk_buff *reply_new(struct genl_info *info, void **hdr)
{
	struct sk_buff *msg;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return NULL;
	*hdr = genlmsg_put_reply(msg, info, &availcast_family, 0,
				 info->genlhdr->cmd);
	if (!*hdr) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int availcast_nl_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = reply_new(info, &hdr);
	if (!msg)
		return -ENOMEM;

	rcu_read_lock();
	err = nla_put_string(msg, AVAILCAST_A_NODE_ID,
			     rcu_dereference(availcast_config)->node_id);
	rcu_read_unlock();
	if (!err)
		err = nla_put_u64_64bit(msg, AVAILCAST_A_TIMESTAMP_NS,
					ktime_get_ns(), AVAILCAST_A_PAD);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int availcast_nl_config_get_doit(struct sk_buff *skb,
					struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = reply_new(info, &hdr);
	if (!msg)
		return -ENOMEM;

	rcu_read_lock();
	err = nla_put_string(msg, AVAILCAST_CFG_A_NODE_ID,
			     rcu_dereference(availcast_config)->node_id);
	rcu_read_unlock();
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* Applies every attribute of a CONFIG_SET to the private copy @cfg. */
static int config_apply_attrs(struct availcast_config *cfg, const void *arg,
			      struct netlink_ext_ack *extack)
{
	struct nlattr *const *attrs = arg;
	struct nlattr *attr = attrs[AVAILCAST_CFG_A_NODE_ID];
	int err;

	if (attr) {
		err = availcast_config_set_node_id(cfg, nla_data(attr), extack);
		if (err) {
			NL_SET_BAD_ATTR(extack, attr);
			return err;
		}
	}
	return 0;
}

static int availcast_nl_config_set_doit(struct sk_buff *skb,
					struct genl_info *info)
{
	return availcast_config_change(config_apply_attrs, info->attrs,
				       info->extack);
}

static const struct genl_ops availcast_ops[] = {
	{
		.cmd	= AVAILCAST_CMD_GET,
		.doit	= availcast_nl_get_doit,
	},
	{
		.cmd	= AVAILCAST_CMD_CONFIG_GET,
		.doit	= availcast_nl_config_get_doit,
	},
	{
		.cmd	= AVAILCAST_CMD_CONFIG_SET,
		.doit	= availcast_nl_config_set_doit,
		.policy	= availcast_config_policy,
		.maxattr = AVAILCAST_CFG_A_MAX,
		.flags	= GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group availcast_mcgrps[] = {
	{ .name = AVAILCAST_MCGRP_AVAIL },
};

static struct genl_family availcast_family __ro_after_init = {
	.name		= AVAILCAST_GENL_NAME,
	.version	= AVAILCAST_GENL_VERSION,
	.module		= THIS_MODULE,
	.netnsok	= true,
	.ops		= availcast_ops,
	.n_ops		= ARRAY_SIZE(availcast_ops),
	.resv_start_op	= AVAILCAST_CMD_GET,
	.mcgrps		= availcast_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(availcast_mcgrps),
};

int availcast_netlink_init(void)
{
	return genl_register_family(&availcast_family);
}

void availcast_netlink_exit(void)
{
	genl_unregister_family(&availcast_family);
}
