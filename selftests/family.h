/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The availcast family's requests and broadcasts for the selftests, over
 * the raw client of genl.h. Requests return 0 or a negative errno, with
 * the reply or the kernel's extended-ack text in @reply.
 */
#ifndef _AVAILCAST_SELFTEST_FAMILY_H
#define _AVAILCAST_SELFTEST_FAMILY_H

#include <linux/availcast.h>

#include "genl.h"

#define AC_RESOURCES_MAX 80

struct ac_resource {
	char name[AVAILCAST_NAME_SIZE];
	uint32_t kind;
	uint64_t capacity;
	int64_t used;
	uint32_t level;
	unsigned int present;	/* bit per AVAILCAST_RES_A_* received */
};

/* A broadcast or a GET reply, parsed. */
struct ac_snapshot {
	char node_id[AVAILCAST_NODE_ID_SIZE];
	uint64_t seq, timestamp_ns, deadline_ns;
	uint32_t level, reason;
	uint64_t sent, suppressed, failed, unheard;
	unsigned int present;	/* bit per AVAILCAST_A_* received */
	uint64_t received_ns;	/* CLOCK_MONOTONIC when it was read */
	int n_resources;
	struct ac_resource resources[AC_RESOURCES_MAX];
};

uint64_t ac_now_ns(void);

int ac_parse_snapshot(const struct genl_msg *msg, struct ac_snapshot *snap);
int ac_parse_resource(const struct nlattr *first, size_t len,
		      struct ac_resource *res);
/* The resource named @name in @snap, or NULL. */
const struct ac_resource *ac_find(const struct ac_snapshot *snap,
				  const char *name);

int ac_get(struct genl_sock *sk, struct ac_snapshot *snap,
	   struct genl_reply *reply);
/* Waits up to @timeout_ms for the next broadcast on a subscribed socket. */
int ac_next_broadcast(struct genl_sock *sk, struct ac_snapshot *snap,
		      int timeout_ms);

int ac_config_set_u32(struct genl_sock *sk, uint16_t attr, uint32_t value,
		      struct genl_reply *reply);
int ac_config_set_u8(struct genl_sock *sk, uint16_t attr, uint8_t value,
		     struct genl_reply *reply);
int ac_config_set_thresholds(struct genl_sock *sk, const uint32_t *levels,
			     int n, struct genl_reply *reply);
/* Saves the configuration (a CONFIG_GET reply), and puts it back. */
int ac_config_save(struct genl_sock *sk, struct genl_msg *saved);
int ac_config_restore(struct genl_sock *sk, const struct genl_msg *saved);

int ac_pool_new(struct genl_sock *sk, const char *name, uint64_t capacity,
		struct genl_reply *reply);
int ac_pool_del(struct genl_sock *sk, const char *name,
		struct genl_reply *reply);
/* Charges @amount if positive, releases -@amount if negative. */
int ac_pool_add(struct genl_sock *sk, const char *name, int64_t amount,
		struct genl_reply *reply);
int ac_resource_get(struct genl_sock *sk, const char *name,
		    struct ac_resource *res, struct genl_reply *reply);

#endif /* _AVAILCAST_SELFTEST_FAMILY_H */
