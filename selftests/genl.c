// SPDX-License-Identifier: GPL-2.0
/*
 * A raw generic netlink client for the selftests: see genl.h.
 */

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "genl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

static struct nlattr *msg_tail(struct genl_msg *msg)
{
	return (struct nlattr *)(msg->buf + NLMSG_ALIGN(msg->nlh.nlmsg_len));
}

void genl_msg_init(struct genl_msg *msg, uint16_t type, uint8_t cmd,
		   uint16_t flags)
{
	struct genlmsghdr *genl;

	memset(msg, 0, sizeof(*msg));
	msg->nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	msg->nlh.nlmsg_type = type;
	msg->nlh.nlmsg_flags = NLM_F_REQUEST | flags;
	genl = NLMSG_DATA(&msg->nlh);
	genl->cmd = cmd;
	genl->version = 1;
}

void genl_put(struct genl_msg *msg, uint16_t type, const void *data,
	      size_t len)
{
	struct nlattr *attr = msg_tail(msg);

	if (NLMSG_ALIGN(msg->nlh.nlmsg_len) + NLA_HDRLEN + NLA_ALIGN(len) >
	    sizeof(msg->buf))
		return;	/* tests never need more; a short message then fails */
	attr->nla_type = type;
	attr->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy(GENL_ATTR_DATA(attr), data, len);
	msg->nlh.nlmsg_len = NLMSG_ALIGN(msg->nlh.nlmsg_len) +
			     NLA_ALIGN(attr->nla_len);
}

void genl_put_u8(struct genl_msg *msg, uint16_t type, uint8_t value)
{
	genl_put(msg, type, &value, sizeof(value));
}

void genl_put_u32(struct genl_msg *msg, uint16_t type, uint32_t value)
{
	genl_put(msg, type, &value, sizeof(value));
}

void genl_put_u64(struct genl_msg *msg, uint16_t type, uint64_t value)
{
	genl_put(msg, type, &value, sizeof(value));
}

void genl_put_str(struct genl_msg *msg, uint16_t type, const char *value)
{
	genl_put(msg, type, value, strlen(value) + 1);
}

void genl_nest_start(struct genl_msg *msg, uint16_t type)
{
	msg->nests[msg->depth++] = msg_tail(msg);
	genl_put(msg, type | NLA_F_NESTED, NULL, 0);
}

void genl_nest_end(struct genl_msg *msg)
{
	struct nlattr *nest = msg->nests[--msg->depth];

	nest->nla_len = (char *)msg_tail(msg) - (char *)nest;
}

static struct nlattr *find_attr(const void *start, size_t len, uint16_t type)
{
	const struct nlattr *attr;
	size_t rem;

	genl_for_each_attr(attr, (const struct nlattr *)start, len, rem) {
		if ((attr->nla_type & NLA_TYPE_MASK) == type)
			return (struct nlattr *)attr;
	}
	return NULL;
}

struct nlattr *genl_attr(const struct genl_msg *msg, uint16_t type)
{
	return find_attr(GENL_MSG_ATTRS(msg), GENL_MSG_ATTRLEN(msg), type);
}

struct nlattr *genl_nested(const struct nlattr *nest, uint16_t type)
{
	return find_attr(GENL_ATTR_DATA(nest), nest->nla_len - NLA_HDRLEN, type);
}

uint32_t genl_attr_u32(const struct nlattr *attr)
{
	uint32_t value;

	memcpy(&value, GENL_ATTR_DATA(attr), sizeof(value));
	return value;
}

uint64_t genl_attr_u64(const struct nlattr *attr)
{
	uint64_t value;

	memcpy(&value, GENL_ATTR_DATA(attr), sizeof(value));
	return value;
}

const char *genl_attr_str(const struct nlattr *attr)
{
	return GENL_ATTR_DATA(attr);
}

/* The extack TLVs of an ack, from @offset on. */
static void parse_ack_tlvs(const struct nlmsghdr *nlh, size_t offset,
			   struct genl_reply *reply)
{
	const struct nlattr *attr;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || nlh->nlmsg_len <= offset)
		return;
	attr = find_attr((const char *)nlh + offset, nlh->nlmsg_len - offset,
			 NLMSGERR_ATTR_MSG);
	if (attr)
		snprintf(reply->extack, sizeof(reply->extack), "%s",
			 (const char *)GENL_ATTR_DATA(attr));
	attr = find_attr((const char *)nlh + offset, nlh->nlmsg_len - offset,
			 NLMSGERR_ATTR_OFFS);
	if (attr)
		reply->extack_offset = genl_attr_u32(attr);
}

/* Fills @reply from an NLMSG_ERROR sent with NETLINK_CAP_ACK. */
static void parse_ack(const struct nlmsghdr *nlh, struct genl_reply *reply)
{
	const struct nlmsgerr *err = NLMSG_DATA(nlh);

	reply->error = err->error;
	parse_ack_tlvs(nlh, NLMSG_LENGTH(sizeof(*err)), reply);
}

/* An NLMSG_DONE ends a dump with its status, and maybe an extack. */
static void parse_done(const struct nlmsghdr *nlh, struct genl_reply *reply)
{
	int status = 0;

	if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(status)))
		memcpy(&status, NLMSG_DATA(nlh), sizeof(status));
	reply->error = status < 0 ? status : 0;
	parse_ack_tlvs(nlh, NLMSG_LENGTH(sizeof(status)), reply);
}

/*
 * Sends @req with @flags and reads what answers it, passing each reply
 * message to @each, up to the ack (NLMSG_ERROR) or the end of a dump
 * (NLMSG_DONE). Returns 0 or the negative errno of the answer.
 */
static int exchange(struct genl_sock *sk, struct genl_msg *req, uint16_t flags,
		    void (*each)(const struct nlmsghdr *nlh, void *arg), void *arg,
		    struct genl_reply *reply)
{
	char buf[GENL_MSG_SIZE];
	ssize_t len;

	memset(reply, 0, sizeof(*reply));
	req->nlh.nlmsg_flags |= flags;
	req->nlh.nlmsg_seq = ++sk->seq;
	if (send(sk->fd, req->buf, req->nlh.nlmsg_len, 0) < 0)
		return -errno;

	for (;;) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

		len = recv(sk->fd, buf, sizeof(buf), 0);
		if (len < 0)
			return -errno;
		for (; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
			if (nlh->nlmsg_seq != sk->seq)
				continue;	/* a broadcast, or a stale reply */
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				parse_ack(nlh, reply);
				return reply->error;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				parse_done(nlh, reply);
				return reply->error;
			}
			if (nlh->nlmsg_len <= GENL_MSG_SIZE)
				each(nlh, arg);
		}
	}
}

static void keep_reply(const struct nlmsghdr *nlh, void *arg)
{
	struct genl_reply *reply = arg;

	memcpy(reply->msg.buf, nlh, nlh->nlmsg_len);
	reply->has_msg = true;
}

int genl_transact(struct genl_sock *sk, struct genl_msg *req,
		  struct genl_reply *reply)
{
	return exchange(sk, req, NLM_F_ACK, keep_reply, reply, reply);
}

struct dump {
	void (*each)(const struct genl_msg *msg, void *arg);
	void *arg;
	bool *interrupted;
};

static void dump_part(const struct nlmsghdr *nlh, void *arg)
{
	static struct genl_msg part;
	struct dump *dump = arg;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		*dump->interrupted = true;
	memcpy(part.buf, nlh, nlh->nlmsg_len);
	dump->each(&part, dump->arg);
}

int genl_dump(struct genl_sock *sk, struct genl_msg *req,
	      void (*each)(const struct genl_msg *msg, void *arg), void *arg,
	      struct genl_reply *reply, bool *interrupted)
{
	struct dump dump = { .each = each, .arg = arg, .interrupted = interrupted };

	*interrupted = false;
	return exchange(sk, req, NLM_F_DUMP, dump_part, &dump, reply);
}

int genl_simple(struct genl_sock *sk, uint8_t cmd, struct genl_reply *reply)
{
	struct genl_msg req;

	genl_msg_init(&req, sk->family_id, cmd, 0);
	return genl_transact(sk, &req, reply);
}

static int resolve(struct genl_sock *sk, const char *family)
{
	struct genl_reply *reply;
	struct genl_msg req;
	struct nlattr *attr, *grp;
	int err;

	reply = calloc(1, sizeof(*reply));
	if (!reply)
		return -ENOMEM;
	genl_msg_init(&req, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	genl_put_str(&req, CTRL_ATTR_FAMILY_NAME, family);
	err = genl_transact(sk, &req, reply);
	if (!err && !reply->has_msg)
		err = -EPROTO;
	if (!err) {
		attr = genl_attr(&reply->msg, CTRL_ATTR_FAMILY_ID);
		if (attr)
			memcpy(&sk->family_id, GENL_ATTR_DATA(attr), sizeof(uint16_t));
		attr = genl_attr(&reply->msg, CTRL_ATTR_MCAST_GROUPS);
		grp = attr ? genl_nested(attr, 1) : NULL;
		attr = grp ? genl_nested(grp, CTRL_ATTR_MCAST_GRP_ID) : NULL;
		if (attr)
			sk->mcgrp_id = genl_attr_u32(attr);
		if (!sk->family_id)
			err = -EPROTO;
	}
	free(reply);
	return err;
}

int genl_open(struct genl_sock *sk, const char *family)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK };
	int one = 1;
	int err;

	memset(sk, 0, sizeof(*sk));
	sk->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (sk->fd < 0)
		return -errno;
	if (bind(sk->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    setsockopt(sk->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) < 0 ||
	    setsockopt(sk->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)) < 0) {
		err = -errno;
		close(sk->fd);
		return err;
	}
	if (!family)
		return 0;
	err = resolve(sk, family);
	if (err)
		close(sk->fd);
	return err;
}

void genl_close(struct genl_sock *sk)
{
	close(sk->fd);
	sk->fd = -1;
}

int genl_subscribe(struct genl_sock *sk)
{
	if (setsockopt(sk->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
		       &sk->mcgrp_id, sizeof(sk->mcgrp_id)) < 0)
		return -errno;
	return 0;
}

int genl_recv_mcast(struct genl_sock *sk, struct genl_msg *msg,
		    int timeout_ms)
{
	struct pollfd pfd = { .fd = sk->fd, .events = POLLIN };
	ssize_t len;

	for (;;) {
		int ready = poll(&pfd, 1, timeout_ms);

		if (ready < 0)
			return -errno;
		if (ready == 0)
			return -ETIMEDOUT;
		len = recv(sk->fd, msg->buf, sizeof(msg->buf), 0);
		if (len < 0)
			return -errno;
		if (NLMSG_OK(&msg->nlh, len) && msg->nlh.nlmsg_seq == 0 &&
		    msg->nlh.nlmsg_type == sk->family_id)
			return 0;
	}
}
