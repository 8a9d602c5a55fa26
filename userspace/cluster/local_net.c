// SPDX-License-Identifier: GPL-2.0
/* This machine's broadcast addresses and UDP ports, asked over netlink: local_net.h. */

#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "local_net.h"

/* Called for each message of a dump; a non-zero return ends it. */
typedef int (*dump_fn)(const struct nlmsghdr *nh, void *ctx);

/*
 * Sends @req (@len bytes) on a new @protocol socket as a dump and hands
 * each answer to @fn. Returns what @fn returned last (0 at the dump's
 * end), or -1 with errno when the dump could not be had.
 */
static int dump(int protocol, const void *req, size_t len, dump_fn fn, void *ctx)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	static char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
	int status = -1;
	ssize_t n;

	if (fd < 0)
		return -1;
	if (sendto(fd, req, len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) != (ssize_t)len)
		goto out;
	for (;;) {
		const struct nlmsghdr *nh = (const struct nlmsghdr *)buf;

		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto out;
		for (; NLMSG_OK(nh, (size_t)n); nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_type == NLMSG_DONE) {
				status = 0;
				goto out;
			}
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nh);

				errno = e->error ? -e->error : EPROTO;
				goto out;
			}
			status = fn(nh, ctx);
			if (status)
				goto out;
		}
	}
out:
	close(fd);
	return status;
}

struct broadcast_search {
	const struct conf *conf;
	char *error;
	size_t error_size;
};

/* @node's address, if it is @dst, the broadcast route out of @oif: said, 1. */
static int node_at_broadcast(const struct broadcast_search *b, const struct conf_node *node,
			     in_addr_t dst, int oif)
{
	char address[INET_ADDRSTRLEN], where[CONF_WHERE_SIZE], name[IF_NAMESIZE] = "?";

	if (node->addr.sin_addr.s_addr != dst)
		return 0;
	inet_ntop(AF_INET, &node->addr.sin_addr, address, sizeof(address));
	if (oif > 0)
		if_indextoname((unsigned int)oif, name);
	snprintf(b->error, b->error_size,
		 "%s%s: %s is a broadcast address here (of %s's subnet): a node needs an address of its own",
		 conf_at(b->conf, node->line, where, sizeof(where)), node->name, address, name);
	return 1;
}

/*
 * bind-address, if it is @dst: bound there, the daemon would take in
 * the subnet's broadcasts and send from an address no peer answers (1).
 */
static int bind_at_broadcast(const struct broadcast_search *b, in_addr_t dst, int oif)
{
	char address[INET_ADDRSTRLEN], where[CONF_WHERE_SIZE], name[IF_NAMESIZE] = "?";

	if (b->conf->listen.sin_addr.s_addr != dst)
		return 0;
	inet_ntop(AF_INET, &b->conf->listen.sin_addr, address, sizeof(address));
	if (oif > 0)
		if_indextoname((unsigned int)oif, name);
	snprintf(b->error, b->error_size,
		 "%sbind-address %s is a broadcast address here (of %s's subnet): bind an address of this machine's own",
		 conf_where(b->conf, "bind-address", where, sizeof(where)), address, name);
	return 1;
}

/* A route of the dump: a broadcast one, to a node's or bind-address, ends it. */
static int broadcast_route(const struct nlmsghdr *nh, void *ctx)
{
	const struct broadcast_search *b = ctx;
	const struct rtmsg *rt = NLMSG_DATA(nh);
	const struct rtattr *a;
	uint32_t table = 0;
	in_addr_t dst = 0;
	unsigned int i;
	int len, oif = 0, status = 0;
	bool has_dst = false;

	if (nh->nlmsg_type != RTM_NEWROUTE || rt->rtm_type != RTN_BROADCAST ||
	    rt->rtm_family != AF_INET)
		return 0;
	table = rt->rtm_table;
	len = (int)RTM_PAYLOAD(nh);
	for (a = RTM_RTA(rt); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == RTA_DST && RTA_PAYLOAD(a) == sizeof(dst)) {
			memcpy(&dst, RTA_DATA(a), sizeof(dst));
			has_dst = true;
		} else if (a->rta_type == RTA_OIF && RTA_PAYLOAD(a) == sizeof(oif)) {
			memcpy(&oif, RTA_DATA(a), sizeof(oif));
		} else if (a->rta_type == RTA_TABLE && RTA_PAYLOAD(a) == sizeof(table)) {
			memcpy(&table, RTA_DATA(a), sizeof(table));
		}
	}
	/* The dump holds every table (the request's is a hint): the local one decides. */
	if (!has_dst || table != RT_TABLE_LOCAL)
		return 0;
	for (i = 0; i < b->conf->n_managers && !status; i++)
		status = node_at_broadcast(b, &b->conf->managers[i], dst, oif);
	for (i = 0; i < b->conf->n_hosts && !status; i++)
		status = node_at_broadcast(b, &b->conf->hosts[i], dst, oif);
	if (!status && conf_line(b->conf, "bind-address"))
		status = bind_at_broadcast(b, dst, oif);
	return status;
}

int local_net_check_broadcasts(const struct conf *conf, char *error, size_t error_size)
{
	struct {
		struct nlmsghdr nh;
		struct rtmsg rt;
	} req = {
		.nh = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETROUTE,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		.rt = { .rtm_family = AF_INET, .rtm_table = RT_TABLE_LOCAL },
	};
	struct broadcast_search b = { .conf = conf, .error = error, .error_size = error_size };

	/* Unreadable (a sandbox without netlink): nothing to tell them by. */
	return dump(NETLINK_ROUTE, &req, sizeof(req), broadcast_route, &b) > 0 ? -1 : 0;
}

struct port_search {
	in_addr_t address;
	uint16_t port;
	int family;
};

/*
 * Whether an IPv6 socket at @src with @v6only holds what an IPv4 bind to
 * @s's address needs. One bound to "::" and then connected to an IPv6
 * peer, not IPv6-only, keeps an IPv4 address of 127.0.0.6 in the bind
 * table (the kernel's LOOPBACK4_IPV6: ip6_datagram_connect()).
 */
static bool v6_holds(const struct port_search *s, const __be32 src[4], bool v6only)
{
	bool any = !src[0] && !src[1] && !src[2] && !src[3];
	bool mapped = !src[0] && !src[1] && src[2] == htonl(0xffff);

	if (v6only)
		return false;
	if (any)
		return true;
	if (mapped)
		return src[3] == s->address || !src[3] || s->address == htonl(INADDR_ANY);
	return s->address == htonl(INADDR_ANY) || s->address == htonl(0x7f000006);
}

/* A socket of the dump: one that holds the port ends it (1). */
static int port_socket(const struct nlmsghdr *nh, void *ctx)
{
	const struct port_search *s = ctx;
	const struct inet_diag_msg *m = NLMSG_DATA(nh);
	const struct rtattr *a;
	bool v6only = false;
	int len;

	if (nh->nlmsg_type != SOCK_DIAG_BY_FAMILY || ntohs(m->id.idiag_sport) != s->port)
		return 0;
	if (s->family == AF_INET)
		return m->id.idiag_src[0] == s->address || !m->id.idiag_src[0] ||
		       s->address == htonl(INADDR_ANY);
	len = (int)(nh->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
	for (a = (const struct rtattr *)(m + 1); RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == INET_DIAG_SKV6ONLY && RTA_PAYLOAD(a) >= 1)
			v6only = *(const uint8_t *)RTA_DATA(a);
	return v6_holds(s, m->id.idiag_src, v6only);
}

enum local_net_holder local_net_udp_holder(in_addr_t address, uint16_t port)
{
	static const int families[] = { AF_INET, AF_INET6 };
	struct {
		struct nlmsghdr nh;
		struct inet_diag_req_v2 r;
	} req = {
		.nh = { .nlmsg_len = sizeof(req), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		.r = { .sdiag_protocol = IPPROTO_UDP, .idiag_states = ~0u },
	};
	struct port_search s = { .address = address, .port = port };
	unsigned int i;
	int found;

	for (i = 0; i < 2; i++) {
		s.family = req.r.sdiag_family = (uint8_t)families[i];
		found = dump(NETLINK_SOCK_DIAG, &req, sizeof(req), port_socket, &s);
		if (found > 0)
			return LOCAL_NET_HELD;
		if (found < 0 && !(families[i] == AF_INET6 && errno == EAFNOSUPPORT))
			return LOCAL_NET_UNKNOWN;
	}
	return LOCAL_NET_FREE;
}
