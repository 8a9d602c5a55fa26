// SPDX-License-Identifier: GPL-2.0
/* File names in the state and runtime directories: see layout.h. */

#include <errno.h>
#include <limits.h>
#include <stdio.h>

#include "durable.h"
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

int layout_adopt_legacy(const char *dir, const char *cluster, const char *node,
			const char *kind)
{
	char legacy[NAME_MAX + 1], name[NAME_MAX + 1];

	if ((size_t)snprintf(legacy, sizeof(legacy), "%s.%s.%s", cluster, node, kind) >=
	    sizeof(legacy) || layout_node_file(name, sizeof(name), cluster, node, kind))
		return ENAMETOOLONG;
	return durable_rename_missing(dir, legacy, name) ? errno : 0;
}
