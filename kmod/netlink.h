/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _AVAILCAST_NETLINK_H
#define _AVAILCAST_NETLINK_H

#include <linux/skbuff.h>

int availcast_netlink_init(void);
void availcast_netlink_exit(void);

/*
 * Whether anyone is subscribed: in the initial namespace, or in any. The
 * netlink core keeps one listener mask for every namespace, so a
 * subscriber elsewhere counts in the first case too.
 */
bool availcast_nl_listening(bool all_netns);
/*
 * Starts a NOTIFY message in @skb (from genlmsg_new()); NULL if it has no
 * room for the header.
 */
void *availcast_nl_broadcast_put(struct sk_buff *skb);
/*
 * Ends and multicasts it (consumed); -ESRCH when nobody listened. Never
 * sleeps: callable under rcu_read_lock().
 */
int availcast_nl_broadcast(struct sk_buff *skb, void *hdr, bool all_netns);

#endif /* _AVAILCAST_NETLINK_H */
