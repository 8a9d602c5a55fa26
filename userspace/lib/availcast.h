/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libavailcast: a small client of the availcast generic netlink family,
 * over libnl-genl-3. Used by availctl and its daemons.
 *
 * Every call that can fail fills a struct availcast_error: the errno, and
 * the kernel's extended-ack message when it sent one, so that a refusal
 * reaches the user in the kernel's own words.
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
	uint32_t level;
	uint32_t reason;		/* enum availcast_reason, 0 for GET */
	bool has_level;
	bool has_stats;
	struct availcast_stats stats;
	size_t n_resources;
	struct availcast_resource *resources;	/* n_resources of them */
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

/* The name of a reason or kind, or "unknown". */
const char *availcast_reason_name(uint32_t reason);
const char *availcast_kind_name(uint32_t kind);

#endif /* AVAILCAST_LIB_H */
