/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A raw generic netlink client for the selftests. It builds messages byte
 * by byte, so a test can send exactly the malformed input it means to, and
 * it returns the kernel's extended-ack text with every error.
 */
#ifndef _AVAILCAST_SELFTEST_GENL_H
#define _AVAILCAST_SELFTEST_GENL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#define GENL_MSG_SIZE 16384

struct genl_sock {
	int fd;
	uint32_t seq;
	uint16_t family_id;	/* of "availcast", once resolved */
	uint32_t mcgrp_id;	/* of its "avail" group */
};

struct genl_msg {
	union {
		struct nlmsghdr nlh;
		char buf[GENL_MSG_SIZE];
	};
	struct nlattr *nests[8];
	int depth;
};

/* A reply, or the error that came instead: */
struct genl_reply {
	int error;		/* 0, or the negative errno of the ack */
	char extack[256];	/* the kernel's message, "" if it sent none */
	uint32_t extack_offset;	/* offset of the offending attribute, or 0 */
	struct genl_msg msg;	/* the reply message, when error == 0 */
	bool has_msg;
};

/*
 * Opens a socket with extended acks. With @family, resolves it and its
 * first multicast group; returns -ENOENT when the family is not registered.
 */
int genl_open(struct genl_sock *sk, const char *family);
void genl_close(struct genl_sock *sk);

void genl_msg_init(struct genl_msg *msg, uint16_t type, uint8_t cmd,
		   uint16_t flags);
void genl_put(struct genl_msg *msg, uint16_t type, const void *data,
	      size_t len);
void genl_put_u8(struct genl_msg *msg, uint16_t type, uint8_t value);
void genl_put_u32(struct genl_msg *msg, uint16_t type, uint32_t value);
void genl_put_u64(struct genl_msg *msg, uint16_t type, uint64_t value);
void genl_put_str(struct genl_msg *msg, uint16_t type, const char *value);
void genl_nest_start(struct genl_msg *msg, uint16_t type);
void genl_nest_end(struct genl_msg *msg);

/* Sends @req with NLM_F_ACK and waits for its reply or ack. */
int genl_transact(struct genl_sock *sk, struct genl_msg *req,
		  struct genl_reply *reply);

/*
 * Sends @req as a dump and calls @each for every message of the reply.
 * Returns 0, or the negative errno of the kernel's refusal (with its
 * extack in @reply); *@interrupted tells whether NLM_F_DUMP_INTR was set.
 */
int genl_dump(struct genl_sock *sk, struct genl_msg *req,
	      void (*each)(const struct genl_msg *msg, void *arg), void *arg,
	      struct genl_reply *reply, bool *interrupted);

/* Sends @cmd with no attributes to the family; a shorthand for tests. */
int genl_simple(struct genl_sock *sk, uint8_t cmd, struct genl_reply *reply);

/* Joins the family's multicast group. */
int genl_subscribe(struct genl_sock *sk);

/* Waits up to @timeout_ms for a multicast message; -ETIMEDOUT if none. */
int genl_recv_mcast(struct genl_sock *sk, struct genl_msg *msg,
		    int timeout_ms);

#define GENL_ATTR_DATA(attr) ((void *)((char *)(attr) + NLA_HDRLEN))
#define GENL_ATTR_LEN(attr) ((size_t)(attr)->nla_len - NLA_HDRLEN)

/* Walks the well-formed attributes in [first, first + len). */
#define genl_for_each_attr(attr, first, len, rem)			\
	for ((attr) = (first), (rem) = (len);				\
	     (rem) >= NLA_HDRLEN && (attr)->nla_len >= NLA_HDRLEN &&	\
	     (attr)->nla_len <= (rem);					\
	     (rem) -= (size_t)NLA_ALIGN((attr)->nla_len) < (rem) ?	\
		      (size_t)NLA_ALIGN((attr)->nla_len) : (rem),	\
	     (attr) = (const void *)((const char *)(attr) +		\
				     NLA_ALIGN((attr)->nla_len)))

/* The attributes of a generic netlink message: first and length. */
#define GENL_MSG_ATTRS(msg)						\
	((const struct nlattr *)((const char *)NLMSG_DATA(&(msg)->nlh) + GENL_HDRLEN))
#define GENL_MSG_ATTRLEN(msg) ((msg)->nlh.nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN))

/* The first top-level attribute of @type in @msg, or NULL. */
struct nlattr *genl_attr(const struct genl_msg *msg, uint16_t type);
/* The first attribute of @type nested in @nest, or NULL. */
struct nlattr *genl_nested(const struct nlattr *nest, uint16_t type);

uint32_t genl_attr_u32(const struct nlattr *attr);
uint64_t genl_attr_u64(const struct nlattr *attr);
const char *genl_attr_str(const struct nlattr *attr);

#endif /* _AVAILCAST_SELFTEST_GENL_H */
