/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the library's files share and its users do not see.
 */
#ifndef AVAILCAST_LIB_INTERNAL_H
#define AVAILCAST_LIB_INTERNAL_H

#include <netlink/attr.h>
#include <netlink/msg.h>

#include "availcast.h"

struct availcast_client {
	struct nl_sock *sock;
	int family;
};

/* Called for each reply message; a non-zero return is kept as the error. */
typedef int (*availcast_reply_fn)(const struct nlmsghdr *nlh, void *arg,
				  struct availcast_error *error);

/* A request for @cmd; @flags may add NLM_F_DUMP. NULL when out of memory. */
struct nl_msg *availcast_request(struct availcast_client *client, uint8_t cmd,
				 int flags, struct availcast_error *error);

/*
 * Sends @msg (consumed) and reads its replies up to the ack or the end of
 * the dump. Returns 0 or a positive errno with @error filled.
 */
int availcast_transact(struct availcast_client *client, struct nl_msg *msg,
		       availcast_reply_fn on_reply, void *arg,
		       struct availcast_error *error);

/* Turns a libnl error (negative NLE_*) into an errno with a message. */
int availcast_libnl_error(struct availcast_error *error, int nle,
			  const char *what);

/* ENOENT, with a message saying how to load the module. */
int availcast_error_not_loaded(struct availcast_error *error);

/* A resource's attributes (@tb indexed by AVAILCAST_RES_A_*) into @res. */
int availcast_resource_from_attrs(struct nlattr **tb,
				  struct availcast_resource *res,
				  struct availcast_error *error);
extern struct nla_policy availcast_resource_policy[AVAILCAST_RES_A_MAX + 1];

#endif /* AVAILCAST_LIB_INTERNAL_H */
