/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _AVAILCAST_SYSFS_H
#define _AVAILCAST_SYSFS_H

int availcast_sysfs_init(void);
void availcast_sysfs_exit(void);

#endif /* _AVAILCAST_SYSFS_H */
