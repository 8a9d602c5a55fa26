/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The names of the files a daemon keeps in its state directory and its
 * runtime directory. Several daemons may share one directory (a manager
 * and a relay; daemons of several clusters), and a cluster or node name
 * is 1 to 63 of A-Z a-z 0-9 and -._: (conf.c), dots included but never
 * '@'. So no two names below can meet, whatever dots the names hold:
 *
 *   CLUSTER.agreed, CLUSTER.witness   the cluster's manager state and
 *                                     witness store (one of each per
 *                                     directory)
 *   @CLUSTER.agreed.lock,             held by that manager, that relay
 *   @CLUSTER.witness.lock
 *   NODE@CLUSTER.KIND                 the node's own in that cluster:
 *                                     lock, sequence, probe, and the
 *                                     runtime copies agreed and witness
 *   NODE.lock, NODE.sock, NODE.control  the node's, in any cluster: the
 *                                     default control socket and its
 *                                     record are named for the node alone
 *
 * (the durable files' temporaries are the same names, dot-prefixed and
 * with .tmp added). Earlier versions named the node's own files
 * CLUSTER.NODE.KIND and the locks CLUSTER.agreed.lock and
 * CLUSTER.witness.lock: cluster a.b's node c and cluster a's node b.c
 * shared their sequence files and runtime copies, and a node named
 * x.agreed took the lock of cluster x's manager. layout_adopt_legacy()
 * moves a file of the old name to the new one.
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

/*
 * In @dir, the file that was CLUSTER.NODE.KIND in earlier versions is
 * renamed to NODE@CLUSTER.KIND, unless that one exists already, and the
 * rename made durable. Returns 0 (moved, or nothing to move), or an
 * errno value: the daemon then starts without what the old file held.
 */
int layout_adopt_legacy(const char *dir, const char *cluster, const char *node,
			const char *kind);

#endif
