// SPDX-License-Identifier: GPL-2.0
/*
 * The tunables: defaults, validation, and the one way to change them.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/utsname.h>
#include <linux/uuid.h>

#include "config.h"

static char *node_id;
module_param(node_id, charp, 0);
MODULE_PARM_DESC(node_id,
		 "Node id at load time (default: the host name, else a random UUID)");

#define NODE_ID_RULE "node id must be 1 to 63 characters of A-Z a-z 0-9 - . _ :"

struct availcast_config __rcu *availcast_config;

/* Serialises writers; readers only take rcu_read_lock(). */
static DEFINE_MUTEX(availcast_config_lock);

static bool node_id_valid(const char *id)
{
	size_t len = strnlen(id, AVAILCAST_NODE_ID_SIZE);
	size_t i;

	if (len == 0 || len == AVAILCAST_NODE_ID_SIZE)
		return false;
	for (i = 0; i < len; i++) {
		if (!isalnum(id[i]) && !strchr("-._:", id[i]))
			return false;
	}
	return true;
}

int availcast_config_set_node_id(struct availcast_config *cfg,
				 const void *node_id,
				 struct netlink_ext_ack *extack)
{
	if (!node_id_valid(node_id)) {
		NL_SET_ERR_MSG(extack, NODE_ID_RULE);
		return -EINVAL;
	}
	strscpy(cfg->node_id, node_id, sizeof(cfg->node_id));
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
	if (err) {
		kfree(new);
		goto out;
	}
	rcu_assign_pointer(availcast_config, new);
	kfree_rcu(old, rcu);
out:
	mutex_unlock(&availcast_config_lock);
	return err;
}

/*
 * The host name is what an operator recognises in a host table, and it is
 * set before modules-load.d runs on a systemd host. Without one (an early
 * initramfs), a random UUID is stable for as long as the module is loaded.
 */
static void default_node_id(struct availcast_config *cfg)
{
	const char *host = init_utsname()->nodename;
	uuid_t uuid;

	if (strcmp(host, "(none)") && !availcast_config_set_node_id(cfg, host, NULL))
		return;
	uuid_gen(&uuid);
	snprintf(cfg->node_id, sizeof(cfg->node_id), "%pUb", &uuid);
}

int availcast_config_init(void)
{
	struct availcast_config *cfg;
	int err;

	cfg = kzalloc(sizeof(*cfg), GFP_KERNEL);
	if (!cfg)
		return -ENOMEM;

	if (node_id) {
		err = availcast_config_set_node_id(cfg, node_id, NULL);
		if (err) {
			pr_err("node_id=%s refused: " NODE_ID_RULE "\n", node_id);
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
