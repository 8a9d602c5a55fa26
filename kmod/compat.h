/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shims for kernel API differences, chosen by the header probes in Kbuild
 * and force-included into every file, so that the rest of the module is
 * written against one API: the newest. Each shim includes the header it
 * completes first, so that its macros cannot rewrite that header.
 */
#ifndef _AVAILCAST_COMPAT_H
#define _AVAILCAST_COMPAT_H

/* Every message of the module names it; defined before printk.h is read. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hrtimer.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <net/netlink.h>

/* Newer kernels set a timer up with hrtimer_setup() and drop hrtimer_init(). */
#ifndef AVAILCAST_HAVE_HRTIMER_SETUP
static inline void hrtimer_setup(struct hrtimer *timer,
				 enum hrtimer_restart (*function)(struct hrtimer *),
				 clockid_t clock_id, enum hrtimer_mode mode)
{
	hrtimer_init(timer, clock_id, mode);
	timer->function = function;
}
#endif

/*
 * Newer kernels (7.x) name the shared unbound workqueue system_dfl_wq, and
 * note each use of its old name, system_unbound_wq, as deprecated.
 */
#ifndef AVAILCAST_HAVE_SYSTEM_DFL_WQ
#define system_dfl_wq system_unbound_wq
#endif

/*
 * Newer kernels (Debian's 6.12) give a dump's parsed attributes in a struct
 * genl_info; older ones (6.1) in a struct genl_dumpit_info, also ->attrs.
 */
#ifndef AVAILCAST_HAVE_GENL_INFO_DUMP
#define genl_info_dump(cb) genl_dumpit_info(cb)
#endif

/*
 * Newer kernels dropped the gfp_t argument, and stable ones followed:
 * Debian's 6.1 has the new form, so only a probe can tell. The old form
 * walks the namespaces with for_each_net_rcu() but leaves the RCU read
 * lock to its caller, so it must be called under it, and allocate
 * atomically there; the new form does both itself (upstream's "genetlink:
 * hold RCU in genlmsg_mcast()").
 */
#ifdef AVAILCAST_ALLNS_TAKES_GFP
static inline int availcast_genlmsg_multicast_allns(const struct genl_family *family,
						    struct sk_buff *skb, u32 portid,
						    unsigned int group)
{
	int err;

	rcu_read_lock();
	err = genlmsg_multicast_allns(family, skb, portid, group, GFP_ATOMIC);
	rcu_read_unlock();
	return err;
}

#define genlmsg_multicast_allns availcast_genlmsg_multicast_allns
#endif

/*
 * Older kernels (before 6.1) have no check of a required attribute that
 * names the missing one in the extended ack: only whether it is there.
 * The caller's message still says which.
 */
#ifndef GENL_REQ_ATTR_CHECK
#define GENL_REQ_ATTR_CHECK(info, attr) (!(info)->attrs[(attr)])
#endif

/*
 * Newer kernels (Debian's 6.12) point policies at const range validations;
 * older ones (6.1) take a non-const pointer, which they only read.
 */
#ifndef AVAILCAST_HAVE_CONST_POLICY_RANGE
#undef NLA_POLICY_FULL_RANGE
#define NLA_POLICY_FULL_RANGE(tp, _range) {				\
	.type = NLA_ENSURE_UINT_OR_BINARY_TYPE(tp),			\
	.validation_type = NLA_VALIDATE_RANGE_PTR,			\
	.range = (struct netlink_range_validation *)(_range),		\
}
#endif

#endif /* _AVAILCAST_COMPAT_H */
