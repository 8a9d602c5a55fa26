// SPDX-License-Identifier: GPL-2.0
/*
 * The tunables: defaults, validation, and the one way to change them.
 */

#include <linux/ctype.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/utsname.h>
#include <linux/uuid.h>
#include <net/netlink.h>

#include "config.h"
#include "news.h"

static char *node_id;
module_param(node_id, charp, 0);
MODULE_PARM_DESC(node_id,
		 "Node id at load time (default: the host name, else a random UUID)");

#define NODE_ID_RULE "node id must be 1 to 63 characters of A-Z a-z 0-9 and " \
	AVAILCAST_NAME_PUNCT

struct availcast_config __rcu *availcast_config;

/* Serialises writers; readers only take rcu_read_lock(). */
static DEFINE_MUTEX(availcast_config_lock);

static const char *const aggregation_names[] = { "min", "mean" };

#define TUNABLE(_name, _attr, _type, _min, _max) {			\
	.name = #_name, .attr = _attr, .nla_type = _type,		\
	.offset = offsetof(struct availcast_config, _name),		\
	.min = _min, .max = _max,					\
}

const struct availcast_tunable availcast_tunables[] = {
	TUNABLE(interval_min_ms, AVAILCAST_CFG_A_INTERVAL_MIN_MS, NLA_U32,
		AVAILCAST_INTERVAL_MS_MIN, AVAILCAST_INTERVAL_MS_MAX),
	TUNABLE(interval_max_ms, AVAILCAST_CFG_A_INTERVAL_MAX_MS, NLA_U32,
		AVAILCAST_INTERVAL_MS_MIN, AVAILCAST_INTERVAL_MS_MAX),
	TUNABLE(delta, AVAILCAST_CFG_A_DELTA, NLA_U32,
		AVAILCAST_DELTA_MIN, AVAILCAST_DELTA_MAX),
	TUNABLE(tb_rate, AVAILCAST_CFG_A_TB_RATE, NLA_U32,
		AVAILCAST_TOKENS_MIN, AVAILCAST_TOKENS_MAX),
	TUNABLE(tb_burst, AVAILCAST_CFG_A_TB_BURST, NLA_U32,
		AVAILCAST_TOKENS_MIN, AVAILCAST_TOKENS_MAX),
	{
		.name = "aggregation", .attr = AVAILCAST_CFG_A_AGGREGATION,
		.nla_type = NLA_U32,
		.offset = offsetof(struct availcast_config, aggregation),
		.min = AVAILCAST_AGGREGATION_MIN,
		.max = AVAILCAST_AGGREGATION_MEAN,
		.names = aggregation_names,
	},
	TUNABLE(sample_ms, AVAILCAST_CFG_A_SAMPLE_MS, NLA_U32,
		AVAILCAST_SAMPLE_MS_MIN, AVAILCAST_SAMPLE_MS_MAX),
	TUNABLE(all_netns, AVAILCAST_CFG_A_ALL_NETNS, NLA_U8, 0, 1),
};

const unsigned int availcast_n_tunables = ARRAY_SIZE(availcast_tunables);

static const struct availcast_config defaults = {
	.interval_min_ms = 100,
	.interval_max_ms = 1000,
	.delta = 100,
	.thresholds = { 100, 250, 500 },
	.n_thresholds = 3,
	.tb_rate = 10,
	.tb_burst = 10,
	.aggregation = AVAILCAST_AGGREGATION_MIN,
	.sample_ms = 100,
	.all_netns = 0,
};

bool availcast_name_valid(const char *name, size_t size)
{
	size_t len = strnlen(name, size);
	size_t i;

	if (len == 0 || len == size)
		return false;
	for (i = 0; i < len; i++) {
		/* ASCII alone: the kernel's isalnum() takes Latin-1 letters. */
		if (!(isascii(name[i]) && isalnum(name[i])) &&
		    !strchr(AVAILCAST_NAME_PUNCT, name[i]))
			return false;
	}
	return true;
}

int availcast_config_set_node_id(struct availcast_config *cfg,
				 const char *node_id,
				 struct netlink_ext_ack *extack)
{
	if (!availcast_name_valid(node_id, sizeof(cfg->node_id))) {
		NL_SET_ERR_MSG(extack, NODE_ID_RULE);
		return -EINVAL;
	}
	strscpy(cfg->node_id, node_id, sizeof(cfg->node_id));
	return 0;
}

int availcast_config_set_tunable(struct availcast_config *cfg,
				 const struct availcast_tunable *tunable,
				 u32 value, struct netlink_ext_ack *extack)
{
	if (value < tunable->min || value > tunable->max) {
		NL_SET_ERR_MSG(extack, "value out of range");
		return -EINVAL;
	}
	*(u32 *)((char *)cfg + tunable->offset) = value;
	return 0;
}

int availcast_config_set_thresholds(struct availcast_config *cfg,
				    const u32 *levels, unsigned int n,
				    struct netlink_ext_ack *extack)
{
	unsigned int i;

	if (n > AVAILCAST_THRESHOLDS_MAX)
		goto invalid;
	for (i = 0; i < n; i++) {
		if (levels[i] < AVAILCAST_THRESHOLD_MIN ||
		    levels[i] > AVAILCAST_THRESHOLD_MAX ||
		    (i && levels[i] <= levels[i - 1]))
			goto invalid;
	}
	memcpy(cfg->thresholds, levels, n * sizeof(*levels));
	cfg->n_thresholds = n;
	return 0;

invalid:
	NL_SET_ERR_MSG(extack,
		       "thresholds must be at most 8 levels of 1 to 999, strictly ascending");
	return -EINVAL;
}

/* Rules between values, checked after every edit. */
static int config_validate(const struct availcast_config *cfg,
			   struct netlink_ext_ack *extack)
{
	if (cfg->interval_min_ms > cfg->interval_max_ms) {
		NL_SET_ERR_MSG(extack,
			       "interval_min_ms must not exceed interval_max_ms");
		return -EINVAL;
	}
	return 0;
}

int availcast_config_change(availcast_config_edit_t edit, const void *arg,
			    struct netlink_ext_ack *extack)
{
	struct availcast_config *old, *new;
	int err;

	mutex_lock(&availcast_config_lock);
	old = rcu_dereference_protected(availcast_config,
					lockdep_is_held(&availcast_config_lock));
	new = kmemdup(old, sizeof(*old), GFP_KERNEL);
	if (!new) {
		err = -ENOMEM;
		goto out;
	}
	err = edit(new, arg, extack);
	if (!err)
		err = config_validate(new, extack);
	if (err) {
		kfree(new);
		goto out;
	}
	rcu_assign_pointer(availcast_config, new);
	kfree_rcu(old, rcu);
out:
	mutex_unlock(&availcast_config_lock);
	if (!err) {
		/* Shorter periods take effect now, not after the old ones. */
		availcast_news_config();
	}
	return err;
}

/*
 * The host name is what an operator recognises in a host table, and it is
 * set before modules-load.d runs on a systemd host. Without one (an early
 * initramfs), or with one that is not a node id (64 bytes, or a byte the
 * rule does not allow), a random UUID is stable for as long as the module
 * is loaded; the second case is said, since the id changes at each load.
 */
static void default_node_id(struct availcast_config *cfg)
{
	const char *host = init_utsname()->nodename;
	uuid_t uuid;

	if (strcmp(host, "(none)") &&
	    !availcast_config_set_node_id(cfg, host, NULL))
		return;
	uuid_gen(&uuid);
	snprintf(cfg->node_id, sizeof(cfg->node_id), "%pUb", &uuid);
	if (strcmp(host, "(none)"))
		pr_warn("host name '%*pE' is not a node id (1 to 63 of A-Z a-z 0-9 and %s): node id %s until unloaded; set node_id\n",
			(int)strlen(host), host, AVAILCAST_NAME_PUNCT, cfg->node_id);
}

int availcast_config_init(void)
{
	struct availcast_config *cfg;
	int err;

	cfg = kmemdup(&defaults, sizeof(defaults), GFP_KERNEL);
	if (!cfg)
		return -ENOMEM;

	if (node_id) {
		err = availcast_config_set_node_id(cfg, node_id, NULL);
		if (err) {
			pr_err("node_id='%*pE' refused: " NODE_ID_RULE "\n",
			       (int)strlen(node_id), node_id);
			kfree(cfg);
			return err;
		}
	} else {
		default_node_id(cfg);
	}

	rcu_assign_pointer(availcast_config, cfg);
	return 0;
}

void availcast_config_exit(void)
{
	/* Nothing reads the configuration any more: the interfaces are gone. */
	kfree(rcu_dereference_protected(availcast_config, true));
	RCU_INIT_POINTER(availcast_config, NULL);
}
