/* SPDX-License-Identifier: GPL-2.0 */
#ifndef AVAILCTL_UNIX_BOUND_H
#define AVAILCTL_UNIX_BOUND_H

#include <sys/stat.h>

/*
 * Whether a unix socket of this network namespace is bound to the file
 * @st describes (as lstat() gave it), listening or not, of any type: 1 or
 * 0, from the kernel's sock_diag (unix_diag, as ss -x asks it); -1 when
 * it cannot tell (no unix_diag: a module, that may not be loadable).
 */
int unix_socket_bound(const struct stat *st);

#endif
