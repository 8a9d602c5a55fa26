// SPDX-License-Identifier: GPL-2.0
/* The daemons' control socket: status requests, answered without waiting. */

#define _GNU_SOURCE	/* accept4(), statx() */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "durable.h"

/*
 * What tells the socket file at @path from any other made there: its
 * inode and, where the file system keeps one, its birth time. Not the
 * device, which a remount or another boot's disk order changes, nor the
 * change time, which a chmod, chgrp or relabel changes. 0, or -1.
 */
static int identify(const char *path, char *out, size_t size)
{
	struct statx stx;

	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_INO | STATX_BTIME, &stx))
		return -1;
	if (!(stx.stx_mask & STATX_BTIME))
		stx.stx_btime = (struct statx_timestamp){ 0 };
	snprintf(out, size, "%llu %lld %u\n", (unsigned long long)stx.stx_ino,
		 (long long)stx.stx_btime.tv_sec, stx.stx_btime.tv_nsec);
	return 0;
}

/* Whether the socket file at @path is the one @record notes: identify(). */
static bool recorded(const char *record, const char *path)
{
	char want[64] = "", have[64];
	FILE *f = fopen(record, "re");

	if (!f)
		return false;
	if (!fgets(want, sizeof(want), f))
		want[0] = '\0';
	fclose(f);
	return !identify(path, have, sizeof(have)) && !strcmp(want, have);
}

/*
 * Notes the socket just bound at @path in @record, for a start after a
 * crash to know the stale socket its own. Returns 0, or -1 with errno:
 * that start would then leave the socket to the admin.
 */
static int record_socket(const char *record, const char *path)
{
	char text[64];

	if (identify(path, text, sizeof(text)))
		return -1;
	return durable_replace_file(record, text, strlen(text), 0600);
}

/* Whether @a and @b name one directory as written, but for trailing slashes. */
static bool same_dir(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	while (la > 1 && a[la - 1] == '/')
		la--;
	while (lb > 1 && b[lb - 1] == '/')
		lb--;
	return la == lb && !memcmp(a, b, la);
}

/*
 * 0 if @place's directory is one, or one the daemon makes at start;
 * else 1 with @error when it is missing or not a directory (a path to
 * correct), -1 for another failure.
 */
static int dir_exists(const struct control_place *place, char *error, size_t error_size)
{
	char dir[PATH_MAX];
	struct stat st;
	unsigned int i;
	int err;

	durable_dir_of(place->path, dir);
	for (i = 0; i < sizeof(place->made_at_start) / sizeof(place->made_at_start[0]); i++) {
		if (place->made_at_start[i] && same_dir(dir, place->made_at_start[i]))
			return 0;
	}
	if (stat(dir, &st))
		err = errno;
	else if (!S_ISDIR(st.st_mode))
		err = ENOTDIR;
	else
		return 0;
	snprintf(error, error_size, "control socket directory %s: %s", dir, strerror(err));
	return err == ENOENT || err == ENOTDIR ? 1 : -1;
}

int control_inspect(const struct control_place *place, char *error, size_t error_size)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	const char *path = place->path;
	struct stat st;
	int fd, refused;

	if (strlen(path) >= sizeof(addr.sun_path))
		return snprintf(error, error_size, "control socket path %s is too long (%zu bytes at most)",
				path, sizeof(addr.sun_path) - 1), 1;
	memcpy(addr.sun_path, path, strlen(path) + 1);
	if (lstat(path, &st)) {
		if (errno == EACCES)
			return snprintf(error, error_size,
					"may not reach control socket %s: %s: " CONTROL_NO_ACCESS_HINT,
					path, strerror(errno)), 3;
		if (errno != ENOENT)
			return snprintf(error, error_size, "control socket %s: %s", path,
					strerror(errno)), -1;
		/* Nothing there. The default's directory, the state directory, is made at start. */
		return place->path_is_default ? 0 : dir_exists(place, error, error_size);
	}
	if (!S_ISSOCK(st.st_mode))
		return snprintf(error, error_size,
				"control socket path %s is taken by a file that is not a socket (not removed)",
				path), 1;
	/* Non-blocking: a live daemon's full backlog (EAGAIN) still counts as an answer. */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return snprintf(error, error_size, "socket: %s", strerror(errno)), -1;
	refused = connect(fd, (const struct sockaddr *)&addr, sizeof(addr)) ? errno : 0;
	close(fd);
	if (!refused || refused == EAGAIN)
		return snprintf(error, error_size,
				"control socket %s is another daemon's: it answers there (give each its own control path)",
				path), 2;
	if (refused == EACCES || refused == EPERM)
		return snprintf(error, error_size,
				"may not connect to control socket %s: %s: " CONTROL_NO_ACCESS_HINT,
				path, strerror(refused)), 3;
	/*
	 * Nothing answers; whether anything holds it bound (listening or
	 * not, of any type, in any network namespace) no call can tell for
	 * sure: it goes only if this node's daemon made it.
	 */
	if (!place->path_is_default && !recorded(place->record, path))
		return snprintf(error, error_size,
				"control socket %s was not made by this node's daemon (%s does not record it): not removed; remove it if nothing uses it",
				path, place->record), 1;
	if (refused != ECONNREFUSED && refused != ENOENT)
		return snprintf(error, error_size, "control socket %s: %s (not removed)", path,
				strerror(refused)), 1;
	return 0;
}

/*
 * An flock on the socket's directory, held from claim() to listen(): two
 * availctl daemons starting at once with one control path take turns,
 * so that the second finds the first's socket answering, not a stale
 * one to remove. Waits up to a second for another's turn. 0 with the
 * descriptor in @fd, or 1 or -1 with @error as control_open() returns
 * them (no such directory is a path to correct: 1).
 */
static int lock_dir(const char *path, int *fd, char *error, size_t error_size)
{
	struct timespec turn = { .tv_nsec = 10 * 1000 * 1000 };
	char dir[PATH_MAX];
	int tries;

	durable_dir_of(path, dir);
	*fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0)
		return snprintf(error, error_size, "control socket directory %s: %s", dir,
				strerror(errno)), errno == ENOENT || errno == ENOTDIR ? 1 : -1;
	for (tries = 0; flock(*fd, LOCK_EX | LOCK_NB); tries++) {
		if (errno != EWOULDBLOCK || tries == 100) {
			snprintf(error, error_size, "control socket directory %s: %s", dir,
				 errno == EWOULDBLOCK ? "locked for a second by another" :
				 strerror(errno));
			close(*fd);
			return -1;
		}
		nanosleep(&turn, NULL);
	}
	return 0;
}

int control_open(struct control *c, const struct control_place *place, char *error,
		 size_t error_size)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	const char *path = place->path;
	struct stat st;
	unsigned int i;
	mode_t mask;
	int status, dir;

	for (i = 0; i < CONTROL_CLIENTS; i++)
		c->clients[i] = (struct control_client){ .fd = -1 };
	c->fd = -1;
	if (strlen(path) >= sizeof(addr.sun_path))
		return control_inspect(place, error, error_size) > 0 ? 1 : -1;
	memcpy(addr.sun_path, path, strlen(path) + 1);
	status = lock_dir(path, &dir, error, error_size);
	if (status)
		return status;
	status = control_inspect(place, error, error_size);
	if (status) {
		status = status > 0 ? 1 : -1;
		goto out;
	}
	/* A stale socket of its own (or nothing: ENOENT). */
	unlink(path);
	status = -1;
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		snprintf(error, error_size, "socket: %s", strerror(errno));
		goto out;
	}
	/* Mode 0660 as bind() makes it: a chmod() by path could follow a link put there since. */
	mask = umask(0117);
	status = bind(c->fd, (struct sockaddr *)&addr, sizeof(addr));
	umask(mask);
	if (status || lstat(path, &st) || listen(c->fd, CONTROL_CLIENTS)) {
		snprintf(error, error_size, "control socket %s: %s", path, strerror(errno));
		close(c->fd);
		c->fd = -1;
		status = -1;
		goto out;
	}
	c->dev = st.st_dev;
	c->ino = st.st_ino;
	snprintf(c->record, sizeof(c->record), "%s", place->record);
	c->record_error = record_socket(place->record, path) ? errno : 0;
out:
	close(dir);
	return status;
}

static void drop(struct control_client *client)
{
	close(client->fd);
	free(client->answer);
	*client = (struct control_client){ .fd = -1 };
}

void control_close(struct control *c, const char *path)
{
	struct stat st;
	unsigned int i;

	if (c->fd < 0)
		return;
	for (i = 0; i < CONTROL_CLIENTS; i++)
		if (c->clients[i].fd >= 0)
			drop(&c->clients[i]);
	close(c->fd);
	c->fd = -1;
	/* Only the socket bound: whatever has taken its place since is not ours. */
	if (!lstat(path, &st) && st.st_dev == c->dev && st.st_ino == c->ino)
		unlink(path);
	/* Nothing of ours left to recognise (an inode freed may be reused). */
	unlink(c->record);
}

static struct control_client *free_slot(struct control *c)
{
	unsigned int i;

	for (i = 0; i < CONTROL_CLIENTS; i++)
		if (c->clients[i].fd < 0)
			return &c->clients[i];
	return NULL;
}

void control_poll_fds(const struct control *c, struct pollfd *fds)
{
	unsigned int i;
	bool room = false;

	for (i = 0; i < CONTROL_CLIENTS; i++) {
		const struct control_client *client = &c->clients[i];

		room |= client->fd < 0;
		fds[1 + i] = (struct pollfd){ .fd = client->fd,
					      .events = client->answer ? POLLOUT : POLLIN };
	}
	/* A full house leaves new clients in the backlog until one leaves. */
	fds[0] = (struct pollfd){ .fd = room ? c->fd : -1, .events = POLLIN };
}

/* Reads what there is of the request; answers it once it is whole. */
static void take_request(struct control_client *client, control_answer_fn answer, void *ctx)
{
	size_t room = sizeof(client->request) - 1 - client->got;
	ssize_t n = read(client->fd, client->request + client->got, room);
	char *end;
	FILE *out;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		drop(client);
		return;
	}
	client->got += (size_t)n;
	client->request[client->got] = '\0';
	end = memchr(client->request, '\n', client->got);
	/* Whole at a newline, or at the client's end of writing. */
	if (!end && n > 0) {
		if ((size_t)n == room) {
			/*
			 * Full: too long. Read on to its end, dropping it, so
			 * that the refusal is not lost to a reset (a socket
			 * closed with input unread).
			 */
			client->too_long = true;
			client->got = 0;
		}
		return;
	}
	out = open_memstream(&client->answer, &client->size);
	if (!out) {
		drop(client);
		return;
	}
	/* A line too long, or holding a NUL, is no request: nothing of it is done. */
	if (client->too_long)
		fprintf(out, "refused: a request longer than %d bytes\n", CONTROL_REQUEST_MAX - 1);
	else if (memchr(client->request, '\0', end ? (size_t)(end - client->request) : client->got))
		fprintf(out, "refused: a malformed request\n");
	else {
		if (end)
			*end = '\0';
		answer(ctx, client->request, out);
	}
	if (fclose(out) || !client->answer)
		drop(client);
}

/* Writes what the socket takes of the answer; closes when all is sent. */
static void give_answer(struct control_client *client)
{
	ssize_t n = send(client->fd, client->answer + client->sent,
			 client->size - client->sent, MSG_DONTWAIT | MSG_NOSIGNAL);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0)
		client->sent += (size_t)n;
	if (n < 0 || client->sent == client->size)
		drop(client);
}

/* Reads and answers what each client has sent, writes what it can take. */
static void serve_clients(struct control *c, control_answer_fn answer, void *ctx)
{
	unsigned int i;

	for (i = 0; i < CONTROL_CLIENTS; i++) {
		struct control_client *client = &c->clients[i];

		if (client->fd >= 0 && !client->answer)
			take_request(client, answer, ctx);
		if (client->fd >= 0 && client->answer)
			give_answer(client);
	}
}

/* When @client has had its time: to ask, or in all (ms, node_now_ms()). */
static uint64_t client_deadline(const struct control_client *client)
{
	return client->since_ms + (client->answer ? CONTROL_TIMEOUT_MS : CONTROL_REQUEST_MS);
}

int control_wait_ms(const struct control *c, uint64_t now_ms, int wait_ms)
{
	unsigned int i;

	for (i = 0; i < CONTROL_CLIENTS; i++) {
		uint64_t due = client_deadline(&c->clients[i]);

		if (c->clients[i].fd >= 0 && due < now_ms + (uint64_t)wait_ms)
			wait_ms = due > now_ms ? (int)(due - now_ms) : 0;
	}
	return wait_ms;
}

void control_serve(struct control *c, uint64_t now_ms, control_answer_fn answer, void *ctx)
{
	struct control_client *client;
	unsigned int i;
	int fd;

	if (c->fd < 0)
		return;
	/*
	 * What came is read before any client is judged late: after a
	 * stall of this daemon, a request that waited unread is answered.
	 */
	serve_clients(c, answer, ctx);
	for (i = 0; i < CONTROL_CLIENTS; i++)
		if (c->clients[i].fd >= 0 && now_ms >= client_deadline(&c->clients[i]))
			drop(&c->clients[i]);
	while ((client = free_slot(c))) {
		fd = accept4(c->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			break;
		*client = (struct control_client){ .fd = fd, .since_ms = now_ms };
	}
	/* The new clients' requests, most often sent before they were taken in. */
	serve_clients(c, answer, ctx);
}

int control_request_format(char *buf, size_t size, const struct control_request *r)
{
	int n;

	if (!r->addressed)
		n = snprintf(buf, size, "%s\n", r->verb);
	else if (!wire_name_valid(r->node) || !wire_name_valid(r->cluster))
		return -1;
	else if (!r->has_file)
		n = snprintf(buf, size, "%s for %s %s\n", r->verb, r->node, r->cluster);
	else
		n = snprintf(buf, size, "%s for %s %s %ju %ju %ju\n", r->verb, r->node,
			     r->cluster, r->dev, r->ino, r->ctime_ns);
	return n > 0 && (size_t)n < size ? 0 : -1;
}

/* @text as a whole decimal number, digits only, into *@value: 0, or -1. */
static int parse_number(const char *text, uintmax_t *value)
{
	char *end;

	if (!isdigit((unsigned char)*text))
		return -1;
	errno = 0;
	*value = strtoumax(text, &end, 10);
	return errno || *end ? -1 : 0;
}

int control_request_parse(const char *line, struct control_request *r)
{
	static const char *const verbs[] = { "text", "json", "role", "prom", "reload" };
	char copy[CONTROL_REQUEST_MAX], *word[7], *next;
	unsigned int n = 0, i;

	memset(r, 0, sizeof(*r));
	if (strlen(line) >= sizeof(copy))
		return -1;
	memcpy(copy, line, strlen(line) + 1);
	/* Words one space apart, none empty. */
	for (next = copy; next && n < 7; n++) {
		word[n] = next;
		next = strchr(next, ' ');
		if (next)
			*next++ = '\0';
		if (!*word[n])
			return -1;
	}
	if (next)
		return -1;
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]) && strcmp(word[0], verbs[i]); i++)
		;
	if (i == sizeof(verbs) / sizeof(verbs[0]))
		return -1;
	snprintf(r->verb, sizeof(r->verb), "%s", word[0]);
	if (n == 1)
		return 0;
	if ((n != 4 && n != 7) || strcmp(word[1], "for") ||
	    strlen(word[2]) >= sizeof(r->node) || !wire_name_valid(word[2]) ||
	    strlen(word[3]) >= sizeof(r->cluster) || !wire_name_valid(word[3]))
		return -1;
	memcpy(r->node, word[2], strlen(word[2]) + 1);
	memcpy(r->cluster, word[3], strlen(word[3]) + 1);
	r->addressed = true;
	if (n == 4)
		return 0;
	r->has_file = true;
	return parse_number(word[4], &r->dev) || parse_number(word[5], &r->ino) ||
	       parse_number(word[6], &r->ctime_ns) ? -1 : 0;
}

static uintmax_t ctime_ns(const struct stat *st)
{
	return (uintmax_t)st->st_ctim.tv_sec * 1000000000u + (uintmax_t)st->st_ctim.tv_nsec;
}

void control_request_name_file(struct control_request *r, const struct stat *st)
{
	r->has_file = true;
	r->dev = st->st_dev;
	r->ino = st->st_ino;
	r->ctime_ns = ctime_ns(st);
}

bool control_request_names(const struct control_request *r, const struct stat *st)
{
	return r->dev == (uintmax_t)st->st_dev && r->ino == (uintmax_t)st->st_ino &&
	       r->ctime_ns == ctime_ns(st);
}
