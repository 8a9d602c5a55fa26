/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What both daemons (relay and arbiter) share: the configuration and key,
 * the UDP socket with signing, checking and replay protection, counters
 * per verdict, the status socket, signals and the log.
 *
 * Log lines are "<NODE_CLOCK ms> <node> <event> key=value ...", on
 * standard error, one per line: the tests' checker reads them.
 */
#ifndef AVAILCTL_NODE_H
#define AVAILCTL_NODE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "conf.h"
#include "control.h"
#include "keyring.h"
#include "replay.h"
#include "sequence.h"
#include "wire.h"

struct node {
	struct conf conf;
	char config_path[PATH_MAX];
	/*
	 * The file config_path named when it was last loaded, for status
	 * answers: resolved then, never while answering, where a hung file
	 * system (NFS, FUSE) would stop the loop.
	 */
	char config_real[PATH_MAX];
	struct keyring keys;
	int udp;
	struct control control;		/* status requests */
	/* flocks in the state dir (node.c: take_locks()) */
	int cluster_lock;		/* one daemon per node of a cluster */
	int lock;			/* one per node name, whatever the cluster */
	int role_lock;			/* one manager, one relay per cluster */
	int runtime_lock;		/* and per node of a cluster in the runtime dir */
	int runtime_mark_lock;		/* which is this daemon's runtime dir */
	bool runtime_dir_ok;		/* runtime copies of the state can be kept */
	bool memory_locked;		/* mlockall(): with realtime-priority */
	struct sequence seq;		/* numbers for the datagrams sent */
	struct replay_window *windows;	/* one per node, by conf_index() */
	struct node_inbox *inbox;	/* datagrams read, not handed out */
	uint64_t verdicts[WIRE_VERDICTS];
	uint64_t sent, send_failed;
	uint64_t started_ms;
	uint64_t drops_logged_ms;	/* drops are logged once a second at most */
	uint64_t drops_unlogged;
	uint64_t send_failed_logged_ms;	/* so are failed sends */
	uint64_t send_failed_unlogged;
};

/*
 * The clock every hold, lease, silence and deadline of the daemons is
 * counted on, and their logs are stamped with. CLOCK_BOOTTIME, because it
 * goes on while the host is suspended: CLOCK_MONOTONIC stops, and a host
 * that slept while active would wake counting a hold that ran out long
 * ago. Neither jumps when the wall clock is set. All daemons of one kernel
 * read the same CLOCK_BOOTTIME, so their logs share a timeline.
 */
#define NODE_CLOCK CLOCK_BOOTTIME

uint64_t node_now_ms(void);		/* NODE_CLOCK */
uint64_t node_unix_ms(void);		/* CLOCK_REALTIME */

/*
 * Loads @config_path, checks that this node is a manager (@manager) or a
 * host, loads the key, binds the sockets, installs the signal handlers.
 * Returns 0, or with a message in @error the daemon's exit status:
 * SERVICE_EXIT_CONFIG when the file or the key is unusable, 1 otherwise.
 */
int node_start(struct node *n, const char *config_path, bool manager,
	       char *error, size_t error_size);
void node_stop(struct node *n);

/*
 * Rereads the configuration (on SIGHUP, or asked by availctl reload).
 * Cluster, node, state-dir, control and this node's address cannot change
 * while running; everything else can. A bad file changes nothing.
 * Returns 0, or -1 with why in @error (and logged "reload-refused").
 */
int node_reload(struct node *n, char *error, size_t error_size);

/* Signs and sends @msg (type and body filled) to @to, with the key they share. */
int node_send(struct node *n, const char *to, struct wire_message *msg);

/* A datagram as read, before any check; @len past WIRE_MAX is too long. */
struct node_datagram {
	uint8_t bytes[WIRE_MAX + 1];
	ssize_t len;
	/* When the kernel received it, by CLOCK_REALTIME in ms (0: not said). */
	uint64_t received_unix_ms;
};

/*
 * How many datagrams one system call takes from the socket (recvmmsg()):
 * a manager's ingest pays for one call a batch rather than one a
 * datagram (Documentation/benchmarks.rst).
 */
#define NODE_INBOX 32

/* What the last recvmmsg() took and node_read() has not handed out yet. */
struct node_inbox {
	struct node_datagram d[NODE_INBOX];
	unsigned int next, count;
};

/*
 * Reads one datagram into @d, in the order they came; false when there is
 * none. It may take more from the socket at once: node_unread().
 */
bool node_read(struct node *n, struct node_datagram *d);
/*
 * Whether datagrams wait that node_read() took from the socket and has
 * not handed out: poll() cannot tell (node_poll_fds() does).
 */
bool node_unread(const struct node *n);
/*
 * How long a datagram received at @received_unix_ms (a node_datagram's)
 * has waited since, in ms: 0 when that is not known. Measured on
 * CLOCK_REALTIME, the only clock the kernel stamps datagrams with: a step
 * forward of the clock meanwhile counts as waiting, a step back as none.
 */
uint64_t node_waited_ms(uint64_t received_unix_ms);
/*
 * Checks @d: 1 with an authentic, fresh message to this node from a
 * configured node it shares a key with, in @msg; -1 when it is dropped
 * (counted; logged at most once a second, so that a flood cannot fill
 * the disk).
 */
int node_accept(struct node *n, const struct node_datagram *d, struct wire_message *msg);
/* node_read() and node_accept() in one: 0 when there is nothing to read. */
int node_receive(struct node *n, struct wire_message *msg);

/*
 * How many datagrams a daemon reads before it turns to its other work
 * (status requests, reloads, hooks that ended) and polls again: datagrams
 * arriving faster than it can check them must not starve the rest.
 */
#define NODE_RECEIVE_BATCH 64

/*
 * Logs "<CLOCK_BOOTTIME ms> <node> <event> <fmt...>" as one line on
 * standard error, without waiting on a log socket that is full (the line
 * is then dropped, counted, and a "log-dropped lines=N" line says so once
 * there is room).
 */
void node_log(const struct node *n, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * The same, stamped @at_ms (CLOCK_BOOTTIME ms) rather than now: the moment
 * a decision was made, when the line must say when that was and the
 * process may be preempted before it writes the line.
 */
void node_log_at(const struct node *n, uint64_t at_ms, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * A value for a log line, written so that a reader splitting the line's
 * "key=value" fields (selftests/lib/cluster_check.py, a log shipper)
 * gets the whole of it back: as it is when it is not empty and holds no
 * space, double quote, backslash, '=', control character or byte past
 * ASCII (which may be part of a space to the reader: U+00A0, U+2028);
 * else in double quotes, with a double quote or backslash in it preceded
 * by a backslash, a control character written as a space, and a byte
 * that is part of no UTF-8 character written \xNN (two lowercase hex
 * digits), so that the line is UTF-8, which the journal needs to show
 * it (it keeps any other line as a blob). Free text
 * (errors, reasons) and paths are logged through it; names (nodes,
 * hosts) cannot hold those characters. Cut to fit @size
 * (NODE_LOG_VALUE_SIZE: a log line's length), the quotes kept; a line
 * too long for its values is cut and ends " cut=yes". Returns @buf.
 */
#define NODE_LOG_VALUE_SIZE 1024
const char *node_log_value(char *buf, size_t size, const char *s);

/*
 * node_log() for what matters less than the daemon's own events (hooks'
 * output): logged only while half the log's queue (log_queue.h) is left
 * for those. Returns false for a line not logged, which the caller counts.
 */
bool node_log_spare(const struct node *n, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* node_log_value() into a buffer that lives as long as the statement's block. */
#define LOG_VALUE(s) node_log_value((char[NODE_LOG_VALUE_SIZE]){ 0 }, NODE_LOG_VALUE_SIZE, (s))

/* Signal flags, set by the handlers and cleared by the reader. */
bool node_should_stop(void);
bool node_take_reload(void);

/* How a status request wants the answer: "text", "json", "prom" or "role". */
enum node_format {
	NODE_TEXT,
	NODE_JSON,
	NODE_PROMETHEUS,	/* see metrics.h */
	NODE_ROLE,		/* one line: the arbiter's role, or "relay" */
};

/*
 * Answers requests on the control socket, as far as it can without
 * waiting: @answer writes the status in the format asked into @out; a
 * "reload" request calls @reload (the daemon's whole reload, 0 or -1 with
 * why in @error) and answers "reloaded" or "refused: WHY", for
 * availctl reload.
 */
typedef void (*node_status_fn)(void *ctx, FILE *out, enum node_format format);
typedef int (*node_reload_fn)(void *ctx, char *error, size_t error_size);
void node_serve_status(struct node *n, node_status_fn answer, node_reload_fn reload, void *ctx);

/*
 * What a daemon polls for the node, the UDP socket and the control socket,
 * into @fds; returns how long to wait: @wait_ms, or 0 while datagrams
 * taken from the socket wait unread (node_unread(): poll() cannot see
 * them), or less, until a control client has had its time.
 */
#define NODE_POLL_FDS (1 + CONTROL_POLL_FDS)
int node_poll_fds(const struct node *n, struct pollfd *fds, int wait_ms);

/*
 * node_poll_fds() without the UDP socket (its place in @fds is -1), for a
 * daemon that no longer reads it, its last hooks running: @wait_ms, or
 * less, until a control client has had its time.
 */
int node_poll_control(const struct node *n, struct pollfd *fds, int wait_ms);

/*
 * @s as a JSON string, quoted: '"' and '\\' escaped, control characters
 * left out, a byte that is not of UTF-8 text (a path's) as U+FFFD.
 */
void node_json_string(FILE *out, const char *s);

/*
 * Writes the datagram counters: text lines, JSON members (with the
 * configuration file's path resolved now, "config": what a reload
 * rereads), or Prometheus families
 * labelled with @labels ("node=...,cluster=...").
 */
void node_write_counters(const struct node *n, FILE *out, enum node_format format,
			 const char *labels);
/* The labels every metric of this node carries, into @labels. */
void node_metric_labels(const struct node *n, char *labels, size_t size);

#endif /* AVAILCTL_NODE_H */
