// SPDX-License-Identifier: GPL-2.0
/*
 * availcast: broadcasts this host's resource availability over generic
 * netlink. See Documentation/ for what it does and how to drive it.
 */

#include <linux/module.h>
#include <net/genetlink.h>
#include <uapi/linux/availcast.h>

#include "config.h"
#include "netlink.h"
#include "sysfs.h"

static int __init availcast_init(void)
{
	int err;

	err = availcast_config_init();
	if (err)
		return err;
	err = availcast_sysfs_init();
	if (err)
		goto err_config;
	err = availcast_netlink_init();
	if (err)
		goto err_sysfs;
	return 0;

err_sysfs:
	availcast_sysfs_exit();
err_config:
	availcast_config_exit();
	return err;
}

/* The reverse of init: no interface outlives what it reads. */
static void __exit availcast_exit(void)
{
	availcast_netlink_exit();
	availcast_sysfs_exit();
	availcast_config_exit();
}

module_init(availcast_init);
module_exit(availcast_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Host availability broadcast over generic netlink");
MODULE_ALIAS_GENL_FAMILY(AVAILCAST_GENL_NAME);
