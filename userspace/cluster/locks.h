/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The flocks a daemon holds while it runs (file names: layout.h), what
 * another daemon holding one means for a start, and whether one is held
 * now, seen without taking it (availctl check).
 *
 * One daemon per node of a cluster: another may be on its way out (a
 * restart: the start fails with 1 and is tried again); any other holder
 * of that lock (flock(1), another node's daemon through a hard link)
 * stays when tried again (78). One per node name
 * whatever the cluster, as its default control socket and the record of
 * it are named for the node alone: a node of that name in another
 * cluster given the same directory is a configuration error (78). One
 * manager and one relay per cluster, as the agreed state and the witness
 * store are named for the cluster alone (two managers given one
 * directory would read each other's promises after a restart: 78 too).
 * And in the runtime directory, one daemon per node of a cluster again:
 * two daemons of one name with state directories of their own would
 * share their runtime copies there (78). A daemon whose runtime directory
 * is another's state directory holds that directory's NODE@CLUSTER.lock
 * too, so it also marks the directory as its runtime directory: the
 * other, starting second, is told so (78), not taken for a daemon of its
 * own on its way out (1, tried again for ever).
 */
#ifndef AVAILCTL_LOCKS_H
#define AVAILCTL_LOCKS_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "conf.h"

enum lock_kind {
	/*
	 * <state-dir>/NODE@CLUSTER.runtime.lock: only looked at, held by a
	 * daemon of this node whose runtime-dir this state-dir is.
	 */
	LOCK_STATE_AS_RUNTIME,
	LOCK_NODE_CLUSTER,	/* <state-dir>/NODE@CLUSTER.lock */
	LOCK_NODE,		/* <state-dir>/NODE.lock */
	LOCK_ROLE,		/* <state-dir>/@CLUSTER.agreed.lock or .witness.lock */
	/*
	 * <runtime-dir>/NODE@CLUSTER.runtime.lock, taken before the next:
	 * whoever finds that one held can look for this one.
	 */
	LOCK_RUNTIME_MARK,
	LOCK_RUNTIME,		/* <runtime-dir>/NODE@CLUSTER.lock */
	LOCK_KINDS
};

struct lock_place {
	/*
	 * NULL: not taken (the runtime directory's, when it is the state
	 * directory).
	 */
	const char *dir;
	const char *key;	/* the configuration key that names dir */
	char name[NAME_MAX + 1];
	/* Who holds it when another does, said with the path. */
	char holder[2 * WIRE_NAME_SIZE + PATH_MAX + 200];
	/*
	 * A start's exit status when it cannot be taken (another holds it,
	 * or the file cannot be opened): 1, or 78. The runtime directory's
	 * is an exit only when another holds it.
	 */
	int status;
};

/*
 * The locks of node @c->node of @c->cluster, a manager (@manager) or a
 * relay, into @places. Returns 0, or -1 with @error when a name does not
 * fit a file name.
 */
int locks_place(const struct conf *c, bool manager, struct lock_place places[LOCK_KINDS],
		char *error, size_t error_size);

/*
 * Takes the lock at @p (the file made if need be, 0600). Returns its
 * descriptor, or -1 with errno and @error: EWOULDBLOCK when another
 * holds it ("HOLDER (PATH is locked by pid N, COMMAND...)"); EBUSY
 * instead, for a lock whose @p->status is 1, when that one is not seen
 * to be a daemon of this node (an availctl process running arbiter or
 * relay that holds it through a file it opened under this lock's name:
 * not flock(1), not a daemon of another node through a hard link, not
 * one /proc does not show), as a start tried again would meet it too;
 * EDEADLK when this process holds it through a descriptor it inherited;
 * EINVAL when something other than a regular file is there (a FIFO, a
 * directory: never opened to wait), or why the file could not be
 * opened. Another holder is asked again once, after it was looked for:
 * one that let go meanwhile is no conflict.
 */
int lock_take(const struct lock_place *p, char *error, size_t error_size);
/*
 * A start's exit status when lock_take() failed with @err: @p->status
 * when another holds it (EWOULDBLOCK), 78 for EBUSY; 1 for what may pass
 * by itself (EIO, ENOSPC, EDQUOT, EMFILE, ENFILE, ENOMEM, EINTR, EROFS: a
 * later start may find room, or the file system back); else 78, a
 * configuration error (the file's kind, its permissions: tried again, it
 * would fail the same).
 */
int lock_status(const struct lock_place *p, int err);
/*
 * Whether another process holds the lock at @p, found by asking for it
 * shared without waiting, released at once; not made when missing. 1
 * with @error saying who (as lock_take() does), or 0. For a lock only
 * one misconfigured daemon takes (LOCK_STATE_AS_RUNTIME), where the
 * moment it is held cannot matter; it needs no /proc/locks, which a
 * sandbox may hide.
 */
int lock_probe(const struct lock_place *p, char *error, size_t error_size);

/*
 * Whether a start of @c would find a lock held by a process other than
 * @own (the pid of this node's running daemon, -1 if none runs), as
 * /proc/locks and the processes' descriptors show them, taking none.
 * Only where /proc shows no holder is the lock asked for, shared,
 * without waiting, and let go at once: a holder of another pid
 * namespace, which the start would meet all the same (and a start that
 * meets this probe asks again once it has looked for the holder).
 * Returns 1 with @error, as the start would say it (a lock held, or
 * something other than a regular file at a lock's path), and @status,
 * the start's exit status (lock_status()); 2 with @error when
 * /proc/locks cannot be read (not checked), or 0. A lock is looked for
 * by its file system's device, which is what /proc/locks names where
 * stat() says another (btrfs subvolumes, overlayfs over two file
 * systems).
 */
int locks_check(const struct conf *c, bool manager, pid_t own, int *status, char *error,
		size_t error_size);

#endif
