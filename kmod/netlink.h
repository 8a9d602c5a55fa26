/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _AVAILCAST_NETLINK_H
#define _AVAILCAST_NETLINK_H

int availcast_netlink_init(void);
void availcast_netlink_exit(void);

#endif /* _AVAILCAST_NETLINK_H */
