/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libavailcast: a small client of the availcast generic netlink family,
 * over libnl-genl-3. Used by availctl and its daemons.
 *
 * Every call that can fail returns 0 or a positive errno, and fills a
 * struct availcast_error: the errno, and the kernel's extended-ack message
 * when it sent one, so that a refusal reaches the user in the kernel's own
 * words.
 */
#ifndef AVAILCAST_LIB_H
#define AVAILCAST_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/availcast.h>

struct nlmsghdr;

struct availcast_error {
	int code;		/* positive errno */
	char message[256];	/* the kernel's extack text, or ours */
};

struct availcast_resource {
	char name[AVAILCAST_NAME_SIZE];
	uint32_t kind;		/* enum availcast_resource_kind */
	uint64_t capacity;
	int64_t used;
	uint32_t level;
};

struct availcast_stats {
	uint64_t sent;
	uint64_t suppressed;
	uint64_t failed;
	uint64_t unheard;
};

/* A GET reply or a broadcast. Fields the kernel did not send stay zero. */
struct availcast_snapshot {
	char node_id[AVAILCAST_NODE_ID_SIZE];
	uint64_t seq;
	uint64_t timestamp_ns;		/* sender's CLOCK_MONOTONIC */
	uint64_t next_deadline_ns;	/* sender's CLOCK_MONOTONIC */
	uint64_t received_ns;		/* ours, when a broadcast was read */
	uint32_t level;
	uint32_t reason;		/* enum availcast_reason, 0 for GET */
	bool has_level;
	bool has_stats;
	struct availcast_stats stats;
	size_t n_resources;
	struct availcast_resource *resources;	/* n_resources of them */
};

/* The configuration, as CONFIG_GET reports it. */
struct availcast_config {
	char node_id[AVAILCAST_NODE_ID_SIZE];
	uint32_t interval_min_ms;
	uint32_t interval_max_ms;
	uint32_t delta;
	uint32_t thresholds[AVAILCAST_THRESHOLDS_MAX];
	unsigned int n_thresholds;
	uint32_t tb_rate;
	uint32_t tb_burst;
	uint32_t aggregation;	/* enum availcast_aggregation */
	uint32_t sample_ms;
	uint32_t all_netns;	/* 0 or 1 */
};

/* Which fields of a struct availcast_config a CONFIG_SET changes. */
enum availcast_config_field {
	AVAILCAST_SET_NODE_ID		= 1 << 0,
	AVAILCAST_SET_INTERVAL_MIN_MS	= 1 << 1,
	AVAILCAST_SET_INTERVAL_MAX_MS	= 1 << 2,
	AVAILCAST_SET_DELTA		= 1 << 3,
	AVAILCAST_SET_THRESHOLDS	= 1 << 4,
	AVAILCAST_SET_TB_RATE		= 1 << 5,
	AVAILCAST_SET_TB_BURST		= 1 << 6,
	AVAILCAST_SET_AGGREGATION	= 1 << 7,
	AVAILCAST_SET_SAMPLE_MS		= 1 << 8,
	AVAILCAST_SET_ALL_NETNS		= 1 << 9,
};

struct availcast_client;

/*
 * Connects to the family. Fails with ENOENT and a message saying how to
 * load the module when the family is not registered.
 */
int availcast_open(struct availcast_client **client,
		   struct availcast_error *error);
void availcast_close(struct availcast_client *client);

/* The current snapshot, with counters (AVAILCAST_CMD_GET). */
int availcast_get(struct availcast_client *client,
		  struct availcast_snapshot *snapshot,
		  struct availcast_error *error);

int availcast_config_get(struct availcast_client *client,
			 struct availcast_config *config,
			 struct availcast_error *error);
/* Sets the @fields (enum availcast_config_field) of @config, all or none. */
int availcast_config_set(struct availcast_client *client,
			 const struct availcast_config *config,
			 unsigned int fields, struct availcast_error *error);

/*
 * Every resource, or those of @kind (0: all), built-ins first. Free
 * *@resources with free().
 */
int availcast_resources(struct availcast_client *client, uint32_t kind,
			struct availcast_resource **resources, size_t *n,
			struct availcast_error *error);
int availcast_resource(struct availcast_client *client, const char *name,
		       struct availcast_resource *resource,
		       struct availcast_error *error);

int availcast_pool_create(struct availcast_client *client, const char *name,
			  uint64_t capacity, struct availcast_error *error);
int availcast_pool_delete(struct availcast_client *client, const char *name,
			  struct availcast_error *error);
int availcast_pool_charge(struct availcast_client *client, const char *name,
			  uint64_t amount, struct availcast_error *error);
int availcast_pool_release(struct availcast_client *client, const char *name,
			   uint64_t amount, struct availcast_error *error);
/* Asks for a broadcast now (reason request). */
int availcast_announce(struct availcast_client *client,
		       struct availcast_error *error);

/* A subscription to the broadcasts, on a socket of its own. */
struct availcast_listener;

int availcast_listen(struct availcast_listener **listener,
		     struct availcast_error *error);
/*
 * As availcast_listen(), but never loads the module: asked for a family
 * it lacks, the generic netlink controller loads the module by its alias
 * (request_module() in ctrl_getfamily()), which a daemon retrying until
 * the module is back would do right after an admin's rmmod. Absent, or
 * not through its init, the module fails this with ENOENT as not loaded.
 */
int availcast_listen_loaded(struct availcast_listener **listener,
			    struct availcast_error *error);
void availcast_listener_close(struct availcast_listener *listener);
/* The socket, for poll(); readable when a broadcast waits. */
int availcast_listener_fd(const struct availcast_listener *listener);
/*
 * The next broadcast, waiting up to @timeout_ms (-1: forever). Returns 0,
 * ETIMEDOUT, ENOBUFS when broadcasts were lost because the socket's buffer
 * overflowed (the next call goes on), ENODEV when the module was unloaded
 * (the subscription is dead: close it, and listen again once the module
 * is back), or another errno. Free the snapshot with
 * availcast_snapshot_free().
 */
int availcast_listener_next(struct availcast_listener *listener,
			    struct availcast_snapshot *snapshot, int timeout_ms,
			    struct availcast_error *error);
/*
 * The newest of the broadcasts waiting, without waiting for one: reads up
 * to @max of them and parses only the newest, for a reader behind the
 * module that wants the current state rather than each in turn. Returns
 * 0 with it in @snapshot (free it with availcast_snapshot_free()),
 * ETIMEDOUT when none waited, ENODEV when the module was unloaded (as
 * availcast_listener_next()), or another errno. Adds to @skipped the
 * broadcasts read and passed over, and to @lost the times broadcasts
 * were lost because the socket's buffer overflowed.
 */
int availcast_listener_latest(struct availcast_listener *listener, unsigned int max,
			      struct availcast_snapshot *snapshot, uint64_t *skipped,
			      uint64_t *lost, struct availcast_error *error);

/*
 * Parses a GET reply or NOTIFY broadcast. Returns 0, or EINVAL with a
 * message when the message is malformed. Free with availcast_snapshot_free.
 */
int availcast_snapshot_parse(const struct nlmsghdr *nlh,
			     struct availcast_snapshot *snapshot,
			     struct availcast_error *error);
void availcast_snapshot_free(struct availcast_snapshot *snapshot);

/* Fills @error; returns error->code, i.e. @code. */
int availcast_error_set(struct availcast_error *error, int code,
			const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Names of enumerations, or "unknown"; and back (0 if unknown). */
const char *availcast_reason_name(uint32_t reason);
const char *availcast_kind_name(uint32_t kind);
const char *availcast_aggregation_name(uint32_t aggregation);
uint32_t availcast_aggregation_value(const char *name);

/*
 * Whether @name is a name by the module's rule (<linux/availcast.h>,
 * AVAILCAST_NAME_PUNCT) for a buffer of @size bytes: 1 to @size - 1 ASCII
 * letters, digits and "-._:".
 */
bool availcast_name_valid(const char *name, size_t size);

/* CLOCK_MONOTONIC now, in nanoseconds: the clock broadcasts use. */
uint64_t availcast_now_ns(void);

#endif /* AVAILCAST_LIB_H */
