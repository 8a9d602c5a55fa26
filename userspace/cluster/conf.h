/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemons' configuration file, one "key = value" per line; '#' starts
 * a comment. Documented in availctl(8) and Documentation/arbitration.rst.
 * Every error names the line and what to fix.
 */
#ifndef AVAILCTL_CONF_H
#define AVAILCTL_CONF_H

#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "arbiter.h"
#include "wire.h"

/* Room for 10,000 hosts and more: about 40 bytes a host line. */
#define CONF_HOSTS_MAX		131072
#define CONF_FILE_MAX		(8 << 20)
#define CONF_DEFAULT_PORT	7450
#define CONF_DEFAULT_RUNTIME_DIR	"/run/availctl"
/* Room for every key given once (cluster, node, ...): a bit each in a word. */
#define CONF_KEYS_MAX		32
/* Room for a message about the file: its path, a line, a path value and why. */
#define CONF_ERROR_SIZE		(2 * PATH_MAX + 512)
/*
 * The longest state-dir or runtime-dir: the daemons' files in it
 * (".NODE@CLUSTER.sequence.tmp", layout.h) must still fit PATH_MAX.
 */
#define CONF_DIR_MAX		(PATH_MAX - 2 * WIRE_NAME_SIZE - 32)

struct conf_node {
	char name[WIRE_NAME_SIZE];
	struct sockaddr_in addr;
	unsigned int line;	/* of the file, from 1: where messages point */
};

/* A node's name and its index: 0 and 1 the managers, 2 + i host i. */
struct conf_name {
	char name[WIRE_NAME_SIZE];
	uint32_t index;
};

/*
 * A parsed configuration. It owns the host list and the name index:
 * release it with conf_free(). Moving it (plain assignment) moves them.
 */
struct conf {
	char path[PATH_MAX];			/* conf_load()'s file; "" if parsed from text */
	/* Where each "key = value" was given, from 1; 0: left at its default. */
	unsigned int key_line[CONF_KEYS_MAX];
	char cluster[WIRE_NAME_SIZE];
	char node[WIRE_NAME_SIZE];		/* this node */
	char key_file[PATH_MAX];
	uint16_t key_id;			/* 1 to 65535 */
	char accept_key_file[PATH_MAX];		/* "": none */
	uint16_t accept_key_id;
	char state_dir[PATH_MAX];
	char runtime_dir[PATH_MAX];		/* copies of the state, on a tmpfs */
	char hook[PATH_MAX];			/* "" : none */
	uint32_t hook_timeout_ms;		/* a superseded hook's time, 100 to 40000 */
	char control[PATH_MAX];			/* the status socket */
	/*
	 * What proves a socket at control this node's (control.h): the
	 * record of the one its daemon last bound, in state-dir; whether
	 * control is the default, state-dir/NODE.sock, under the state
	 * directory's lock.
	 */
	char control_record[PATH_MAX];
	bool control_default;
	struct conf_node managers[2];		/* the first is preferred */
	unsigned int n_managers;
	struct conf_node *hosts;
	unsigned int n_hosts;
	struct conf_name *by_name;		/* every node, sorted by name */
	struct arbiter_timing timing;
	uint32_t host_grace_ms;
	uint32_t replay_window_ms;
	uint32_t realtime_priority;		/* SCHED_RR's, 1 to 99; 0: SCHED_OTHER */
	/*
	 * Where the daemon's UDP socket is bound: this node's configured
	 * address and port, or bind-address (0.0.0.0 behind NAT) at its port.
	 */
	struct sockaddr_in listen;
};

/*
 * Parses and checks @text; returns 0, or -1 with "line N: ..." in @error
 * and nothing to free.
 */
int conf_parse(const char *text, size_t len, struct conf *conf,
	       char *error, size_t error_size);
/* Reads @path and parses it. */
int conf_load(const char *path, struct conf *conf, char *error, size_t error_size);
/*
 * conf_load(), given up when *@stop is set: a FIFO or a pipe (process
 * substitution) whose writer never comes waits in open() or read(), and
 * a SIGTERM then must end the wait, not be retried through (EINTR).
 */
int conf_load_unless(const char *path, struct conf *conf, const volatile sig_atomic_t *stop,
		     char *error, size_t error_size);

void conf_free(struct conf *conf);

/*
 * The line @key's value comes from, 0 for one left at its default (or
 * for @key NULL: the file as a whole). @key is a key's name
 * ("state-dir"; "control" left at its default is state-dir's, which
 * names it); "address" for this node's manager or host line; or
 * "listen" for where it binds (bind-address's line when given, else
 * "address").
 */
unsigned int conf_line(const struct conf *conf, const char *key);

/* Room for conf_at()'s text: the path, and "line N: ". */
#define CONF_WHERE_SIZE		(PATH_MAX + 32)

/* "PATH: line N: " as a message about line @line starts, "PATH: " for 0. Returns @buf. */
const char *conf_at(const struct conf *conf, unsigned int line, char *buf, size_t size);

/* conf_at() of conf_line(): where @key's value comes from. */
const char *conf_where(const struct conf *conf, const char *key, char *buf, size_t size);

/*
 * @error, a message about @key's value found after the file was parsed
 * (a key file missing, a state-dir that cannot be made), prefixed in
 * place with conf_where(), so that the daemon and availctl check name
 * the file and the line to fix. Cut to @size like any message.
 */
void conf_blame(const struct conf *conf, const char *key, char *error, size_t size);

/*
 * Whether a manager's hook (@conf's, none on a host) can be run now
 * (access(2), X_OK, as the daemon's user): 0, or -1 and in @error "FILE:
 * line N: hook PATH cannot be run: REASON". The start (exit 78), a
 * reload (refused) and availctl check refuse the same hook.
 */
int conf_check_hook(const struct conf *conf, char *error, size_t size);

/* The index of node @name (see struct conf_name), or -1: a binary search. */
int conf_index(const struct conf *conf, const char *name);
/* This node's entry (manager or host), or NULL. */
const struct conf_node *conf_self(const struct conf *conf);
/* Any node's entry by name, or NULL. */
const struct conf_node *conf_find(const struct conf *conf, const char *name);
/* True when this node is one of the two managers. */
int conf_is_manager(const struct conf *conf, const char *name);

#endif /* AVAILCTL_CONF_H */
