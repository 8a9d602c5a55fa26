// SPDX-License-Identifier: GPL-2.0
/*
 * availctl check: a relay's or arbiter's configuration checked as the
 * daemon reads it at start and on SIGHUP, before anyone relies on it (the
 * units run it before every reload, as keepalived -t is used). On a
 * manager whose arbiter runs, the round trips it measured are held
 * against the file's timing (Documentation/arbitration.rst, "Timing").
 */

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "arbiter.h"
#include "availctl.h"
#include "conf.h"
#include "control.h"
#include "keyring.h"
#include "local_net.h"
#include "locks.h"

static const char check_usage[] =
	"usage: availctl check [--config FILE]\n\n"
	"Checks FILE (default " AVAILCTL_CONFIG ") as the relay or arbiter\n"
	"reads it: every key and value, the timing, this node's key file and,\n"
	"on a manager, the hook (a host runs none: the same file serves every\n"
	"node). An error is the daemon's own, with its line number, and the\n"
	"exit status is 1; so is another process holding what this daemon\n"
	"would need to start (its control socket, or a lock in its state-dir\n"
	"or runtime-dir: another cluster's node of this name, another manager\n"
	"or relay of this cluster). On a manager whose arbiter runs, the round trips it\n"
	"measured are compared with the file's timing: a warning says when they\n"
	"leave too little of the peer's promise or of the witness's lease for a\n"
	"role to be taken up; and when the daemon could not make its\n"
	"runtime-dir (it runs without runtime copies). When no daemon of this\n"
	"node runs, its address must be this machine's and its UDP port free.\n"
	"Every message names the file and the line to fix. Nothing is changed.\n";

/* The number after "@key": in @json from @from on; 0 if absent. */
static unsigned long long json_number_after(const char *json, const char *from,
					    const char *key)
{
	const char *at = strstr(json, from);

	at = at ? strstr(at, key) : NULL;
	return at ? strtoull(at + strlen(key), NULL, 10) : 0;
}

/* Warns when @slowest_ms is beyond or near what @promise_ms allows. */
static void warn_round_trip(const struct conf *c, const char *path, const char *key,
			    unsigned long long slowest_ms, uint32_t promise_ms)
{
	uint64_t allowed = arbiter_take_up_round_trip_ms(&c->timing, promise_ms);

	if (slowest_ms > allowed)
		service_warning("round trips %s of up to %llu ms, as the running arbiter measured them, are longer than %s allows (%llu ms): no role is taken up through it",
			    path, slowest_ms, key, (unsigned long long)allowed);
	else if (slowest_ms + c->timing.heartbeat_ms > allowed)
		service_warning("round trips %s of up to %llu ms, as the running arbiter measured them, are within heartbeat-ms of the longest %s allows (%llu ms)",
			    path, slowest_ms, key, (unsigned long long)allowed);
}

/*
 * What the running arbiter measured in @answer, its JSON status, against
 * @c's timing: the peer's promise lasts grace-ms (its own, taken to be
 * ours), the witness's lease lease-ms.
 */
static void check_round_trips(const struct conf *c, const char *answer)
{
	char peer[80];

	snprintf(peer, sizeof(peer), "to %s",
		 strcmp(c->managers[0].name, c->node) ? c->managers[0].name : c->managers[1].name);
	warn_round_trip(c, peer, "grace-ms",
			json_number_after(answer, "\"peer\":", "\"slowest_round_trip_ms\":"),
			c->timing.grace_ms);
	warn_round_trip(c, "to the witness", "lease-ms",
			json_number_after(answer, "\"witness\":", "\"slowest_round_trip_ms\":"),
			c->timing.lease_ms);
}

/*
 * The JSON status of this node's daemon, answering at @c's control
 * socket, into *@answer (malloc'd), and its pid into *@pid; NULL and -1
 * when none runs (before the daemon starts, as the units run check,
 * there is nothing to ask): 0;
 * or -1, said, when the daemon could not start at that path (another
 * node's daemon answers there, or something not its own is in the way:
 * control.c).
 */
static int ask_running(const struct conf *c, char **answer, pid_t *pid)
{
	const struct control_place place = { .path = c->control, .record = c->control_record,
					     .path_is_default = c->control_default,
					     .made_at_start = { c->state_dir, c->runtime_dir } };
	char error[CONF_ERROR_SIZE];
	size_t size;
	int status = control_inspect(&place, error, sizeof(error));

	*answer = NULL;
	*pid = -1;
	if (status == 2 && !availctl_ask("check", c->control, "json\n", answer, &size, pid)) {
		if (availctl_answer_is(*answer, c->node, c->cluster))
			return 0;
		*pid = -1;
		free(*answer);
		*answer = NULL;
		snprintf(error, sizeof(error),
			 "control %s: a daemon other than node %s of cluster %s answers there",
			 c->control, c->node, c->cluster);
		status = 1;
	} else if (status == 2) {
		/* It took the connection, then said nothing (stopped, or hung): it runs. */
		snprintf(error, sizeof(error),
			 "control %s: a daemon takes connections there but did not answer (stopped, or hung?): it holds what this one would need",
			 c->control);
		status = 1;
	} else if (status <= 0) {
		return 0;	/* -1: nothing to tell the file by */
	}
	conf_blame(c, "control", error, sizeof(error));
	/* 3: not the daemon's fault, this user cannot tell. */
	service_error("availctl check: %s%s", error,
		status == 3 ? "" : ": this daemon could not start");
	return -1;
}

/*
 * @pid, a pid in our namespace (SO_PEERCRED), as /proc/locks counts
 * pids: the same when /proc is our pid namespace's. Otherwise, or for a
 * process our namespace does not see (0), unknown: 0.
 */
static pid_t pid_in_proc(pid_t pid)
{
	char self[32];
	ssize_t n;

	if (pid <= 0)
		return pid;
	n = readlink("/proc/self", self, sizeof(self) - 1);
	if (n <= 0)
		return 0;
	self[n] = '\0';
	return strtol(self, NULL, 10) == getpid() ? pid : 0;
}

/*
 * Why the daemon could not use @path as a directory it makes at start:
 * not a directory (a file, a symlink to nothing), or the directory it is
 * in missing or not a directory (the daemon makes @path, not the
 * directories it is in: one may be a mount not made yet). "" if it can.
 */
static void dir_unusable(const char *path, char *why, size_t size)
{
	char dir[PATH_MAX];
	struct stat st;
	char *slash;
	size_t len;

	why[0] = '\0';
	snprintf(dir, sizeof(dir), "%s", path);
	for (len = strlen(dir); len > 1 && dir[len - 1] == '/'; len--)
		dir[len - 1] = '\0';
	if (!stat(dir, &st)) {
		if (!S_ISDIR(st.st_mode))
			snprintf(why, size, "not a directory");
	} else if (!lstat(dir, &st)) {
		snprintf(why, size, "a symlink to nothing");
	} else if (errno == ENOENT || errno == ENOTDIR) {
		slash = strrchr(dir, '/');
		if (slash && slash != dir) {
			*slash = '\0';
			if (!stat(dir, &st)) {
				if (!S_ISDIR(st.st_mode))
					snprintf(why, size, "%s is not a directory", dir);
			} else if (errno == ENOENT) {
				snprintf(why, size,
					 "%s does not exist: the daemon makes it, not the directories it is in (one may be a mount not made yet)",
					 dir);
			}
		}
	}
}

/*
 * A state-dir the daemon could not use keeps it from starting (a file, a
 * symlink to nothing: 78; the directory it is in missing: 1, retried).
 * Said, with why: true.
 */
static bool state_dir_unusable(const struct conf *c)
{
	char why[PATH_MAX + 96], where[CONF_WHERE_SIZE];

	dir_unusable(c->state_dir, why, sizeof(why));
	if (!why[0])
		return false;
	service_error("availctl check: %sstate-dir %s: %s: this daemon could not start",
		conf_where(c, "state-dir", where, sizeof(where)),
		c->state_dir, why);
	return true;
}

/*
 * A runtime-dir the daemon could not use: it runs without one, unable to
 * see its state go back (a restored backup, a rolled-back disk). A warning.
 */
/*
 * A state-dir on a read-only file system: the daemon runs (as when it is
 * remounted so under it) but persists nothing, so a manager takes no
 * role up, until it is writable again; a lock file it must make there
 * fails its start (exit 1).
 */
static void warn_read_only(const struct conf *c)
{
	char where[CONF_WHERE_SIZE];
	struct statvfs fs;

	if (!statvfs(c->state_dir, &fs) && (fs.f_flag & ST_RDONLY))
		service_warning("%sstate-dir %s is on a read-only file system: the daemon persists nothing there until it is writable (a lock file it must make fails its start)",
			    conf_where(c, "state-dir", where, sizeof(where)), c->state_dir);
}

static void warn_runtime_dir(const struct conf *c)
{
	char why[PATH_MAX + 96], where[CONF_WHERE_SIZE];

	dir_unusable(c->runtime_dir, why, sizeof(why));
	if (why[0])
		service_warning("%sruntime-dir %s: %s: the daemon would run without runtime copies, unable to see its state go back",
			    conf_where(c, "runtime-dir", where, sizeof(where)), c->runtime_dir, why);
}

/* The lowest port a process without CAP_NET_BIND_SERVICE may bind. */
static unsigned int unprivileged_port_start(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_unprivileged_port_start", "re");
	unsigned int start = 1024;

	if (f) {
		if (fscanf(f, "%u", &start) != 1)
			start = 1024;
		fclose(f);
	}
	return start;
}

/*
 * The start's bind of this node's UDP address and port, foreseen without
 * taking any port (a daemon starting meanwhile must find its own free):
 * the address must be this machine's (a bind to it with
 * IP_BIND_ADDRESS_NO_PORT says, reserving none) and no other socket may
 * hold the port there (sock_diag says, IPv6-only or not). Said with the
 * line: true. A port the units' daemon may not bind (they give it no
 * capability) is warned of.
 */
static bool address_unusable(const struct conf *c)
{
	struct sockaddr_in at = c->listen;
	char address[INET_ADDRSTRLEN], where[CONF_WHERE_SIZE];
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	uint16_t port = ntohs(c->listen.sin_port);
	unsigned int unprivileged;
	bool foreign;

	if (fd < 0)
		return false;
	at.sin_port = 0;
	foreign = !setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &(int){ 1 }, sizeof(int)) &&
		  bind(fd, (const struct sockaddr *)&at, sizeof(at)) && errno == EADDRNOTAVAIL;
	close(fd);
	inet_ntop(AF_INET, &c->listen.sin_addr, address, sizeof(address));
	conf_where(c, "listen", where, sizeof(where));
	if (foreign) {
		service_error("availctl check: %s%s is not an address of this machine: this daemon could not start until it is (see bind-address)",
			where, address);
		return true;
	}
	if (local_net_udp_holder(c->listen.sin_addr.s_addr, port) == LOCAL_NET_HELD) {
		service_error("availctl check: %sUDP %s:%u is held by another process ('ss -ulpn' names it): this daemon could not start",
			where, address, port);
		return true;
	}
	unprivileged = unprivileged_port_start();
	if (port < unprivileged)
		service_warning("%sUDP port %u is below net.ipv4.ip_unprivileged_port_start (%u): the units give the daemon no CAP_NET_BIND_SERVICE, so it could not bind it there",
			    where, port, unprivileged);
	return false;
}

int availctl_check(int argc, char **argv, struct availctl *ctl)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = AVAILCTL_CONFIG;
	char *answer = NULL;
	struct keyring keys;
	struct conf conf;
	char error[CONF_ERROR_SIZE];
	bool manager;
	pid_t running;
	int status, locks, start;

	status = availctl_options(argc, argv, "check", check_usage, options, availctl_take_config,
				  &config, ctl);
	if (status >= 0)
		return status;
	if (optind < argc)
		return availctl_usage_error("check", "unexpected argument '%s'", argv[optind]);
	if (sodium_init() < 0) {
		service_error("availctl check: libsodium could not start");
		return AVAILCTL_EXIT_FAILED;
	}
	if (conf_load(config, &conf, error, sizeof(error))) {
		service_error("availctl check: %s", error);
		return AVAILCTL_EXIT_FAILED;
	}
	status = AVAILCTL_EXIT_FAILED;
	if (keyring_load(&keys, &conf, error, sizeof(error))) {
		service_error("availctl check: %s", error);
		goto out;
	}
	keyring_free(&keys);
	if (local_net_check_broadcasts(&conf, error, sizeof(error))) {
		service_error("availctl check: %s", error);
		goto out;
	}
	manager = conf_is_manager(&conf, conf.node);
	if (conf_check_hook(&conf, error, sizeof(error))) {
		service_error("availctl check: %s", error);
		goto out;
	}
	if (state_dir_unusable(&conf))
		goto out;
	if (ask_running(&conf, &answer, &running))
		goto out;
	/* Its locks cannot be told from another's: not judged. */
	running = pid_in_proc(running);
	if (!running)
		service_say("the daemon at %s runs in a pid namespace /proc does not count in: locks not checked",
			    conf.control);
	else if ((locks = locks_check(&conf, manager, running, &start, error, sizeof(error))) == 2)
		service_warning("%s", error);
	else if (locks) {
		service_error("availctl check: %s: this daemon could not start (exit %d)", error,
			      start);
		free(answer);
		goto out;
	}
	/* After the locks, as the start binds after it took them; its own daemon holds them. */
	if (!answer && address_unusable(&conf))
		goto out;
	service_say("%s: %s %s of cluster %s: ok", config, manager ? "manager" : "host",
		    conf.node, conf.cluster);
	warn_read_only(&conf);
	warn_runtime_dir(&conf);
	if (manager && answer)
		check_round_trips(&conf, answer);
	else if (manager)
		service_say("no arbiter answers at %s: round trips not checked", conf.control);
	free(answer);
	status = AVAILCTL_EXIT_OK;
out:
	conf_free(&conf);
	return status;
}
