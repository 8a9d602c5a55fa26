/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _AVAILCAST_NETLINK_H
#define _AVAILCAST_NETLINK_H

#include "emitter.h"

int availcast_netlink_init(void);
void availcast_netlink_exit(void);

/* Broadcasts go out as NOTIFY messages to the "avail" group. */
extern const struct availcast_transport availcast_nl_transport;

#endif /* _AVAILCAST_NETLINK_H */
