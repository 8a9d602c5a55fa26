/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A daemon's control socket, where availctl status and availctl metrics
 * ask what it knows: a unix stream socket. A client connects, sends one
 * request line (struct control_request) and reads the answer until the
 * daemon closes. An answer may be any size (the table of ten thousand
 * hosts is megabytes), and the daemon never waits on a client: it
 * accepts, reads and writes only what the socket takes at once, answers
 * a few clients at a time, and drops one that takes longer than
 * CONTROL_TIMEOUT_MS in all, or CONTROL_REQUEST_MS to ask.
 */
#ifndef AVAILCTL_CONTROL_H
#define AVAILCTL_CONTROL_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "wire.h"

#define CONTROL_CLIENTS		4
#define CONTROL_TIMEOUT_MS	5000
/*
 * A client sends its request line as it connects: one that has not sent
 * it whole this long after it was taken in is dropped, so that idle
 * connections, however many, keep a slot from the next client for no
 * longer (with CONTROL_TIMEOUT_MS they held all four for 5 s, and
 * availctl status, which waits ASK_TIMEOUT_MS, failed).
 */
#define CONTROL_REQUEST_MS	1000
#define CONTROL_REQUEST_MAX	256	/* bytes of a request line, its newline included */

struct control_client {
	int fd;				/* -1: a free slot */
	uint64_t since_ms;
	char request[CONTROL_REQUEST_MAX];
	size_t got;
	bool too_long;			/* the request overflowed: read to its end, refused */
	char *answer;			/* not NULL: the request is answered */
	size_t size, sent;
};

struct control {
	int fd;				/* listening; -1 when closed */
	dev_t dev;			/* the socket file bound, removed on close */
	ino_t ino;
	char record[PATH_MAX];		/* control_place's record, removed on close */
	int record_error;		/* errno of the record's write at open; 0: written */
	struct control_client clients[CONTROL_CLIENTS];
};

/*
 * A request line: a verb ("text", "json", "role", "prom" or "reload"),
 * then, from a client that read a configuration file, whom it is for:
 * "VERB for NODE CLUSTER", and for a reload the file's device, inode and
 * change time too, "VERB for NODE CLUSTER DEV INO CTIME_NS" (the time
 * tells a file apart from one that took its inode number since, or was
 * changed in place since). The daemon checks that it is that
 * node, reading that very file, on the connection it then answers on:
 * checked on one connection and asked on another, the socket could have
 * been another daemon's by the second (a path swapped in between). One
 * that is not answers CONTROL_OTHER, then its node, cluster and the file
 * it reads, resolved ("other NODE CLUSTER PATH\n"), and does nothing;
 * one that is answers CONTROL_FOR first ("for NODE CLUSTER\n"), so that
 * a client can tell its answer from an earlier version's, which took any
 * line it did not know for "text". Words are one space apart, the
 * numbers plain decimal digits; a line longer than CONTROL_REQUEST_MAX - 1
 * bytes, or holding a NUL, or otherwise not of this form, is refused
 * ("refused: ...") and nothing of it done.
 */
struct control_request {
	char verb[16];
	bool addressed;			/* for a node and cluster, */
	char node[WIRE_NAME_SIZE];
	char cluster[WIRE_NAME_SIZE];
	bool has_file;			/* and a file, */
	uintmax_t dev, ino;		/* by its st_dev, st_ino */
	uintmax_t ctime_ns;		/* and st_ctim, in ns since 1970 */
};

#define CONTROL_OTHER "other "
#define CONTROL_FOR "for "

/* What a user the socket or its directory keeps out (EACCES) is told. */
#define CONTROL_NO_ACCESS_HINT "run it as the daemon's user (root under the units)"

/* @r as a line into @buf: 0, or -1 when it does not fit or a name is bad. */
int control_request_format(char *buf, size_t size, const struct control_request *r);
/* The line @line (no newline) into @r: 0, or -1 when malformed. */
int control_request_parse(const char *line, struct control_request *r);
/* @r names the file @st describes (its device, inode and change time). */
void control_request_name_file(struct control_request *r, const struct stat *st);
/* Whether @st describes the file @r names. */
bool control_request_names(const struct control_request *r, const struct stat *st);

/* Writes the answer to @request (a NUL-terminated line) into @out. */
typedef void (*control_answer_fn)(void *ctx, const char *request, FILE *out);

/*
 * Where a daemon's control socket goes, and what proves a socket there
 * its own. `control =` may name any path, which another program may use:
 * a socket there is replaced only when nothing answers on it and this
 * node's daemon made it, as @record (a file in its state directory)
 * notes the socket it bound by inode and birth time until a clean stop,
 * or @path is the default, in the state directory only this node uses.
 */
struct control_place {
	const char *path;
	const char *record;
	bool path_is_default;
	/*
	 * The directories the daemon makes at start (its state-dir and
	 * runtime-dir): a socket in one of them needs no directory yet.
	 */
	const char *made_at_start[2];
};

/*
 * Whether @place's path is free for this node's socket: 0 (nothing
 * there, or a stale socket of its own, which control_open() replaces);
 * 2 with @error when a daemon answers there (this node's own, already
 * running, or another's); 1 with @error when it is otherwise not the
 * daemon's to take (too long for a unix socket, a file that is not a
 * socket, a socket this node's daemon did not make); 3 with @error when
 * this user may not connect to it (EACCES, EPERM: nothing can be told of
 * it); -1 with @error for a failure that may pass. Changes nothing.
 */
int control_inspect(const struct control_place *place, char *error, size_t error_size);

/*
 * Binds and listens at @place's path (mode 0660), after removing a stale
 * socket of its own there, and records the socket bound. Returns 0; 1
 * with @error when the path is not the daemon's to take (a configuration
 * error: control_inspect() said 1 or 2); -1 with @error for a failure
 * that may pass.
 */
int control_open(struct control *c, const struct control_place *place, char *error,
		 size_t error_size);
/* Closes every connection and the socket, and removes @path if it is still that socket. */
void control_close(struct control *c, const char *path);

/*
 * @wait_ms (>= 0), or less: the ms from @now_ms (node_now_ms()) until
 * the first client has had its time, so that control_serve() drops it
 * then, not a whole idle turn of the loop later.
 */
int control_wait_ms(const struct control *c, uint64_t now_ms, int wait_ms);

/* The descriptors to poll, into @fds (room for CONTROL_POLL_FDS). */
#define CONTROL_POLL_FDS (1 + CONTROL_CLIENTS)
void control_poll_fds(const struct control *c, struct pollfd *fds);

/* Accepts, reads requests and writes answers, as far as it can at once. */
void control_serve(struct control *c, uint64_t now_ms, control_answer_fn answer, void *ctx);

#endif /* AVAILCTL_CONTROL_H */
