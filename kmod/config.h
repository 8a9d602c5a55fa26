/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _AVAILCAST_CONFIG_H
#define _AVAILCAST_CONFIG_H

#include <linux/netlink.h>
#include <linux/rcupdate.h>
#include <uapi/linux/availcast.h>

/*
 * The tunables, published as one immutable object under RCU: readers see a
 * consistent set without a lock, and a change made of several values (a
 * netlink CONFIG_SET) is applied whole or not at all.
 */
struct availcast_config {
	char node_id[AVAILCAST_NODE_ID_SIZE];
	u32 interval_min_ms;	/* period at full availability */
	u32 interval_max_ms;	/* period at zero availability */
	u32 delta;		/* level change that sends a message at once */
	u32 thresholds[AVAILCAST_THRESHOLDS_MAX];	/* ascending */
	u32 n_thresholds;
	u32 tb_rate;		/* immediate messages per second, sustained */
	u32 tb_burst;		/* immediate messages in a burst */
	u32 aggregation;	/* enum availcast_aggregation */
	u32 sample_ms;		/* built-in resources' sampling period */
	u32 all_netns;		/* 1: broadcast to, and be read from, every netns */
	struct rcu_head rcu;
};

extern struct availcast_config __rcu *availcast_config;

/*
 * A numeric tunable: one u32 of struct availcast_config, one sysfs file
 * and one netlink attribute, with the bounds both interfaces enforce.
 */
struct availcast_tunable {
	const char *name;		/* the sysfs file */
	u16 attr;			/* AVAILCAST_CFG_A_* */
	u8 nla_type;			/* NLA_U32 or NLA_U8 */
	size_t offset;			/* of the u32 in the config */
	u32 min, max;
	const char *const *names;	/* enumerations: names[value - min] */
};

extern const struct availcast_tunable availcast_tunables[];
extern const unsigned int availcast_n_tunables;

static inline u32 availcast_tunable_get(const struct availcast_config *cfg,
					const struct availcast_tunable *tunable)
{
	return *(const u32 *)((const char *)cfg + tunable->offset);
}

/*
 * Edits a private copy of the configuration. Returns 0 to publish the copy,
 * or a negative errno (with a message in @extack when there is one) to drop
 * it and leave the configuration unchanged.
 */
typedef int (*availcast_config_edit_t)(struct availcast_config *cfg,
				       const void *arg,
				       struct netlink_ext_ack *extack);

int availcast_config_change(availcast_config_edit_t edit, const void *arg,
			    struct netlink_ext_ack *extack);

/* Setters for edits: each validates its value and changes only @cfg. */
int availcast_config_set_node_id(struct availcast_config *cfg,
				 const char *node_id,
				 struct netlink_ext_ack *extack);
int availcast_config_set_tunable(struct availcast_config *cfg,
				 const struct availcast_tunable *tunable,
				 u32 value, struct netlink_ext_ack *extack);
int availcast_config_set_thresholds(struct availcast_config *cfg,
				    const u32 *levels, unsigned int n,
				    struct netlink_ext_ack *extack);

/* Whether @name is a name (<uapi/linux/availcast.h>) for a buffer of @size. */
bool availcast_name_valid(const char *name, size_t size);

int availcast_config_init(void);
void availcast_config_exit(void);

#endif /* _AVAILCAST_CONFIG_H */
