// SPDX-License-Identifier: GPL-2.0
/*
 * availcast: broadcasts this host's resource availability over generic
 * netlink. See Documentation/ for what it does and how to drive it.
 *
 * The order of init and exit is what makes unloading safe: nothing is
 * started before what it calls exists, and on the way out every source of
 * work (sysfs writers, the sampler, netlink requests) is gone before the
 * code it would run.
 */

#include <linux/module.h>
#include <net/genetlink.h>
#include <uapi/linux/availcast.h>

#include "config.h"
#include "emitter.h"
#include "netlink.h"
#include "news.h"
#include "pool.h"
#include "sampler.h"
#include "sysfs.h"

/* Shorter periods take effect now, not after the old ones. */
static void availcast_replan(void)
{
	availcast_emitter_replan();
	availcast_sampler_replan();
}

/*
 * News from below goes to the emitter and the sampler. A kick before the
 * emitter starts is dropped by it: the first broadcast carries the levels.
 */
static const struct availcast_news_ops availcast_news_ops = {
	.level = availcast_emitter_kick,
	.config = availcast_replan,
};

static int __init availcast_init(void)
{
	int err;

	availcast_news_init(&availcast_news_ops);
	err = availcast_config_init();
	if (err)
		return err;
	err = availcast_sampler_init();
	if (err)
		goto err_config;
	err = availcast_emitter_init(&availcast_nl_transport);
	if (err)
		goto err_sampler;
	err = availcast_netlink_init();
	if (err)
		goto err_emitter;
	availcast_emitter_start();
	err = availcast_sysfs_init();
	if (err)
		goto err_netlink;
	return 0;

err_netlink:
	availcast_emitter_shutdown();
	availcast_netlink_exit();
	availcast_pools_exit();
err_emitter:
	availcast_emitter_exit();
err_sampler:
	availcast_sampler_exit();
err_config:
	availcast_config_exit();
	return err;
}

static void __exit availcast_exit(void)
{
	availcast_sysfs_exit();		/* no more configuration writes */
	availcast_sampler_exit();	/* no more sampler kicks */
	availcast_emitter_shutdown();	/* the last broadcast: shutdown */
	availcast_netlink_exit();	/* waits for requests in flight */
	availcast_emitter_exit();	/* cancels what they queued */
	availcast_pools_exit();
	availcast_config_exit();
}

module_init(availcast_init);
module_exit(availcast_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Host availability broadcast over generic netlink");
MODULE_VERSION(AVAILCAST_VERSION);
MODULE_ALIAS_GENL_FAMILY(AVAILCAST_GENL_NAME);
