/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What this machine's network stack says now, asked over netlink, for
 * the checks a configuration cannot make alone: the addresses it treats
 * as broadcast (rtnetlink's local table), and who holds a UDP port
 * (sock_diag). Read only: nothing is bound or changed.
 */
#ifndef AVAILCTL_LOCAL_NET_H
#define AVAILCTL_LOCAL_NET_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"

/*
 * Whether every node's address is one a datagram can be sent to alone:
 * not one the kernel routes as broadcast here (a subnet's, as set with
 * "brd" or computed, on an interface that is up; a point-to-point
 * peer's), which the file alone cannot tell from a node's (10.0.0.255
 * is a host's in a /16). Returns 0 (also when the table cannot be
 * read: the start will say), or -1 with "FILE: line N: ..." in @error.
 */
int local_net_check_broadcasts(const struct conf *conf, char *error, size_t error_size);

/* Who holds a UDP port where a bind would need it. */
enum local_net_holder {
	LOCAL_NET_FREE,
	LOCAL_NET_HELD,
	LOCAL_NET_UNKNOWN,	/* sock_diag could not be asked */
};

/*
 * Whether a UDP socket of another process holds @port (host order) where
 * a bind to @address (network order; INADDR_ANY: every address) would
 * need it, as the kernel's bind would judge without SO_REUSEADDR: an
 * IPv4 socket on @address or on every address (any address for
 * INADDR_ANY), or an IPv6 one on the IPv4-mapped forms of those or on
 * "::" unless it is IPv6-only. In this network namespace.
 */
enum local_net_holder local_net_udp_holder(in_addr_t address, uint16_t port);

#endif /* AVAILCTL_LOCAL_NET_H */
