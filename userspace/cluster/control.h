/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A daemon's control socket, where availctl status and availctl metrics
 * ask what it knows: a unix stream socket. A client connects, sends one
 * request line ("text", "json" or "prom") and reads the answer until the
 * daemon closes. An answer may be any size (the table of ten thousand
 * hosts is megabytes), and the daemon never waits on a client: it
 * accepts, reads and writes only what the socket takes at once, answers
 * a few clients at a time, and drops one that takes longer than
 * CONTROL_TIMEOUT_MS in all.
 */
#ifndef AVAILCTL_CONTROL_H
#define AVAILCTL_CONTROL_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define CONTROL_CLIENTS		4
#define CONTROL_TIMEOUT_MS	5000
#define CONTROL_REQUEST_MAX	16

struct control_client {
	int fd;				/* -1: a free slot */
	uint64_t since_ms;
	char request[CONTROL_REQUEST_MAX];
	size_t got;
	char *answer;			/* not NULL: the request is answered */
	size_t size, sent;
};

struct control {
	int fd;				/* listening; -1 when closed */
	dev_t dev;			/* the socket file bound, removed on close */
	ino_t ino;
	struct control_client clients[CONTROL_CLIENTS];
};

/* Writes the answer to @request (a NUL-terminated line) into @out. */
typedef void (*control_answer_fn)(void *ctx, const char *request, FILE *out);

/*
 * Binds and listens at @path (mode 0660), after removing a stale socket
 * there (one nobody accepts on). Returns 0; 1 with @error when @path is
 * not the daemon's to take (too long for a unix socket, a file that is
 * not a socket, a socket another daemon answers on: a configuration
 * error); -1 with @error for a failure that may pass.
 */
int control_open(struct control *c, const char *path, char *error, size_t error_size);
/* Closes every connection and the socket, and removes @path if it is still that socket. */
void control_close(struct control *c, const char *path);

/* The descriptors to poll, into @fds (room for CONTROL_POLL_FDS). */
#define CONTROL_POLL_FDS (1 + CONTROL_CLIENTS)
void control_poll_fds(const struct control *c, struct pollfd *fds);

/* Accepts, reads requests and writes answers, as far as it can at once. */
void control_serve(struct control *c, uint64_t now_ms, control_answer_fn answer, void *ctx);

#endif /* AVAILCTL_CONTROL_H */
