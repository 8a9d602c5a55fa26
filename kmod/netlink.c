// SPDX-License-Identifier: GPL-2.0
/*
 * The availcast generic netlink family: its commands, their strict
 * policies, and the multicast group broadcasts go to.
 *
 * Every command is validated strictly (resv_start_op covers them all):
 * unknown attributes, attributes outside an operation's policy, values
 * out of range and reserved header bits are refused by the core, with an
 * extended-ack message, before a handler runs. Commands that change state
 * need CAP_NET_ADMIN in the initial user namespace, because availability
 * is a property of the whole host; for the same reason another network
 * namespace reads it only when all_netns shares it (availcast_nl_may_read()).
 * Handlers run in parallel (parallel_ops):
 * a userspace charge takes no lock on its way to the per-CPU counter.
 */

#include <linux/ktime.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "config.h"
#include "emitter.h"
#include "netlink.h"
#include "pool.h"
#include "resources.h"

static struct genl_family availcast_family;

#define NAME_POLICY { .type = NLA_NUL_STRING, .len = AVAILCAST_NAME_SIZE - 1 }

static const struct netlink_range_validation interval_range = {
	.min = AVAILCAST_INTERVAL_MS_MIN, .max = AVAILCAST_INTERVAL_MS_MAX,
};

static const struct netlink_range_validation sample_range = {
	.min = AVAILCAST_SAMPLE_MS_MIN, .max = AVAILCAST_SAMPLE_MS_MAX,
};

static const struct netlink_range_validation quantity_range = {
	.min = 1, .max = S64_MAX,
};

static const struct nla_policy threshold_policy[AVAILCAST_THRESHOLD_A_MAX + 1] = {
	[AVAILCAST_THRESHOLD_A_LEVEL] = NLA_POLICY_RANGE(NLA_U32,
							 AVAILCAST_THRESHOLD_MIN,
							 AVAILCAST_THRESHOLD_MAX),
};

static const struct nla_policy config_policy[AVAILCAST_CFG_A_MAX + 1] = {
	[AVAILCAST_CFG_A_NODE_ID] = { .type = NLA_NUL_STRING,
				      .len = AVAILCAST_NODE_ID_SIZE - 1 },
	[AVAILCAST_CFG_A_INTERVAL_MIN_MS] = NLA_POLICY_FULL_RANGE(NLA_U32,
								  &interval_range),
	[AVAILCAST_CFG_A_INTERVAL_MAX_MS] = NLA_POLICY_FULL_RANGE(NLA_U32,
								  &interval_range),
	[AVAILCAST_CFG_A_DELTA] = NLA_POLICY_RANGE(NLA_U32, AVAILCAST_DELTA_MIN,
						   AVAILCAST_DELTA_MAX),
	[AVAILCAST_CFG_A_THRESHOLDS] = NLA_POLICY_NESTED(threshold_policy),
	[AVAILCAST_CFG_A_TB_RATE] = NLA_POLICY_RANGE(NLA_U32, AVAILCAST_TOKENS_MIN,
						     AVAILCAST_TOKENS_MAX),
	[AVAILCAST_CFG_A_TB_BURST] = NLA_POLICY_RANGE(NLA_U32, AVAILCAST_TOKENS_MIN,
						      AVAILCAST_TOKENS_MAX),
	[AVAILCAST_CFG_A_AGGREGATION] = NLA_POLICY_RANGE(NLA_U32,
							 AVAILCAST_AGGREGATION_MIN,
							 AVAILCAST_AGGREGATION_MEAN),
	[AVAILCAST_CFG_A_SAMPLE_MS] = NLA_POLICY_FULL_RANGE(NLA_U32, &sample_range),
	[AVAILCAST_CFG_A_ALL_NETNS] = NLA_POLICY_MAX(NLA_U8, 1),
};

/* RESOURCE_GET: a name for do, an optional kind for dump. */
static const struct nla_policy resource_get_policy[AVAILCAST_RES_A_KIND + 1] = {
	[AVAILCAST_RES_A_NAME] = NAME_POLICY,
	[AVAILCAST_RES_A_KIND] = NLA_POLICY_RANGE(NLA_U32, AVAILCAST_RESOURCE_BUILTIN,
						  AVAILCAST_RESOURCE_POOL),
};

static const struct nla_policy pool_new_policy[AVAILCAST_RES_A_CAPACITY + 1] = {
	[AVAILCAST_RES_A_NAME] = NAME_POLICY,
	[AVAILCAST_RES_A_CAPACITY] = NLA_POLICY_FULL_RANGE(NLA_U64, &quantity_range),
};

static const struct nla_policy pool_del_policy[AVAILCAST_RES_A_NAME + 1] = {
	[AVAILCAST_RES_A_NAME] = NAME_POLICY,
};

static const struct nla_policy pool_amount_policy[AVAILCAST_RES_A_AMOUNT + 1] = {
	[AVAILCAST_RES_A_NAME] = NAME_POLICY,
	[AVAILCAST_RES_A_AMOUNT] = NLA_POLICY_FULL_RANGE(NLA_U64, &quantity_range),
};

/*
 * Whether the required attribute @type is missing. The core's check only
 * reports the missing type; @message (a literal) says it in words too.
 * Its locals must not be named like GENL_REQ_ATTR_CHECK()'s (__info).
 */
#define missing(info, type, message) ({					\
	struct genl_info *_missing_info = (info);			\
	bool _missing = GENL_REQ_ATTR_CHECK(_missing_info, type);	\
									\
	if (_missing)							\
		NL_SET_ERR_MSG(_missing_info->extack, message);		\
	_missing;							\
})

/* Starts a reply to @info with the request's command. */
static struct sk_buff *reply_new(struct genl_info *info, size_t size, void **hdr)
{
	struct sk_buff *msg;

	msg = genlmsg_new(size, GFP_KERNEL);
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

/* Ends and sends a reply that was filled with @err as the result. */
static int reply_send(struct sk_buff *msg, void *hdr, struct genl_info *info,
		      int err)
{
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/*
 * Who may read: availability is the host's. Any process of the initial
 * network namespace may read it, as it may read /proc/loadavg. Another
 * namespace (a container's) is shown it only when all_netns shares it
 * there, as it shares the broadcasts, or when the caller has CAP_NET_ADMIN
 * in the initial user namespace (and may change it anyway). Subscribing
 * needs no such check: broadcasts reach another namespace only with
 * all_netns (or a socket listening to all namespaces, which needs
 * CAP_NET_BROADCAST there). @request is the request's skb, whose socket
 * says where it came from and with whose credentials.
 */
static int availcast_nl_may_read(const struct sk_buff *request,
				 struct netlink_ext_ack *extack)
{
	bool shared;

	if (net_eq(sock_net(request->sk), &init_net))
		return 0;
	rcu_read_lock();
	shared = rcu_dereference(availcast_config)->all_netns;
	rcu_read_unlock();
	/* Asked last: a capability check may be logged by a security module. */
	if (shared || netlink_capable(request, CAP_NET_ADMIN))
		return 0;
	NL_SET_ERR_MSG(extack,
		       "another network namespace reads availability only when all_netns is on");
	return -EPERM;
}

static int availcast_nl_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct availcast_snapshot_meta meta = { .with_stats = true };
	struct availcast_resources *res;
	struct sk_buff *msg;
	void *hdr;
	int err;

	err = availcast_nl_may_read(skb, info->extack);
	if (err)
		return err;
	res = availcast_resources_read(false);
	if (!res)
		return -ENOMEM;
	availcast_emitter_meta(&meta);
	meta.timestamp_ns = ktime_get_ns();

	msg = reply_new(info, availcast_snapshot_size(res->n, true), &hdr);
	if (!msg) {
		kfree(res);
		return -ENOMEM;
	}
	err = availcast_snapshot_fill(msg, res, &meta);
	kfree(res);
	return reply_send(msg, hdr, info, err);
}

static int availcast_nl_resource_get_doit(struct sk_buff *skb,
					  struct genl_info *info)
{
	struct availcast_resources *res;
	struct sk_buff *msg;
	const char *name;
	unsigned int i;
	void *hdr;
	int err;

	err = availcast_nl_may_read(skb, info->extack);
	if (err)
		return err;
	if (missing(info, AVAILCAST_RES_A_NAME, "a resource name is required"))
		return -EINVAL;
	if (info->attrs[AVAILCAST_RES_A_KIND]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[AVAILCAST_RES_A_KIND],
				    "a kind filters dumps only");
		return -EINVAL;
	}
	name = nla_data(info->attrs[AVAILCAST_RES_A_NAME]);

	res = availcast_resources_read(false);
	if (!res)
		return -ENOMEM;
	for (i = 0; i < res->n && strcmp(res->view[i].name, name); i++)
		;
	if (i == res->n) {
		kfree(res);
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[AVAILCAST_RES_A_NAME],
				    "no resource with that name");
		return -ENOENT;
	}
	msg = reply_new(info, availcast_resource_size(), &hdr);
	if (!msg) {
		kfree(res);
		return -ENOMEM;
	}
	err = availcast_resource_fill(msg, &res->view[i]);
	kfree(res);
	return reply_send(msg, hdr, info, err);
}

/*
 * One message per resource, from index cb->args[0] on. The pool list may
 * change between the parts of a dump; the generation in cb->seq lets the
 * core flag the dump NLM_F_DUMP_INTR when it did.
 */
static int availcast_nl_resource_get_dumpit(struct sk_buff *skb,
					    struct netlink_callback *cb)
{
	const struct nlattr *kind = genl_info_dump(cb)->attrs[AVAILCAST_RES_A_KIND];
	struct availcast_resources *res;
	unsigned int i;
	void *hdr;
	int err;

	err = availcast_nl_may_read(cb->skb, cb->extack);
	if (err)
		return err;
	if (genl_info_dump(cb)->attrs[AVAILCAST_RES_A_NAME]) {
		NL_SET_ERR_MSG(cb->extack, "a dump takes no name: it lists them all");
		return -EINVAL;
	}
	res = availcast_resources_read(false);
	if (!res)
		return -ENOMEM;
	cb->seq = res->generation;

	for (i = cb->args[0]; i < res->n; i++) {
		if (kind && nla_get_u32(kind) != res->view[i].kind)
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &availcast_family,
				  NLM_F_MULTI, AVAILCAST_CMD_RESOURCE_GET);
		if (!hdr)
			break;
		genl_dump_check_consistent(cb, hdr);
		if (availcast_resource_fill(skb, &res->view[i])) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	cb->args[0] = i;
	kfree(res);
	return skb->len;
}

static int thresholds_fill(struct sk_buff *msg, const struct availcast_config *cfg)
{
	struct nlattr *nest = nla_nest_start(msg, AVAILCAST_CFG_A_THRESHOLDS);
	unsigned int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < cfg->n_thresholds; i++) {
		if (nla_put_u32(msg, AVAILCAST_THRESHOLD_A_LEVEL, cfg->thresholds[i]))
			return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

static int config_fill(struct sk_buff *msg, const struct availcast_config *cfg)
{
	const struct availcast_tunable *tunable;
	unsigned int i;
	int err;

	if (nla_put_string(msg, AVAILCAST_CFG_A_NODE_ID, cfg->node_id))
		return -EMSGSIZE;
	for (i = 0; i < availcast_n_tunables; i++) {
		tunable = &availcast_tunables[i];
		if (tunable->nla_type == NLA_U8)
			err = nla_put_u8(msg, tunable->attr,
					 availcast_tunable_get(cfg, tunable));
		else
			err = nla_put_u32(msg, tunable->attr,
					  availcast_tunable_get(cfg, tunable));
		if (err)
			return err;
	}
	return thresholds_fill(msg, cfg);
}

static int availcast_nl_config_get_doit(struct sk_buff *skb,
					struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;
	int err;

	err = availcast_nl_may_read(skb, info->extack);
	if (err)
		return err;
	msg = reply_new(info, NLMSG_GOODSIZE, &hdr);
	if (!msg)
		return -ENOMEM;
	rcu_read_lock();
	err = config_fill(msg, rcu_dereference(availcast_config));
	rcu_read_unlock();
	return reply_send(msg, hdr, info, err);
}

static int config_apply_thresholds(struct availcast_config *cfg,
				   const struct nlattr *nest,
				   struct netlink_ext_ack *extack)
{
	u32 levels[AVAILCAST_THRESHOLDS_MAX];
	const struct nlattr *attr;
	unsigned int n = 0;
	int rem;

	nla_for_each_nested(attr, nest, rem) {
		if (n == AVAILCAST_THRESHOLDS_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "at most 8 thresholds");
			return -EINVAL;
		}
		levels[n++] = nla_get_u32(attr);
	}
	return availcast_config_set_thresholds(cfg, levels, n, extack);
}

/* Applies every attribute of a CONFIG_SET to the private copy @cfg. */
static int config_apply_attrs(struct availcast_config *cfg, const void *arg,
			      struct netlink_ext_ack *extack)
{
	struct nlattr *const *attrs = arg;
	const struct availcast_tunable *tunable;
	struct nlattr *attr;
	unsigned int i;
	u32 value;
	int err;

	attr = attrs[AVAILCAST_CFG_A_NODE_ID];
	if (attr) {
		err = availcast_config_set_node_id(cfg, nla_data(attr), extack);
		if (err)
			goto bad_attr;
	}
	for (i = 0; i < availcast_n_tunables; i++) {
		tunable = &availcast_tunables[i];
		attr = attrs[tunable->attr];
		if (!attr)
			continue;
		value = tunable->nla_type == NLA_U8 ? nla_get_u8(attr) : nla_get_u32(attr);
		err = availcast_config_set_tunable(cfg, tunable, value, extack);
		if (err)
			goto bad_attr;
	}
	attr = attrs[AVAILCAST_CFG_A_THRESHOLDS];
	if (attr) {
		err = config_apply_thresholds(cfg, attr, extack);
		if (err)
			goto bad_attr;
	}
	return 0;

bad_attr:
	NL_SET_BAD_ATTR(extack, attr);
	return err;
}

static int availcast_nl_config_set_doit(struct sk_buff *skb,
					struct genl_info *info)
{
	return availcast_config_change(config_apply_attrs, info->attrs,
				       info->extack);
}

static int availcast_nl_pool_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	if (missing(info, AVAILCAST_RES_A_NAME, "a pool name is required") ||
	    missing(info, AVAILCAST_RES_A_CAPACITY, "a capacity is required"))
		return -EINVAL;
	return availcast_pool_user_create(nla_data(info->attrs[AVAILCAST_RES_A_NAME]),
					  nla_get_u64(info->attrs[AVAILCAST_RES_A_CAPACITY]),
					  info->extack);
}

static int availcast_nl_pool_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	if (missing(info, AVAILCAST_RES_A_NAME, "a pool name is required"))
		return -EINVAL;
	return availcast_pool_user_delete(nla_data(info->attrs[AVAILCAST_RES_A_NAME]),
					  info->extack);
}

/* CHARGE adds the amount, RELEASE takes it away. */
static int availcast_nl_pool_amount_doit(struct sk_buff *skb,
					 struct genl_info *info)
{
	s64 amount;

	if (missing(info, AVAILCAST_RES_A_NAME, "a pool name is required") ||
	    missing(info, AVAILCAST_RES_A_AMOUNT, "an amount is required"))
		return -EINVAL;
	amount = nla_get_u64(info->attrs[AVAILCAST_RES_A_AMOUNT]);
	if (info->genlhdr->cmd == AVAILCAST_CMD_POOL_RELEASE)
		amount = -amount;
	return availcast_pool_user_add(nla_data(info->attrs[AVAILCAST_RES_A_NAME]),
				       amount, info->extack);
}

static int availcast_nl_announce_doit(struct sk_buff *skb, struct genl_info *info)
{
	availcast_emitter_announce();
	return 0;
}

#ifndef AVAILCAST_HAVE_GENL_RESV_START_OP
/*
 * Kernels before 6.1 do not check, as newer ones do for every command at
 * or past the family's resv_start_op (genl_header_check(), and a policy
 * that rejects every attribute of a command without one), that a
 * request's header has no reserved field or ambiguous flag set and that
 * a command taking no attributes gets none: checked here, before a doit
 * (pre_doit) and before a dump (start), so that a request is refused
 * alike on every kernel, and changes nothing. Their core checks the
 * sender's privilege and the attributes first: such a request may be
 * refused there with another error.
 */
static int availcast_nl_check_header(const struct nlmsghdr *nlh,
				     struct netlink_ext_ack *extack)
{
	const struct genlmsghdr *hdr = nlmsg_data(nlh);
	u16 flags = nlh->nlmsg_flags;

	if (hdr->reserved) {
		NL_SET_ERR_MSG(extack, "genlmsghdr.reserved field is not 0");
		return -EINVAL;
	}
	/* NLM_F_DUMP is two bits, which mean other things alone. */
	if ((flags & NLM_F_DUMP) == NLM_F_DUMP)
		flags &= ~NLM_F_DUMP;
	if (flags & ~(NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO)) {
		NL_SET_ERR_MSG(extack, "ambiguous or reserved bits set in nlmsg_flags");
		return -EINVAL;
	}
	return 0;
}

static int availcast_nl_pre_doit(const struct genl_ops *ops, struct sk_buff *skb,
				 struct genl_info *info)
{
	int err = availcast_nl_check_header(info->nlhdr, info->extack);

	if (err)
		return err;
	if (!ops->policy && genlmsg_len(info->genlhdr)) {
		NL_SET_ERR_MSG(info->extack, "this command takes no attributes");
		return -EINVAL;
	}
	return 0;
}

/* The dump's start has no way to the extended ack there: the error says it. */
static int availcast_nl_dump_start(struct netlink_callback *cb)
{
	return availcast_nl_check_header(cb->nlh, cb->extack);
}
#endif

static const struct genl_ops availcast_ops[] = {
	{
		.cmd	= AVAILCAST_CMD_GET,
		.doit	= availcast_nl_get_doit,
	},
	{
		.cmd	= AVAILCAST_CMD_RESOURCE_GET,
		.doit	= availcast_nl_resource_get_doit,
		.dumpit	= availcast_nl_resource_get_dumpit,
#ifndef AVAILCAST_HAVE_GENL_RESV_START_OP
		.start	= availcast_nl_dump_start,
#endif
		.policy	= resource_get_policy,
		.maxattr = ARRAY_SIZE(resource_get_policy) - 1,
	},
	{
		.cmd	= AVAILCAST_CMD_CONFIG_GET,
		.doit	= availcast_nl_config_get_doit,
	},
	{
		.cmd	= AVAILCAST_CMD_CONFIG_SET,
		.doit	= availcast_nl_config_set_doit,
		.policy	= config_policy,
		.maxattr = AVAILCAST_CFG_A_MAX,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= AVAILCAST_CMD_POOL_NEW,
		.doit	= availcast_nl_pool_new_doit,
		.policy	= pool_new_policy,
		.maxattr = ARRAY_SIZE(pool_new_policy) - 1,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= AVAILCAST_CMD_POOL_DEL,
		.doit	= availcast_nl_pool_del_doit,
		.policy	= pool_del_policy,
		.maxattr = ARRAY_SIZE(pool_del_policy) - 1,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= AVAILCAST_CMD_POOL_CHARGE,
		.doit	= availcast_nl_pool_amount_doit,
		.policy	= pool_amount_policy,
		.maxattr = ARRAY_SIZE(pool_amount_policy) - 1,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= AVAILCAST_CMD_POOL_RELEASE,
		.doit	= availcast_nl_pool_amount_doit,
		.policy	= pool_amount_policy,
		.maxattr = ARRAY_SIZE(pool_amount_policy) - 1,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= AVAILCAST_CMD_ANNOUNCE,
		.doit	= availcast_nl_announce_doit,
		.flags	= GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group availcast_mcgrps[] = {
	{ .name = AVAILCAST_MCGRP_AVAIL },
};

#ifdef AVAILCAST_HAVE_GENL_BIND
/* A socket joins the group: a sleeping emitter wakes for it. */
static int availcast_nl_bind(int group)
{
	availcast_emitter_join();
	return 0;
}
#endif

static struct genl_family availcast_family __ro_after_init = {
	.name		= AVAILCAST_GENL_NAME,
	.version	= AVAILCAST_GENL_VERSION,
	.module		= THIS_MODULE,
	.netnsok	= true,
	.parallel_ops	= true,
	.ops		= availcast_ops,
	.n_ops		= ARRAY_SIZE(availcast_ops),
#ifdef AVAILCAST_HAVE_GENL_RESV_START_OP
	.resv_start_op	= AVAILCAST_CMD_GET,
#else
	.pre_doit	= availcast_nl_pre_doit,
#endif
	.mcgrps		= availcast_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(availcast_mcgrps),
#ifdef AVAILCAST_HAVE_GENL_BIND
	.bind		= availcast_nl_bind,
#endif
};

/*
 * The netlink core keeps one listener mask for every namespace, so a
 * subscriber elsewhere counts in the initial namespace's case too.
 */
static bool nl_listening(bool all_netns)
{
	struct net *net;
	bool listening = false;

	if (!all_netns)
		return genl_has_listeners(&availcast_family, &init_net, 0);

	rcu_read_lock();
	for_each_net_rcu(net) {
		if (genl_has_listeners(&availcast_family, net, 0)) {
			listening = true;
			break;
		}
	}
	rcu_read_unlock();
	return listening;
}

static struct sk_buff *nl_alloc(size_t size, gfp_t gfp)
{
	return genlmsg_new(size, gfp);
}

static void *nl_start(struct sk_buff *skb)
{
	return genlmsg_put(skb, 0, 0, &availcast_family, 0, AVAILCAST_CMD_NOTIFY);
}

static int nl_send(struct sk_buff *skb, void *hdr, bool all_netns)
{
	genlmsg_end(skb, hdr);
	if (all_netns)
		return genlmsg_multicast_allns(&availcast_family, skb, 0, 0);
	/* Listeners past the first get clones: made without waiting too. */
	return genlmsg_multicast_netns(&availcast_family, &init_net, skb, 0, 0,
				       GFP_ATOMIC);
}

const struct availcast_transport availcast_nl_transport = {
	.listening = nl_listening,
	.alloc = nl_alloc,
	.start = nl_start,
	.send = nl_send,
	.free = nlmsg_free,
};

int availcast_netlink_init(void)
{
	return genl_register_family(&availcast_family);
}

void availcast_netlink_exit(void)
{
	genl_unregister_family(&availcast_family);
}
