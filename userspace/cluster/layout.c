// SPDX-License-Identifier: GPL-2.0
/* File names in the state and runtime directories: see layout.h. */

#include <stdio.h>

#include "layout.h"

int layout_node_file(char *buf, size_t size, const char *cluster, const char *node,
		     const char *kind)
{
	return (size_t)snprintf(buf, size, "%s@%s.%s", node, cluster, kind) < size ? 0 : -1;
}

int layout_role_lock(char *buf, size_t size, const char *cluster, const char *role)
{
	return (size_t)snprintf(buf, size, "@%s.%s.lock", cluster, role) < size ? 0 : -1;
}

int layout_legacy_node_file(char *buf, size_t size, const char *cluster, const char *node,
			    const char *kind)
{
	return (size_t)snprintf(buf, size, "%s.%s.%s", cluster, node, kind) < size ? 0 : -1;
}
