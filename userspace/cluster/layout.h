/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The names of the files a daemon keeps in its state directory and its
 * runtime directory. Several daemons may share one directory (a manager
 * and a relay; daemons of several clusters), and a cluster or node name
 * is 1 to 31 of A-Z a-z 0-9 and -._: (wire.h), dots included but never
 * '@'. So no two names below can meet, whatever dots the names hold:
 *
 *   CLUSTER.agreed, CLUSTER.witness   the cluster's manager state and
 *                                     witness store (one of each per
 *                                     directory)
 *   @CLUSTER.agreed.lock,             held by that manager, that relay
 *   @CLUSTER.witness.lock
 *   NODE@CLUSTER.KIND                 the node's own in that cluster:
 *                                     lock, sequence, probe, the
 *                                     runtime copies agreed and witness,
 *                                     and runtime.lock (locks.h)
 *   NODE.lock, NODE.sock, NODE.control  the node's, in any cluster: the
 *                                     default control socket and its
 *                                     record are named for the node alone
 *
 * (the durable files' temporaries are the same names, dot-prefixed and
 * with .tmp added). NODE@CLUSTER.lock is also taken in the runtime
 * directory, which daemons with state directories of their own may share
 * (/run/availctl).
 *
 * Earlier versions named the node's own files CLUSTER.NODE.KIND and the
 * locks CLUSTER.agreed.lock and CLUSTER.witness.lock: cluster a.b's node
 * c and cluster a's node b.c shared their sequence files and runtime
 * copies, and a node named x.agreed took the lock of cluster x's
 * manager. Such a name cannot say whose it is (nor, when a runtime
 * directory is some daemon's state directory, that it is no cluster's
 * CLUSTER.KIND), so an old file is never moved or removed: only the
 * sequence reads it (layout_legacy_node_file()), as a number to start
 * above, which is safe whoever wrote it. Nor are the old locks taken: a
 * node named x.agreed holds x.agreed.lock, which was cluster x's
 * manager's. So a daemon of such a version still running beside one of
 * this version in one directory is not seen by it. A package upgrade
 * restarts each unit, old stopped before new; a second manager of one
 * cluster in one directory is refused only among daemons of this version.
 */
#ifndef AVAILCTL_LAYOUT_H
#define AVAILCTL_LAYOUT_H

#include <stddef.h>

/*
 * "NODE@CLUSTER.KIND" into @buf (@size bytes). Returns 0, or -1 when it
 * does not fit.
 */
int layout_node_file(char *buf, size_t size, const char *cluster, const char *node,
		     const char *kind);

/* "@CLUSTER.ROLE.lock" into @buf: 0, or -1 when it does not fit. */
int layout_role_lock(char *buf, size_t size, const char *cluster, const char *role);

/* "CLUSTER.NODE.KIND", as earlier versions named it: 0, or -1 when it does not fit. */
int layout_legacy_node_file(char *buf, size_t size, const char *cluster, const char *node,
			    const char *kind);

#endif
