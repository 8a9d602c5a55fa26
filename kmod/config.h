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
	struct rcu_head rcu;
};

extern struct availcast_config __rcu *availcast_config;

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

int availcast_config_set_node_id(struct availcast_config *cfg,
				 const void *node_id,
				 struct netlink_ext_ack *extack);

int availcast_config_init(void);
void availcast_config_exit(void);

#endif /* _AVAILCAST_CONFIG_H */
