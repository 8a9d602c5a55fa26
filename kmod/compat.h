/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shims for kernel API differences, chosen by the header probes in Kbuild
 * and force-included into every file, so that the rest of the module is
 * written against one API: the newest.
 */
#ifndef _AVAILCAST_COMPAT_H
#define _AVAILCAST_COMPAT_H

#endif /* _AVAILCAST_COMPAT_H */
