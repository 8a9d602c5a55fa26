// SPDX-License-Identifier: GPL-2.0
/*
 * The connection to the availcast family: resolving it, sending a request
 * and collecting its replies, or the kernel's refusal with its
 * extended-ack message.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/socket.h>

#include "internal.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* What one request is waiting for. */
struct transaction {
	bool done;
	struct availcast_error *error;
	availcast_reply_fn on_reply;
	void *arg;
};

int availcast_libnl_error(struct availcast_error *error, int nle,
			  const char *what)
{
	int code;

	switch (-nle) {
	case NLE_NOMEM: code = ENOMEM; break;
	case NLE_PERM: code = EPERM; break;
	case NLE_OBJ_NOTFOUND: code = ENOENT; break;
	case NLE_OPNOTSUPP: code = EOPNOTSUPP; break;
	default: code = EIO; break;
	}
	return availcast_error_set(error, code, "%s: %s", what, nl_geterror(nle));
}

/* The extack message in the TLVs of an ack, from @offset on, or NULL. */
static const char *extack_message(struct nlmsghdr *nlh, size_t offset)
{
	struct nlattr *attr;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || offset >= nlh->nlmsg_len)
		return NULL;
	attr = nla_find((struct nlattr *)((char *)nlh + offset),
			nlh->nlmsg_len - offset, NLMSGERR_ATTR_MSG);
	if (!attr || nla_len(attr) < 1 ||
	    ((char *)nla_data(attr))[nla_len(attr) - 1] != '\0')
		return NULL;
	return nla_data(attr);
}

static void refused(struct transaction *tr, int code, const char *message)
{
	/* A refusal outranks a reply we could not parse. */
	availcast_error_set(tr->error, code, "%s",
			    message ? message : strerror(code));
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *nlerr, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)nlerr - NLMSG_HDRLEN);
	size_t offset = NLMSG_HDRLEN + sizeof(*nlerr);
	struct transaction *tr = arg;

	(void)who;
	/* Without NLM_F_CAPPED the kernel echoes our whole request first. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		offset += NLMSG_ALIGN(nlerr->msg.nlmsg_len) - NLMSG_HDRLEN;
	tr->done = true;
	if (nlerr->error)
		refused(tr, -nlerr->error, extack_message(nlh, offset));
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct transaction *tr = arg;

	(void)msg;
	tr->done = true;
	return NL_STOP;
}

/* The end of a dump, which carries the dump's status and maybe an extack. */
static int on_finish(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct transaction *tr = arg;
	int status = 0;

	tr->done = true;
	if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(status)))
		memcpy(&status, nlmsg_data(nlh), sizeof(status));
	if (status < 0)
		refused(tr, -status,
			extack_message(nlh, NLMSG_LENGTH(sizeof(status))));
	return NL_STOP;
}

/*
 * A reply that fails to parse is remembered, and reading goes on to the
 * ack: left unread, it would be taken for the answer to the next request.
 */
static int on_valid(struct nl_msg *msg, void *arg)
{
	struct transaction *tr = arg;

	if (tr->on_reply && !tr->error->code)
		tr->on_reply(nlmsg_hdr(msg), tr->arg, tr->error);
	return NL_OK;
}

int availcast_transact(struct availcast_client *client, struct nl_msg *msg,
		       availcast_reply_fn on_reply, void *arg,
		       struct availcast_error *error)
{
	struct transaction tr = {
		.error = error, .on_reply = on_reply, .arg = arg,
	};
	struct nl_cb *base, *cb;
	int err;

	error->code = 0;
	error->message[0] = '\0';
	/* nl_socket_get_cb() takes a reference; the clone is ours alone. */
	base = nl_socket_get_cb(client->sock);
	cb = nl_cb_clone(base);
	nl_cb_put(base);
	if (!cb) {
		nlmsg_free(msg);
		return availcast_error_set(error, ENOMEM, "out of memory");
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &tr);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &tr);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &tr);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &tr);

	err = nl_send_auto(client->sock, msg);
	nlmsg_free(msg);
	if (err < 0) {
		nl_cb_put(cb);
		return availcast_libnl_error(error, err, "send");
	}
	while (!tr.done) {
		err = nl_recvmsgs(client->sock, cb);
		if (err < 0) {
			if (!error->code)
				availcast_libnl_error(error, err, "receive");
			break;
		}
	}
	nl_cb_put(cb);
	return error->code;
}

int availcast_error_not_loaded(struct availcast_error *error)
{
	return availcast_error_set(error, ENOENT,
				   "the availcast module is not loaded (load it with: modprobe availcast, or insmod availcast.ko)");
}

struct nl_msg *availcast_request(struct availcast_client *client, uint8_t cmd,
				 int flags, struct availcast_error *error)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, client->family,
				 0, flags, cmd, AVAILCAST_GENL_VERSION)) {
		nlmsg_free(msg);
		availcast_error_set(error, ENOMEM, "out of memory");
		return NULL;
	}
	return msg;
}

int availcast_open(struct availcast_client **out, struct availcast_error *error)
{
	struct availcast_client *client;
	int one = 1;
	int err;

	client = calloc(1, sizeof(*client));
	if (!client)
		return availcast_error_set(error, ENOMEM, "out of memory");
	client->sock = nl_socket_alloc();
	if (!client->sock) {
		free(client);
		return availcast_error_set(error, ENOMEM, "out of memory");
	}
	err = genl_connect(client->sock);
	if (err < 0) {
		err = availcast_libnl_error(error, err,
					    "cannot open a generic netlink socket");
		goto fail;
	}
	/* Ask for the kernel's reasons, without an echo of our requests. */
	setsockopt(nl_socket_get_fd(client->sock), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(client->sock), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));

	client->family = genl_ctrl_resolve(client->sock, AVAILCAST_GENL_NAME);
	if (client->family < 0) {
		err = availcast_error_not_loaded(error);
		goto fail;
	}
	*out = client;
	return 0;

fail:
	nl_socket_free(client->sock);
	free(client);
	return err;
}

void availcast_close(struct availcast_client *client)
{
	if (!client)
		return;
	nl_socket_free(client->sock);
	free(client);
}

static int snapshot_reply(const struct nlmsghdr *nlh, void *arg,
			  struct availcast_error *error)
{
	struct availcast_snapshot *snapshot = arg;

	availcast_snapshot_free(snapshot);
	return availcast_snapshot_parse(nlh, snapshot, error);
}

int availcast_get(struct availcast_client *client,
		  struct availcast_snapshot *snapshot,
		  struct availcast_error *error)
{
	struct nl_msg *msg = availcast_request(client, AVAILCAST_CMD_GET, 0, error);

	memset(snapshot, 0, sizeof(*snapshot));
	if (!msg)
		return error->code;
	return availcast_transact(client, msg, snapshot_reply, snapshot, error);
}
