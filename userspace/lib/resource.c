// SPDX-License-Identifier: GPL-2.0
/*
 * Resources and pools: listing and reading them, creating, deleting,
 * charging and releasing pools, and asking for a broadcast.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/genl/genl.h>

#include "internal.h"

struct nla_policy availcast_resource_policy[AVAILCAST_RES_A_MAX + 1] = {
	[AVAILCAST_RES_A_NAME]		= { .type = NLA_STRING,
					    .maxlen = AVAILCAST_NAME_SIZE },
	[AVAILCAST_RES_A_KIND]		= { .type = NLA_U32 },
	[AVAILCAST_RES_A_CAPACITY]	= { .type = NLA_U64 },
	[AVAILCAST_RES_A_USED]		= { .type = NLA_U64 },
	[AVAILCAST_RES_A_LEVEL]		= { .type = NLA_U32 },
};

int availcast_resource_from_attrs(struct nlattr **tb,
				  struct availcast_resource *res,
				  struct availcast_error *error)
{
	memset(res, 0, sizeof(*res));
	if (!tb[AVAILCAST_RES_A_NAME])
		return availcast_error_set(error, EINVAL, "malformed resource");
	snprintf(res->name, sizeof(res->name), "%s",
		 nla_get_string(tb[AVAILCAST_RES_A_NAME]));
	if (tb[AVAILCAST_RES_A_KIND])
		res->kind = nla_get_u32(tb[AVAILCAST_RES_A_KIND]);
	if (tb[AVAILCAST_RES_A_CAPACITY])
		res->capacity = nla_get_u64(tb[AVAILCAST_RES_A_CAPACITY]);
	if (tb[AVAILCAST_RES_A_USED])
		res->used = (int64_t)nla_get_u64(tb[AVAILCAST_RES_A_USED]);
	if (tb[AVAILCAST_RES_A_LEVEL])
		res->level = nla_get_u32(tb[AVAILCAST_RES_A_LEVEL]);
	return 0;
}

/* A RESOURCE_GET reply: the resource's attributes at the top level. */
static int resource_reply(const struct nlmsghdr *nlh,
			  struct availcast_resource *res,
			  struct availcast_error *error)
{
	struct nlattr *tb[AVAILCAST_RES_A_MAX + 1];

	if (genlmsg_parse((struct nlmsghdr *)nlh, 0, tb, AVAILCAST_RES_A_MAX,
			  availcast_resource_policy))
		return availcast_error_set(error, EINVAL, "malformed resource");
	return availcast_resource_from_attrs(tb, res, error);
}

static int one_resource(const struct nlmsghdr *nlh, void *arg,
			struct availcast_error *error)
{
	return resource_reply(nlh, arg, error);
}

int availcast_resource(struct availcast_client *client, const char *name,
		       struct availcast_resource *resource,
		       struct availcast_error *error)
{
	struct nl_msg *msg;

	msg = availcast_request(client, AVAILCAST_CMD_RESOURCE_GET, 0, error);
	if (!msg)
		return error->code;
	if (nla_put_string(msg, AVAILCAST_RES_A_NAME, name)) {
		nlmsg_free(msg);
		return availcast_error_set(error, ENAMETOOLONG, "name too long");
	}
	return availcast_transact(client, msg, one_resource, resource, error);
}

struct resource_list {
	struct availcast_resource *items;
	size_t n, allocated;
};

static int append_resource(const struct nlmsghdr *nlh, void *arg,
			   struct availcast_error *error)
{
	struct resource_list *list = arg;
	struct availcast_resource *grown;

	if (list->n == list->allocated) {
		list->allocated = list->allocated ? 2 * list->allocated : 8;
		grown = realloc(list->items, list->allocated * sizeof(*grown));
		if (!grown)
			return availcast_error_set(error, ENOMEM, "out of memory");
		list->items = grown;
	}
	return resource_reply(nlh, &list->items[list->n++], error);
}

int availcast_resources(struct availcast_client *client, uint32_t kind,
			struct availcast_resource **resources, size_t *n,
			struct availcast_error *error)
{
	struct resource_list list = { 0 };
	struct nl_msg *msg;
	int err;

	msg = availcast_request(client, AVAILCAST_CMD_RESOURCE_GET, NLM_F_DUMP,
				error);
	if (!msg)
		return error->code;
	if (kind && nla_put_u32(msg, AVAILCAST_RES_A_KIND, kind)) {
		nlmsg_free(msg);
		return availcast_error_set(error, ENOMEM, "out of memory");
	}
	err = availcast_transact(client, msg, append_resource, &list, error);
	if (err) {
		free(list.items);
		return err;
	}
	*resources = list.items;
	*n = list.n;
	return 0;
}

/* Sends @cmd about the pool @name, with a u64 @value in @attr unless 0. */
static int pool_request(struct availcast_client *client, uint8_t cmd,
			const char *name, uint16_t attr, uint64_t value,
			struct availcast_error *error)
{
	struct nl_msg *msg = availcast_request(client, cmd, 0, error);

	if (!msg)
		return error->code;
	if (nla_put_string(msg, AVAILCAST_RES_A_NAME, name) ||
	    (attr && nla_put_u64(msg, attr, value))) {
		nlmsg_free(msg);
		return availcast_error_set(error, ENAMETOOLONG, "name too long");
	}
	return availcast_transact(client, msg, NULL, NULL, error);
}

int availcast_pool_create(struct availcast_client *client, const char *name,
			  uint64_t capacity, struct availcast_error *error)
{
	return pool_request(client, AVAILCAST_CMD_POOL_NEW, name,
			    AVAILCAST_RES_A_CAPACITY, capacity, error);
}

int availcast_pool_delete(struct availcast_client *client, const char *name,
			  struct availcast_error *error)
{
	return pool_request(client, AVAILCAST_CMD_POOL_DEL, name, 0, 0, error);
}

int availcast_pool_charge(struct availcast_client *client, const char *name,
			  uint64_t amount, struct availcast_error *error)
{
	return pool_request(client, AVAILCAST_CMD_POOL_CHARGE, name,
			    AVAILCAST_RES_A_AMOUNT, amount, error);
}

int availcast_pool_release(struct availcast_client *client, const char *name,
			   uint64_t amount, struct availcast_error *error)
{
	return pool_request(client, AVAILCAST_CMD_POOL_RELEASE, name,
			    AVAILCAST_RES_A_AMOUNT, amount, error);
}

int availcast_announce(struct availcast_client *client,
		       struct availcast_error *error)
{
	struct nl_msg *msg;

	msg = availcast_request(client, AVAILCAST_CMD_ANNOUNCE, 0, error);
	if (!msg)
		return error->code;
	return availcast_transact(client, msg, NULL, NULL, error);
}
