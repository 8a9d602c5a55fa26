/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _AVAILCAST_EMITTER_H
#define _AVAILCAST_EMITTER_H

struct availcast_snapshot_meta;

/* Allocates what broadcasting needs ahead: 0 or -ENOMEM. */
int availcast_emitter_init(void);
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
