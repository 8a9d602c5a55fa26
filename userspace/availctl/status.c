// SPDX-License-Identifier: GPL-2.0
/*
 * availctl status and availctl metrics: ask a running relay or arbiter for
 * its state over its control socket (cluster/control.h) and print the
 * answer, or write it to a file. The daemon formats it, in text, JSON or
 * the Prometheus exposition format, so that each stays in step with what
 * it knows.
 */

#define _GNU_SOURCE	/* struct ucred */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "availctl.h"
#include "conf.h"
#include "control.h"
#include "durable.h"

/* Longer than the daemon gives a client: it gives up first, and says so. */
#define ASK_TIMEOUT_MS (CONTROL_TIMEOUT_MS + 1000)
/* How long availctl reload waits for a daemon still starting to listen: ms. */
#define RELOAD_START_WAIT_MS 5000
/* How many times a reload asks for a file replaced each time while it asked. */
#define ASK_REPLACED_TRIES 3

static const char status_usage[] =
	"usage: availctl status [--json | --role] [--config FILE | --socket PATH]\n\n"
	"Shows what the relay or arbiter of this node knows: for an arbiter,\n"
	"its role and epoch, the agreed witness and its generation, the lease\n"
	"and hold left, the peer's last contact, the reason for the last\n"
	"decision, the host table and the datagram counters. The daemon is\n"
	"found through the control socket that FILE names (default\n"
	"/etc/availctl/availctl.conf), or at PATH.\n\n"
	"With --role, for health checks and load balancers: prints the role\n"
	"alone (active, standby, fault, startup, stopping, or relay for a host)\n"
	"and exits 0 for active, 5 for any other, 1 when no daemon answers or\n"
	"may not be reached.\n";

static const char metrics_usage[] =
	"usage: availctl metrics [--config FILE | --socket PATH] [--output FILE]\n\n"
	"Writes what the relay or arbiter of this node knows in the Prometheus\n"
	"text exposition format: roles, epochs, the witness, the host table\n"
	"with each host's and resource's level, and the counters. With\n"
	"--output, into FILE, replaced at once (for node_exporter's textfile\n"
	"collector: FILE ending in .prom in its directory); else on standard\n"
	"output. The daemon is found as for availctl status.\n";

static const char reload_usage[] =
	"usage: availctl reload [--config FILE | --socket PATH]\n\n"
	"Asks the relay or arbiter of this node to reread its configuration\n"
	"and waits for the outcome: exits 0 once the daemon took the file, 1\n"
	"with the daemon's reason when it refused it (a syntax error, a bad\n"
	"key file, a change that needs a restart), in which case it runs on\n"
	"with what it had. The units' ExecReload, so that systemctl reload\n"
	"fails when the reload does. The daemon is found as for availctl\n"
	"status; one still starting is waited for up to 5 s.\n";

struct ask_options {
	const char *config;
	bool config_given;		/* --config, not the default */
	const char *socket;
	const char *output;
	bool role;
	/* With --config: the node and cluster that file names, else empty. */
	char node[WIRE_NAME_SIZE], cluster[WIRE_NAME_SIZE];
};

static int take_option(int option, const char *value, void *arg)
{
	struct ask_options *o = arg;

	if (option == 'c') {
		o->config = value;
		o->config_given = true;
	} else if (option == 's')
		o->socket = value;
	else if (option == 'o')
		o->output = value;
	else if (option == 'r')
		o->role = true;
	return -1;
}

/* The control socket's path: --socket, or the config file's control. */
static int socket_path(const char *command, struct ask_options *o, char *path,
		       size_t size)
{
	struct conf conf;
	char error[CONF_ERROR_SIZE];

	if (o->socket) {
		snprintf(path, size, "%s", o->socket);
		return 0;
	}
	if (conf_load(o->config, &conf, error, sizeof(error))) {
		service_error("availctl %s: %s", command, error);
		return -1;
	}
	snprintf(path, size, "%s", conf.control);
	snprintf(o->node, sizeof(o->node), "%s", conf.node);
	snprintf(o->cluster, sizeof(o->cluster), "%s", conf.cluster);
	conf_free(&conf);
	return 0;
}

/* @path as a unix socket's address into @addr: 0, or -1 when too long. */
static int unix_address(const char *path, struct sockaddr_un *addr)
{
	if (strlen(path) >= sizeof(addr->sun_path))
		return -1;
	memcpy(addr->sun_path, path, strlen(path) + 1);
	return 0;
}

/*
 * The options of a command that asks the daemon, and the socket to ask
 * at, into @path: -1 to go on, else the exit status to return.
 */
static int ask_setup(int argc, char **argv, const char *command, const char *usage,
		     const struct option *options, struct ask_options *o, struct availctl *ctl,
		     char *path, size_t size)
{
	int status = availctl_options(argc, argv, command, usage, options, take_option, o, ctl);

	if (status >= 0)
		return status;
	if (optind < argc)
		return availctl_usage_error(command, "unexpected argument '%s'", argv[optind]);
	/* The file would say whom to ask, and be ignored. */
	if (o->config_given && o->socket)
		return availctl_usage_error(command, "--config and --socket exclude each other");
	if (socket_path(command, o, path, size))
		return AVAILCTL_EXIT_FAILED;
	return -1;
}

int availctl_ask(const char *command, const char *path, const char *request,
		 char **answer, size_t *size, pid_t *peer)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	const struct timeval ask_timeout = { .tv_sec = ASK_TIMEOUT_MS / 1000,
					     .tv_usec = ASK_TIMEOUT_MS % 1000 * 1000 };
	struct pollfd pfd = { .events = POLLIN };
	const char *reloaded = strcmp(command, "reload") ? "" :
		" (whether it reloaded, its log says: reloaded or reload-refused)";
	char buf[65536];
	uint64_t asked_ms, deadline, took_ms;
	FILE *out = NULL;
	ssize_t got;
	int fd, connected;

	*answer = NULL;
	*size = 0;
	if (unix_address(path, &addr))
		return availctl_usage_error(command, "socket path too long");
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		service_error("availctl %s: socket: %s", command, strerror(errno));
		return AVAILCTL_EXIT_FAILED;
	}
	/*
	 * One deadline for all of it: connect() waits while the daemon's
	 * queue of connections not yet taken in is full (its loop stopped,
	 * or clients holding every slot), and would wait without end.
	 */
	asked_ms = availcast_now_ns() / 1000000;
	deadline = asked_ms + ASK_TIMEOUT_MS;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &ask_timeout, sizeof(ask_timeout));
	connected = connect(fd, (struct sockaddr *)&addr, sizeof(addr));
	if (connected && errno == EAGAIN) {
		service_error("availctl %s: the daemon at %s took no connection in %d s: its queue stayed full",
			      command, path, ASK_TIMEOUT_MS / 1000);
		close(fd);
		return AVAILCTL_EXIT_FAILED;
	}
	if (connected ||
	    send(fd, request, strlen(request), MSG_NOSIGNAL) != (ssize_t)strlen(request) ||
	    shutdown(fd, SHUT_WR)) {
		/* Not a daemon's absence: the socket and its directory are mode 0660 and 0700. */
		if (errno == EACCES || errno == EPERM)
			service_error("availctl %s: may not connect to %s: %s: " CONTROL_NO_ACCESS_HINT,
				command, path, strerror(errno));
		/* Connected, then closed: a daemon was there, and let go of us. */
		else if (!connected && (errno == EPIPE || errno == ECONNRESET))
			service_error("availctl %s: the daemon at %s closed the connection before availctl sent its request: %s (it drops a client that has not asked %d s after it took it in, as when availctl was stopped or starved, and closes those waiting when it exits)",
				command, path, strerror(errno), CONTROL_REQUEST_MS / 1000);
		else
			service_error("availctl %s: no daemon answers at %s: %s",
				command, path, strerror(errno));
		close(fd);
		return AVAILCTL_EXIT_FAILED;
	}
	if (peer) {
		struct ucred cred;
		socklen_t len = sizeof(cred);

		*peer = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) ? -1 : cred.pid;
	}
	out = open_memstream(answer, size);
	if (!out) {
		close(fd);
		service_error("availctl %s: out of memory", command);
		return AVAILCTL_EXIT_FAILED;
	}
	pfd.fd = fd;
	for (;;) {
		uint64_t now = availcast_now_ns() / 1000000;
		/*
		 * Past the deadline, what already waits is still read: an
		 * answer, or its end, that came in time is not "no answer"
		 * because availctl itself was late to read it (stopped,
		 * starved).
		 */
		int wait_ms = now >= deadline ? 0 : (int)(deadline - now);

		if (poll(&pfd, 1, wait_ms) == 0) {
			errno = ETIMEDOUT;
			got = -1;
			break;
		}
		got = read(fd, buf, sizeof(buf));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		fwrite(buf, 1, (size_t)got, out);
	}
	took_ms = availcast_now_ns() / 1000000 - asked_ms;
	close(fd);
	if (fclose(out) || got < 0 || !*size) {
		/* Asked and not answered: a reload may be done all the same. */
		service_error("availctl %s: the daemon at %s did not answer: %s%s", command,
			path, got < 0 ? strerror(errno) : "empty answer", reloaded);
		free(*answer);
		*answer = NULL;
		return AVAILCTL_EXIT_FAILED;
	}
	/*
	 * The daemon drops a client CONTROL_TIMEOUT_MS after it took it in,
	 * its answer sent whole or not, and the end of a cut answer looks
	 * like the end of a whole one. An end seen that long after the
	 * connect() began may be that drop (a slow reader: stopped, starved):
	 * what was read is not taken for the answer.
	 */
	if (took_ms >= CONTROL_TIMEOUT_MS) {
		service_error("availctl %s: the daemon at %s closed the connection %.1f s after availctl connected, when it drops a client that has not read its answer (%d s): the %zu bytes read may be part of it, and are not taken%s",
			command, path, took_ms / 1000.0, CONTROL_TIMEOUT_MS / 1000, *size, reloaded);
		free(*answer);
		*answer = NULL;
		return AVAILCTL_EXIT_FAILED;
	}
	return AVAILCTL_EXIT_OK;
}

bool availctl_answer_is(const char *json, const char *node, const char *cluster)
{
	char want[2 * WIRE_NAME_SIZE + 32];

	/* Names are wire_name_valid() (conf.c): no JSON escape to undo. */
	snprintf(want, sizeof(want), "\"node\":\"%s\",\"cluster\":\"%s\",", node, cluster);
	return strstr(json, want);
}

/*
 * An "other" answer (control.h) from the daemon at @path: said, as what
 * it means for the file @o names. @replaced: that file was replaced
 * while we asked, each time we asked.
 */
static void say_other(const char *command, const char *path, const struct ask_options *o,
		      const char *answer, bool replaced)
{
	char node[WIRE_NAME_SIZE], cluster[WIRE_NAME_SIZE], reads[PATH_MAX];

	_Static_assert(WIRE_NAME_SIZE == 32 && PATH_MAX == 4096, "the widths below");
	if (sscanf(answer, CONTROL_OTHER "%31s %31s %4095[^\n]", node, cluster, reads) != 3)
		snprintf(node, sizeof(node), "?");
	if (strcmp(node, o->node) || strcmp(cluster, o->cluster))
		service_error("availctl %s: the daemon at %s is not node %s of cluster %s (%s names another's control socket)",
			command, path, o->node, o->cluster, o->config);
	else if (replaced)
		service_error("availctl %s: %s was replaced each of the %d times it was asked for: not reloaded (ask again once it stays)",
			command, o->config, ASK_REPLACED_TRIES);
	else
		service_error("availctl %s: the daemon at %s reads %s, not %s: not reloaded (put the file there, or restart the daemon with it)",
			command, path, reads, o->config);
}

/*
 * Whether the file @req names (as we stat()ed it for the request) is no
 * longer at @config: replaced since, as configuration tools write a file
 * (a new one renamed over the old), or changed in place.
 */
static bool replaced_since(const char *config, const struct control_request *req)
{
	struct stat st;

	return req->has_file && !stat(config, &st) && !control_request_names(req, &st);
}

/*
 * One request of @req's verb to the daemon at @path, for a reload naming
 * the file @o names as it is now (its device and inode): as
 * availctl_ask().
 */
static int ask_once(const char *command, const char *path, const struct ask_options *o,
		    struct control_request *req, char **answer, size_t *size)
{
	char line[CONTROL_REQUEST_MAX];
	struct stat st;

	if (req->addressed && !strcmp(req->verb, "reload")) {
		if (stat(o->config, &st)) {
			service_error("availctl %s: %s: %s",
				command, o->config, strerror(errno));
			return AVAILCTL_EXIT_FAILED;
		}
		control_request_name_file(req, &st);
	}
	if (control_request_format(line, sizeof(line), req)) {
		service_error("availctl %s: the request does not fit",
			command);
		return AVAILCTL_EXIT_FAILED;
	}
	return availctl_ask(command, path, line, answer, size, NULL);
}

/*
 * availctl_ask() of @verb for the daemon @o names: with --config, the
 * request says that file's node and cluster, and for a reload that very
 * file (a daemon rereads its own: a copy edited elsewhere would not be
 * what it runs), so that only that daemon acts on it. A control path
 * edited to name another node's socket would otherwise reload that node
 * and say "reloaded", or show its status as this file's node's; and the
 * check is made on the connection that asks, so a socket swapped in
 * between cannot take the request (control.h). A file replaced between
 * our stat() and the daemon's (a configuration tool writes a new one and
 * renames it over the old, then reloads) is asked for again as it is
 * then, up to ASK_REPLACED_TRIES times.
 */
static int ask_daemon(const char *command, const char *path, const struct ask_options *o,
		      const char *verb, char **answer, size_t *size)
{
	struct control_request req = { .addressed = o->node[0] != '\0' };
	char line[CONTROL_REQUEST_MAX];
	bool replaced;
	int status, tries;

	snprintf(req.verb, sizeof(req.verb), "%s", verb);
	memcpy(req.node, o->node, sizeof(req.node));
	memcpy(req.cluster, o->cluster, sizeof(req.cluster));
	for (tries = 1;; tries++) {
		status = ask_once(command, path, o, &req, answer, size);
		if (status || !req.addressed)
			return status;
		if (strncmp(*answer, CONTROL_OTHER, strlen(CONTROL_OTHER)))
			break;
		replaced = replaced_since(o->config, &req);
		if (!replaced || tries == ASK_REPLACED_TRIES) {
			say_other(command, path, o, *answer, replaced);
			free(*answer);
			return AVAILCTL_EXIT_FAILED;
		}
		free(*answer);
	}
	/* The daemon says whom it answers for: an earlier version does not. */
	snprintf(line, sizeof(line), CONTROL_FOR "%s %s\n", o->node, o->cluster);
	if (*size >= strlen(line) && !memcmp(*answer, line, strlen(line))) {
		*size -= strlen(line);
		memmove(*answer, *answer + strlen(line), *size + 1);
		return 0;
	}
	service_error("availctl %s: the daemon at %s did not say it answers for node %s of cluster %s (one of an earlier version? restart it, or ask with --socket)",
		command, path, o->node, o->cluster);
	free(*answer);
	return AVAILCTL_EXIT_FAILED;
}

static const struct option status_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "socket", required_argument, NULL, 's' },
	{ "role", no_argument, NULL, 'r' },
	{ NULL, 0, NULL, 0 },
};

int availctl_status(int argc, char **argv, struct availctl *ctl)
{
	struct ask_options o = { .config = AVAILCTL_CONFIG };
	char path[PATH_MAX], *answer;
	size_t size;
	int status;

	status = ask_setup(argc, argv, "status", status_usage, status_options, &o, ctl, path,
			   sizeof(path));
	if (status >= 0)
		return status;
	if (o.role && ctl->json)
		return availctl_usage_error("status", "--role and --json exclude each other");
	status = ask_daemon("status", path, &o, o.role ? "role" : ctl->json ? "json" : "text",
			    &answer, &size);
	if (status)
		return status;
	fwrite(answer, 1, size, stdout);
	if (o.role && strcmp(answer, "active\n"))
		status = AVAILCTL_EXIT_NOT_ACTIVE;
	free(answer);
	return status;
}

/*
 * Until the daemon at @path listens, for at most @wait_ms: a reload right
 * after a restart (systemd runs ExecReload once the daemon was started,
 * not once it listens) must reach it, not fail while the daemon then
 * runs the new file. No event says when the socket appears; every 20 ms
 * is cheap. The probe never waits in connect(): a queue full of
 * connections not yet taken in (EAGAIN) says the daemon listens, and
 * the ask that follows has the deadline.
 */
static void wait_for_daemon(const char *path, uint64_t wait_ms)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	const struct timespec step = { .tv_nsec = 20 * 1000000 };
	uint64_t deadline = availcast_now_ns() / 1000000 + wait_ms;
	int fd, up;

	if (unix_address(path, &addr))
		return;
	do {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0)
			return;
		up = !connect(fd, (struct sockaddr *)&addr, sizeof(addr));
		close(fd);
		if (up || (errno != ENOENT && errno != ECONNREFUSED))
			return;
		nanosleep(&step, NULL);
	} while (availcast_now_ns() / 1000000 < deadline);
}

int availctl_reload(int argc, char **argv, struct availctl *ctl)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct ask_options o = { .config = AVAILCTL_CONFIG };
	char path[PATH_MAX], *answer;
	size_t size;
	int status;

	status = ask_setup(argc, argv, "reload", reload_usage, options, &o, ctl, path,
			   sizeof(path));
	if (status >= 0)
		return status;
	wait_for_daemon(path, RELOAD_START_WAIT_MS);
	status = ask_daemon("reload", path, &o, "reload", &answer, &size);
	if (status)
		return status;
	if (size == strlen("reloaded\n") && !memcmp(answer, "reloaded\n", size)) {
		fwrite(answer, 1, size, stdout);
	} else {
		/* The daemon's one line, without its '\n'. */
		service_error("availctl reload: %.*s", (int)size - (answer[size - 1] == '\n'),
			      answer);
		status = AVAILCTL_EXIT_FAILED;
	}
	free(answer);
	return status;
}

/*
 * Replaces @path with @size bytes of @text at once, readable by all (the
 * collector runs as its own user): a reader sees the old or the new file.
 * Only a regular file, or none, is replaced: the rename would put a file
 * in place of a device (/dev/null), a FIFO or a symlink (/dev/stdout),
 * and root may do it. -1 with errno, or EEXIST for such a @path.
 */
static int replace_file(const char *path, const char *text, size_t size)
{
	struct stat st;

	if (!lstat(path, &st) && !S_ISREG(st.st_mode)) {
		errno = EEXIST;
		return -1;
	}
	return durable_replace_file(path, text, size, 0644);
}

int availctl_metrics(int argc, char **argv, struct availctl *ctl)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct ask_options o = { .config = AVAILCTL_CONFIG };
	char path[PATH_MAX], *answer;
	size_t size;
	int status;

	status = ask_setup(argc, argv, "metrics", metrics_usage, options, &o, ctl, path,
			   sizeof(path));
	if (status >= 0)
		return status;
	status = ask_daemon("metrics", path, &o, "prom", &answer, &size);
	if (status)
		return status;
	if (!o.output) {
		fwrite(answer, 1, size, stdout);
	} else if (replace_file(o.output, answer, size)) {
		service_error("availctl metrics: %s: %s", o.output,
			      errno == EEXIST ? "not a regular file: only one is replaced" :
			      strerror(errno));
		status = AVAILCTL_EXIT_FAILED;
	}
	free(answer);
	return status;
}
