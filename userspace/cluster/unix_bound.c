// SPDX-License-Identifier: GPL-2.0
/*
 * Which socket files live unix sockets are bound to, from sock_diag (the
 * kernel's net/unix/diag.c, as ss -x reads it): a file whose socket
 * nobody holds any longer is stale, one still bound is its holder's,
 * whether or not it accepts connections.
 */

#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>

#include "unix_bound.h"

struct wanted {
	const struct stat *st;
	int found;
};

/*
 * The kernel's own dev_t, as unix_diag gives the file system's device
 * (super_block s_dev): 12 bits of major above 20 of minor.
 */
#define KDEV_MINOR_BITS	20

static int look_at(struct nl_msg *msg, void *arg)
{
	struct nlattr *attrs[UNIX_DIAG_MAX + 1];
	struct wanted *w = arg;
	struct unix_diag_vfs *vfs;

	if (nlmsg_parse(nlmsg_hdr(msg), sizeof(struct unix_diag_msg), attrs, UNIX_DIAG_MAX,
			NULL) || !attrs[UNIX_DIAG_VFS] ||
	    nla_len(attrs[UNIX_DIAG_VFS]) < (int)sizeof(*vfs))
		return NL_OK;
	vfs = nla_data(attrs[UNIX_DIAG_VFS]);
	/* The inode number as the kernel gives it: its low 32 bits. */
	if (vfs->udiag_vfs_ino == (__u32)w->st->st_ino &&
	    vfs->udiag_vfs_dev >> KDEV_MINOR_BITS == major(w->st->st_dev) &&
	    (vfs->udiag_vfs_dev & ((1u << KDEV_MINOR_BITS) - 1)) == minor(w->st->st_dev)) {
		w->found = 1;
		return NL_STOP;
	}
	return NL_OK;
}

int unix_socket_bound(const struct stat *st)
{
	struct unix_diag_req req = {
		.sdiag_family = AF_UNIX,
		.udiag_states = ~0u,
		.udiag_show = UDIAG_SHOW_VFS,
	};
	struct wanted w = { .st = st };
	struct nl_sock *sk = nl_socket_alloc();
	int err;

	if (!sk)
		return -1;
	err = nl_connect(sk, NETLINK_SOCK_DIAG);
	if (!err)
		err = nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, look_at, &w);
	if (!err)
		err = nl_send_simple(sk, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP, &req, sizeof(req));
	if (err >= 0)
		err = nl_recvmsgs_default(sk);
	nl_socket_free(sk);
	/* Stopped at the file's socket, the dump's rest is not read: found. */
	if (w.found)
		return 1;
	return err < 0 ? -1 : 0;
}
