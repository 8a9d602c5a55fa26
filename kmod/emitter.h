/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _AVAILCAST_EMITTER_H
#define _AVAILCAST_EMITTER_H

#include <linux/gfp.h>
#include <linux/types.h>

struct availcast_snapshot_meta;
struct sk_buff;

/*
 * How messages reach subscribers, given to the emitter by main.c (netlink.c
 * has the one there is). None of these sleeps: the emitter calls them on
 * the way to a deadline, under rcu_read_lock().
 */
struct availcast_transport {
	/* Whether anyone is subscribed: in the initial namespace, or in any. */
	bool (*listening)(bool all_netns);
	/* A message with room for @size bytes of snapshot; NULL without memory. */
	struct sk_buff *(*alloc)(size_t size, gfp_t gfp);
	/* Starts the message in @skb: its header, or NULL if there is no room. */
	void *(*start)(struct sk_buff *skb);
	/* Ends and sends it (consumed): 0, -ESRCH when nobody heard, or an error. */
	int (*send)(struct sk_buff *skb, void *hdr, bool all_netns);
	/* Frees a message never sent. */
	void (*free)(struct sk_buff *skb);
};

/* Allocates what broadcasting needs ahead: 0 or -ENOMEM. */
int availcast_emitter_init(const struct availcast_transport *transport);
void availcast_emitter_start(void);
void availcast_emitter_shutdown(void);
void availcast_emitter_exit(void);

/* A level made news: broadcast now, as the token bucket allows. Any context. */
void availcast_emitter_kick(void);
/* An administrator asked for a broadcast (ANNOUNCE). Any context. */
void availcast_emitter_announce(void);
/* The configuration changed: plan with it. Any context. */
void availcast_emitter_replan(void);
/* A socket is joining the multicast group. Any context. */
void availcast_emitter_join(void);

/* Sequence, last deadline and counters, for GET replies. */
void availcast_emitter_meta(struct availcast_snapshot_meta *meta);

#endif /* _AVAILCAST_EMITTER_H */
