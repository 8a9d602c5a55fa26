// SPDX-License-Identifier: GPL-2.0
/*
 * A subscription to the family's broadcasts, on a socket of its own so
 * that requests and their replies never mix with broadcasts. The socket
 * also hears the generic netlink controller's notices: when the module
 * is unloaded its family goes, and with it the subscription, silently;
 * a family registered again (the module loaded again) has a new id and
 * group, which only a new subscription hears.
 */

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/socket.h>
#include <linux/genetlink.h>

#include "internal.h"

struct availcast_listener {
	struct nl_sock *sock;
	struct nl_cb *cb;
	int family;		/* the id the family had when subscribed */
	bool gone;		/* the controller said the family was removed */
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

/* Whether @nlh is the controller's notice that family @family is gone. */
static bool family_removed(const struct nlmsghdr *nlh, int family)
{
	struct nlattr *attrs[CTRL_ATTR_MAX + 1];
	const struct genlmsghdr *ghdr = nlmsg_data(nlh);

	if (nlh->nlmsg_type != GENL_ID_CTRL || nlmsg_datalen(nlh) < (int)sizeof(*ghdr) ||
	    ghdr->cmd != CTRL_CMD_DELFAMILY)
		return false;
	if (genlmsg_parse((struct nlmsghdr *)nlh, 0, attrs, CTRL_ATTR_MAX, NULL) < 0 ||
	    !attrs[CTRL_ATTR_FAMILY_ID])
		return false;
	return nla_get_u16(attrs[CTRL_ATTR_FAMILY_ID]) == family;
}

static int gone(struct availcast_error *error)
{
	return availcast_error_set(error, ENODEV, "the availcast module was unloaded");
}

/*
 * After broadcasts were lost to an overflow, a notice may have been
 * lost with them: asks the controller, on a socket of its own (this one
 * is for multicast), whether the family still has the id subscribed to.
 */
static bool family_still_there(const struct availcast_listener *listener)
{
	struct nl_sock *sock = nl_socket_alloc();
	bool there = true;

	if (sock && !genl_connect(sock))
		there = genl_ctrl_resolve(sock, AVAILCAST_GENL_NAME) == listener->family;
	nl_socket_free(sock);
	return there;
}

static int on_broadcast(struct nl_msg *msg, void *arg)
{
	struct availcast_listener *listener = arg;
	struct genlmsghdr *ghdr = nlmsg_data(nlmsg_hdr(msg));

	if (family_removed(nlmsg_hdr(msg), listener->family)) {
		listener->gone = true;
		gone(listener->error);
		return NL_STOP;
	}
	if (listener->got || nlmsg_hdr(msg)->nlmsg_type != listener->family ||
	    ghdr->cmd != AVAILCAST_CMD_NOTIFY)
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
	int group, controller, err;

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
	listener->family = genl_ctrl_resolve(listener->sock, AVAILCAST_GENL_NAME);
	group = genl_ctrl_resolve_grp(listener->sock, AVAILCAST_GENL_NAME,
				      AVAILCAST_MCGRP_AVAIL);
	if (listener->family < 0 || group < 0) {
		err = availcast_error_not_loaded(error);
		goto fail;
	}
	controller = genl_ctrl_resolve_grp(listener->sock, "nlctrl", "notify");
	if (controller < 0) {
		err = availcast_libnl_error(error, controller,
					    "cannot find the generic netlink controller's notices");
		goto fail;
	}
	err = nl_socket_add_memberships(listener->sock, group, controller, 0);
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

/*
 * Whether the module is loaded and through its init, seen without asking
 * the controller. Built in, it has no initstate: its own sysfs directory
 * says it. With no sysfs to look at, it is taken to be there (the
 * controller then answers).
 */
static bool module_loaded(void)
{
	char state[16] = "";
	FILE *f = fopen("/sys/module/availcast/initstate", "re");

	if (f) {
		if (!fgets(state, sizeof(state), f))
			state[0] = '\0';
		fclose(f);
		return !strcmp(state, "live\n");
	}
	return access("/sys/module", F_OK) || !access("/sys/kernel/availcast", F_OK);
}

int availcast_listen_loaded(struct availcast_listener **out,
			    struct availcast_error *error)
{
	if (!module_loaded())
		return availcast_error_not_loaded(error);
	return availcast_listen(out, error);
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
	if (listener->gone)
		return gone(error);
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
		if (listener->gone)
			return error->code;
		if (err == -NLE_NOMEM) {
			if (!family_still_there(listener)) {
				listener->gone = true;
				return gone(error);
			}
			return availcast_error_set(error, ENOBUFS,
						   "broadcasts were lost: the socket buffer overflowed");
		}
		if (err < 0)
			return availcast_libnl_error(error, err, "receive");
		if (error->code)
			return error->code;
	}
	return 0;
}

/*
 * The last broadcast of the family in a datagram of @len bytes at @buf,
 * or NULL; notes a notice that the family is gone.
 */
static const struct nlmsghdr *last_broadcast(struct availcast_listener *listener,
					     const uint8_t *buf, ssize_t len)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf, *found = NULL;
	int left = (int)len;

	for (; nlmsg_ok(nlh, left); nlh = nlmsg_next((struct nlmsghdr *)nlh, &left)) {
		const struct genlmsghdr *ghdr = nlmsg_data(nlh);

		if (family_removed(nlh, listener->family))
			listener->gone = true;
		else if (nlh->nlmsg_type == listener->family &&
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
	for (n = 0; n < max && !listener->gone; n++) {
		len = recv(fd, listener->spare, LISTENER_DATAGRAM, MSG_DONTWAIT | MSG_TRUNC);
		if (len < 0 && errno == ENOBUFS) {
			(*lost)++;
			listener->gone = !family_still_there(listener);
			continue;
		}
		if (len < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (len < 0)
			return availcast_error_set(error, errno, "receive: %s", strerror(errno));
		if (len > LISTENER_DATAGRAM || !last_broadcast(listener, listener->spare, len))
			continue;	/* not one of ours, or cut short: nothing to parse */
		if (listener->newest_len)
			(*skipped)++;
		swap = listener->newest;
		listener->newest = listener->spare;
		listener->spare = swap;
		listener->newest_len = len;
	}
	/* What came before the notice is no news: the family is gone. */
	if (listener->gone)
		return gone(error);
	if (!listener->newest_len)
		return availcast_error_set(error, ETIMEDOUT, "no broadcast waiting");
	nlh = last_broadcast(listener, listener->newest, listener->newest_len);
	err = availcast_snapshot_parse(nlh, snapshot, error);
	if (!err)
		snapshot->received_ns = availcast_now_ns();
	return err;
}
