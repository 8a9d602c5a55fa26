// SPDX-License-Identifier: GPL-2.0
/*
 * The availcast family's requests and broadcasts for the selftests: see
 * family.h.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "family.h"

uint64_t ac_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void get_str(const struct nlattr *attr, char *out, size_t size)
{
	snprintf(out, size, "%.*s", (int)GENL_ATTR_LEN(attr),
		 (const char *)GENL_ATTR_DATA(attr));
}

int ac_parse_resource(const struct nlattr *first, size_t len,
		      struct ac_resource *res)
{
	const struct nlattr *attr;
	size_t rem;

	memset(res, 0, sizeof(*res));
	genl_for_each_attr(attr, first, len, rem) {
		int type = attr->nla_type & NLA_TYPE_MASK;

		res->present |= 1u << type;
		switch (type) {
		case AVAILCAST_RES_A_NAME:
			get_str(attr, res->name, sizeof(res->name));
			break;
		case AVAILCAST_RES_A_KIND:
			res->kind = genl_attr_u32(attr);
			break;
		case AVAILCAST_RES_A_CAPACITY:
			res->capacity = genl_attr_u64(attr);
			break;
		case AVAILCAST_RES_A_USED:
			res->used = (int64_t)genl_attr_u64(attr);
			break;
		case AVAILCAST_RES_A_LEVEL:
			res->level = genl_attr_u32(attr);
			break;
		}
	}
	return res->present & (1u << AVAILCAST_RES_A_NAME) ? 0 : -EPROTO;
}

static void parse_stats(const struct nlattr *nest, struct ac_snapshot *snap)
{
	const struct nlattr *attr;
	size_t rem;

	genl_for_each_attr(attr, (const struct nlattr *)GENL_ATTR_DATA(nest),
			   GENL_ATTR_LEN(nest), rem) {
		switch (attr->nla_type & NLA_TYPE_MASK) {
		case AVAILCAST_STATS_A_SENT:
			snap->sent = genl_attr_u64(attr);
			break;
		case AVAILCAST_STATS_A_SUPPRESSED:
			snap->suppressed = genl_attr_u64(attr);
			break;
		case AVAILCAST_STATS_A_FAILED:
			snap->failed = genl_attr_u64(attr);
			break;
		case AVAILCAST_STATS_A_UNHEARD:
			snap->unheard = genl_attr_u64(attr);
			break;
		}
	}
}

int ac_parse_snapshot(const struct genl_msg *msg, struct ac_snapshot *snap)
{
	const struct nlattr *attr;
	size_t rem;

	memset(snap, 0, sizeof(*snap));
	snap->received_ns = ac_now_ns();
	genl_for_each_attr(attr, GENL_MSG_ATTRS(msg), GENL_MSG_ATTRLEN(msg), rem) {
		int type = attr->nla_type & NLA_TYPE_MASK;

		snap->present |= 1u << type;
		switch (type) {
		case AVAILCAST_A_NODE_ID:
			get_str(attr, snap->node_id, sizeof(snap->node_id));
			break;
		case AVAILCAST_A_SEQ:
			snap->seq = genl_attr_u64(attr);
			break;
		case AVAILCAST_A_TIMESTAMP_NS:
			snap->timestamp_ns = genl_attr_u64(attr);
			break;
		case AVAILCAST_A_NEXT_DEADLINE_NS:
			snap->deadline_ns = genl_attr_u64(attr);
			break;
		case AVAILCAST_A_LEVEL:
			snap->level = genl_attr_u32(attr);
			break;
		case AVAILCAST_A_REASON:
			snap->reason = genl_attr_u32(attr);
			break;
		case AVAILCAST_A_STATS:
			parse_stats(attr, snap);
			break;
		case AVAILCAST_A_RESOURCE:
			if (snap->n_resources == AC_RESOURCES_MAX ||
			    ac_parse_resource(GENL_ATTR_DATA(attr),
					      GENL_ATTR_LEN(attr),
					      &snap->resources[snap->n_resources]))
				return -EPROTO;
			snap->n_resources++;
			break;
		}
	}
	return 0;
}

const struct ac_resource *ac_find(const struct ac_snapshot *snap,
				  const char *name)
{
	int i;

	for (i = 0; i < snap->n_resources; i++) {
		if (!strcmp(snap->resources[i].name, name))
			return &snap->resources[i];
	}
	return NULL;
}

int ac_get(struct genl_sock *sk, struct ac_snapshot *snap,
	   struct genl_reply *reply)
{
	int err = genl_simple(sk, AVAILCAST_CMD_GET, reply);

	if (err)
		return err;
	return ac_parse_snapshot(&reply->msg, snap);
}

int ac_next_broadcast(struct genl_sock *sk, struct ac_snapshot *snap,
		      int timeout_ms)
{
	static struct genl_msg msg;
	int err;

	err = genl_recv_mcast(sk, &msg, timeout_ms);
	if (err)
		return err;
	return ac_parse_snapshot(&msg, snap);
}

int ac_config_set_u32(struct genl_sock *sk, uint16_t attr, uint32_t value,
		      struct genl_reply *reply)
{
	struct genl_msg req;

	genl_msg_init(&req, sk->family_id, AVAILCAST_CMD_CONFIG_SET, 0);
	genl_put_u32(&req, attr, value);
	return genl_transact(sk, &req, reply);
}

int ac_config_set_u8(struct genl_sock *sk, uint16_t attr, uint8_t value,
		     struct genl_reply *reply)
{
	struct genl_msg req;

	genl_msg_init(&req, sk->family_id, AVAILCAST_CMD_CONFIG_SET, 0);
	genl_put_u8(&req, attr, value);
	return genl_transact(sk, &req, reply);
}

int ac_config_set_thresholds(struct genl_sock *sk, const uint32_t *levels,
			     int n, struct genl_reply *reply)
{
	struct genl_msg req;
	int i;

	genl_msg_init(&req, sk->family_id, AVAILCAST_CMD_CONFIG_SET, 0);
	genl_nest_start(&req, AVAILCAST_CFG_A_THRESHOLDS);
	for (i = 0; i < n; i++)
		genl_put_u32(&req, AVAILCAST_THRESHOLD_A_LEVEL, levels[i]);
	genl_nest_end(&req);
	return genl_transact(sk, &req, reply);
}

int ac_config_save(struct genl_sock *sk, struct genl_msg *saved)
{
	static struct genl_reply reply;
	int err = genl_simple(sk, AVAILCAST_CMD_CONFIG_GET, &reply);

	if (!err)
		memcpy(saved->buf, reply.msg.buf, reply.msg.nlh.nlmsg_len);
	return err;
}

/* CONFIG_GET replies and CONFIG_SET requests carry the same attributes. */
int ac_config_restore(struct genl_sock *sk, const struct genl_msg *saved)
{
	static struct genl_reply reply;
	static struct genl_msg req;
	size_t len = GENL_MSG_ATTRLEN(saved);

	genl_msg_init(&req, sk->family_id, AVAILCAST_CMD_CONFIG_SET, 0);
	memcpy(req.buf + req.nlh.nlmsg_len, GENL_MSG_ATTRS(saved), len);
	req.nlh.nlmsg_len += len;
	return genl_transact(sk, &req, &reply);
}

int ac_pool_new(struct genl_sock *sk, const char *name, uint64_t capacity,
		struct genl_reply *reply)
{
	struct genl_msg req;

	genl_msg_init(&req, sk->family_id, AVAILCAST_CMD_POOL_NEW, 0);
	genl_put_str(&req, AVAILCAST_RES_A_NAME, name);
	genl_put_u64(&req, AVAILCAST_RES_A_CAPACITY, capacity);
	return genl_transact(sk, &req, reply);
}

int ac_pool_del(struct genl_sock *sk, const char *name,
		struct genl_reply *reply)
{
	struct genl_msg req;

	genl_msg_init(&req, sk->family_id, AVAILCAST_CMD_POOL_DEL, 0);
	genl_put_str(&req, AVAILCAST_RES_A_NAME, name);
	return genl_transact(sk, &req, reply);
}

int ac_pool_add(struct genl_sock *sk, const char *name, int64_t amount,
		struct genl_reply *reply)
{
	struct genl_msg req;

	genl_msg_init(&req, sk->family_id,
		      amount >= 0 ? AVAILCAST_CMD_POOL_CHARGE : AVAILCAST_CMD_POOL_RELEASE,
		      0);
	genl_put_str(&req, AVAILCAST_RES_A_NAME, name);
	genl_put_u64(&req, AVAILCAST_RES_A_AMOUNT,
		     amount >= 0 ? (uint64_t)amount : (uint64_t)-amount);
	return genl_transact(sk, &req, reply);
}

int ac_resource_get(struct genl_sock *sk, const char *name,
		    struct ac_resource *res, struct genl_reply *reply)
{
	struct genl_msg req;
	int err;

	genl_msg_init(&req, sk->family_id, AVAILCAST_CMD_RESOURCE_GET, 0);
	genl_put_str(&req, AVAILCAST_RES_A_NAME, name);
	err = genl_transact(sk, &req, reply);
	if (err)
		return err;
	return ac_parse_resource(GENL_MSG_ATTRS(&reply->msg),
				 GENL_MSG_ATTRLEN(&reply->msg), res);
}
