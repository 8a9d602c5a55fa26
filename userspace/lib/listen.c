// SPDX-License-Identifier: GPL-2.0
/*
 * A subscription to the family's broadcasts, on a socket of its own so
 * that requests and their replies never mix with broadcasts.
 */

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/socket.h>

#include "internal.h"

struct availcast_listener {
	struct nl_sock *sock;
	struct nl_cb *cb;
	/* Where the callback puts what it read: */
	struct availcast_snapshot *snapshot;
	struct availcast_error *error;
	bool got;
	/* availcast_listener_latest()'s: the newest datagram, and one to read into. */
	uint8_t *newest, *spare;
	ssize_t newest_len;
};

/* Room for the largest broadcast: 64 pools of resources take a few KiB. */
#define LISTENER_DATAGRAM (64 << 10)

/* Room for a burst of broadcasts while the reader is busy. */
#define LISTENER_BUFFER (1 << 20)

/* Broadcasts carry no sequence number of ours: take them all. */
static int any_sequence(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

static int on_broadcast(struct nl_msg *msg, void *arg)
{
	struct availcast_listener *listener = arg;
	struct genlmsghdr *ghdr = nlmsg_data(nlmsg_hdr(msg));

	if (listener->got || ghdr->cmd != AVAILCAST_CMD_NOTIFY)
		return NL_SKIP;
	if (!availcast_snapshot_parse(nlmsg_hdr(msg), listener->snapshot,
				      listener->error)) {
		listener->snapshot->received_ns = availcast_now_ns();
		listener->got = true;
	}
	return NL_OK;
}

int availcast_listen(struct availcast_listener **out,
		     struct availcast_error *error)
{
	struct availcast_listener *listener;
	int group, err;

	listener = calloc(1, sizeof(*listener));
	if (!listener)
		return availcast_error_set(error, ENOMEM, "out of memory");
	listener->sock = nl_socket_alloc();
	listener->cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!listener->sock || !listener->cb) {
		err = availcast_error_set(error, ENOMEM, "out of memory");
		goto fail;
	}
	err = genl_connect(listener->sock);
	if (err < 0) {
		err = availcast_libnl_error(error, err,
					    "cannot open a generic netlink socket");
		goto fail;
	}
	group = genl_ctrl_resolve_grp(listener->sock, AVAILCAST_GENL_NAME,
				      AVAILCAST_MCGRP_AVAIL);
	if (group < 0) {
		err = availcast_error_not_loaded(error);
		goto fail;
	}
	err = nl_socket_add_membership(listener->sock, group);
	if (err < 0) {
		err = availcast_libnl_error(error, err, "cannot subscribe");
		goto fail;
	}
	nl_socket_set_buffer_size(listener->sock, LISTENER_BUFFER, 0);
	nl_cb_set(listener->cb, NL_CB_VALID, NL_CB_CUSTOM, on_broadcast, listener);
	nl_cb_set(listener->cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, any_sequence, NULL);
	*out = listener;
	return 0;

fail:
	availcast_listener_close(listener);
	return err;
}

void availcast_listener_close(struct availcast_listener *listener)
{
	if (!listener)
		return;
	nl_cb_put(listener->cb);
	nl_socket_free(listener->sock);
	free(listener->newest);
	free(listener->spare);
	free(listener);
}

int availcast_listener_fd(const struct availcast_listener *listener)
{
	return nl_socket_get_fd(listener->sock);
}

int availcast_listener_next(struct availcast_listener *listener,
			    struct availcast_snapshot *snapshot, int timeout_ms,
			    struct availcast_error *error)
{
	struct pollfd pfd = { .fd = availcast_listener_fd(listener), .events = POLLIN };
	uint64_t deadline = availcast_now_ns() + (uint64_t)timeout_ms * 1000000;
	int err, wait_ms = timeout_ms;

	memset(snapshot, 0, sizeof(*snapshot));
	error->code = 0;
	listener->snapshot = snapshot;
	listener->error = error;
	listener->got = false;

	while (!listener->got) {
		if (timeout_ms >= 0) {
			uint64_t now = availcast_now_ns();

			wait_ms = now >= deadline ? 0 : (int)((deadline - now) / 1000000) + 1;
		}
		err = poll(&pfd, 1, wait_ms);
		if (err < 0) {
			if (errno == EINTR)
				return availcast_error_set(error, EINTR, "interrupted");
			return availcast_error_set(error, errno, "poll: %s", strerror(errno));
		}
		if (!err)
			return availcast_error_set(error, ETIMEDOUT,
						   "no broadcast within %d ms", timeout_ms);
		err = nl_recvmsgs(listener->sock, listener->cb);
		if (err == -NLE_NOMEM)
			return availcast_error_set(error, ENOBUFS,
						   "broadcasts were lost: the socket buffer overflowed");
		if (err < 0)
			return availcast_libnl_error(error, err, "receive");
		if (error->code)
			return error->code;
	}
	return 0;
}

/* The last broadcast in a datagram of @len bytes at @buf, or NULL. */
static const struct nlmsghdr *last_broadcast(const uint8_t *buf, ssize_t len)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf, *found = NULL;
	int left = (int)len;

	for (; nlmsg_ok(nlh, left); nlh = nlmsg_next((struct nlmsghdr *)nlh, &left)) {
		const struct genlmsghdr *ghdr = nlmsg_data(nlh);

		if (nlh->nlmsg_type >= NLMSG_MIN_TYPE &&
		    nlmsg_datalen(nlh) >= (int)sizeof(*ghdr) &&
		    ghdr->cmd == AVAILCAST_CMD_NOTIFY)
			found = nlh;
	}
	return found;
}

int availcast_listener_latest(struct availcast_listener *listener, unsigned int max,
			      struct availcast_snapshot *snapshot, uint64_t *skipped,
			      uint64_t *lost, struct availcast_error *error)
{
	int fd = availcast_listener_fd(listener);
	const struct nlmsghdr *nlh;
	unsigned int n;
	uint8_t *swap;
	ssize_t len;
	int err;

	memset(snapshot, 0, sizeof(*snapshot));
	error->code = 0;
	if (!listener->newest) {
		listener->newest = malloc(LISTENER_DATAGRAM);
		listener->spare = malloc(LISTENER_DATAGRAM);
		if (!listener->newest || !listener->spare)
			return availcast_error_set(error, ENOMEM, "out of memory");
	}
	listener->newest_len = 0;
	for (n = 0; n < max; n++) {
		len = recv(fd, listener->spare, LISTENER_DATAGRAM, MSG_DONTWAIT | MSG_TRUNC);
		if (len < 0 && errno == ENOBUFS) {
			(*lost)++;
			continue;
		}
		if (len < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (len < 0)
			return availcast_error_set(error, errno, "receive: %s", strerror(errno));
		if (len > LISTENER_DATAGRAM || !last_broadcast(listener->spare, len))
			continue;	/* not one of ours, or cut short: nothing to parse */
		if (listener->newest_len)
			(*skipped)++;
		swap = listener->newest;
		listener->newest = listener->spare;
		listener->spare = swap;
		listener->newest_len = len;
	}
	if (!listener->newest_len)
		return availcast_error_set(error, ETIMEDOUT, "no broadcast waiting");
	nlh = last_broadcast(listener->newest, listener->newest_len);
	err = availcast_snapshot_parse(nlh, snapshot, error);
	if (!err)
		snapshot->received_ns = availcast_now_ns();
	return err;
}
