/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * availcast: host availability broadcast over generic netlink.
 *
 * This header is the single source of names for the kernel module and for
 * userspace. Enumerations are append-only: values never change once
 * released. Documentation/netlink/specs/availcast.yaml describes the same
 * family for the kernel's YNL tools, and Documentation/netlink.rst explains
 * every command and attribute.
 */
#ifndef _UAPI_LINUX_AVAILCAST_H
#define _UAPI_LINUX_AVAILCAST_H

#define AVAILCAST_GENL_NAME		"availcast"
#define AVAILCAST_GENL_VERSION		1
#define AVAILCAST_MCGRP_AVAIL		"avail"

/* Availability is expressed per mille free: 0 = exhausted, 1000 = idle. */
#define AVAILCAST_LEVEL_MAX		1000

/* Buffer sizes, including the terminating NUL. */
#define AVAILCAST_NAME_SIZE		32
#define AVAILCAST_NODE_ID_SIZE		64

/*
 * Names, one rule for all: pools and resources (AVAILCAST_NAME_SIZE), the
 * node id (AVAILCAST_NODE_ID_SIZE), and the nodes and clusters of
 * availctl's cluster configuration, whose datagrams carry resource names
 * from host to host (AVAILCAST_NAME_SIZE). A name is 1 to size - 1 bytes,
 * each an ASCII letter or digit or one of AVAILCAST_NAME_PUNCT: no space,
 * no control character, no byte above 0x7f, so that a name reads the same
 * in every encoding, in a file name and in a log line. The module refuses
 * any other with EINVAL; availctl's wire format carries exactly these.
 */
#define AVAILCAST_NAME_PUNCT		"-._:"

/*
 * The resource that availctl's relay reads from /proc/pressure (pressure
 * stall information) and adds to its reports beside the module's: no
 * pool may take its name.
 */
#define AVAILCAST_PRESSURE_NAME		"pressure"

/* Most level thresholds that can be configured at once. */
#define AVAILCAST_THRESHOLDS_MAX	8

/* Most pools there can be at once. */
#define AVAILCAST_POOLS_MAX		64

/* Bounds of the configuration, as CONFIG_SET and sysfs enforce them. */
#define AVAILCAST_INTERVAL_MS_MIN	10
#define AVAILCAST_INTERVAL_MS_MAX	600000
#define AVAILCAST_DELTA_MIN		1
#define AVAILCAST_DELTA_MAX		1000
#define AVAILCAST_THRESHOLD_MIN		1
#define AVAILCAST_THRESHOLD_MAX		999
#define AVAILCAST_TOKENS_MIN		1
#define AVAILCAST_TOKENS_MAX		1000
#define AVAILCAST_SAMPLE_MS_MIN		10
#define AVAILCAST_SAMPLE_MS_MAX		60000

/* Why a broadcast was sent. */
enum availcast_reason {
	AVAILCAST_REASON_PERIODIC = 1,	/* the rate law's timer */
	AVAILCAST_REASON_THRESHOLD,	/* a level crossed a threshold or moved by delta */
	AVAILCAST_REASON_REQUEST,	/* an administrator asked for one */
	AVAILCAST_REASON_SHUTDOWN,	/* the module is unloading: no more will come */
};

/* Where a resource's numbers come from. */
enum availcast_resource_kind {
	AVAILCAST_RESOURCE_BUILTIN = 1,	/* sampled from the kernel's own accounting */
	AVAILCAST_RESOURCE_POOL,	/* created at run time, charged and released */
};

/* How resource levels combine into the host level. */
enum availcast_aggregation {
	AVAILCAST_AGGREGATION_MIN = 1,	/* the scarcest resource decides */
	AVAILCAST_AGGREGATION_MEAN,	/* the average of all resources */
};

/* Attributes of a snapshot: replies to GET and every broadcast. */
enum {
	AVAILCAST_A_UNSPEC,
	AVAILCAST_A_PAD,
	AVAILCAST_A_NODE_ID,		/* string: who is speaking */
	AVAILCAST_A_SEQ,		/* u64: broadcast sequence number */
	AVAILCAST_A_TIMESTAMP_NS,	/* u64: CLOCK_MONOTONIC when built */
	AVAILCAST_A_LEVEL,		/* u32: host level, 0..1000 */
	AVAILCAST_A_REASON,		/* u32: enum availcast_reason */
	AVAILCAST_A_NEXT_DEADLINE_NS,	/* u64: CLOCK_MONOTONIC by which the next comes */
	AVAILCAST_A_RESOURCE,		/* nest, repeated: AVAILCAST_RES_A_* */
	AVAILCAST_A_STATS,		/* nest: AVAILCAST_STATS_A_*, GET replies only */

	__AVAILCAST_A_MAX,
	AVAILCAST_A_MAX = __AVAILCAST_A_MAX - 1
};

/* Attributes of a resource: nested in snapshots, top level for pool commands. */
enum {
	AVAILCAST_RES_A_UNSPEC,
	AVAILCAST_RES_A_PAD,
	AVAILCAST_RES_A_NAME,		/* string */
	AVAILCAST_RES_A_KIND,		/* u32: enum availcast_resource_kind */
	AVAILCAST_RES_A_CAPACITY,	/* u64 */
	AVAILCAST_RES_A_USED,		/* s64: may dip below 0 if over-released */
	AVAILCAST_RES_A_LEVEL,		/* u32: 0..1000 */
	AVAILCAST_RES_A_AMOUNT,		/* u64: to charge or release (requests only) */

	__AVAILCAST_RES_A_MAX,
	AVAILCAST_RES_A_MAX = __AVAILCAST_RES_A_MAX - 1
};

/* Attributes of the configuration: CONFIG_GET replies and CONFIG_SET requests. */
enum {
	AVAILCAST_CFG_A_UNSPEC,
	AVAILCAST_CFG_A_NODE_ID,	/* string */
	AVAILCAST_CFG_A_INTERVAL_MIN_MS,/* u32: period at full availability */
	AVAILCAST_CFG_A_INTERVAL_MAX_MS,/* u32: period at zero availability */
	AVAILCAST_CFG_A_DELTA,		/* u32: level change that triggers a message */
	AVAILCAST_CFG_A_THRESHOLDS,	/* nest: AVAILCAST_THRESHOLD_A_*; empty = none */
	AVAILCAST_CFG_A_TB_RATE,	/* u32: immediate messages per second, sustained */
	AVAILCAST_CFG_A_TB_BURST,	/* u32: immediate messages in a burst */
	AVAILCAST_CFG_A_AGGREGATION,	/* u32: enum availcast_aggregation */
	AVAILCAST_CFG_A_SAMPLE_MS,	/* u32: built-in resources' sampling period */
	AVAILCAST_CFG_A_ALL_NETNS,	/* u8: broadcast to, and be read from, every netns */

	__AVAILCAST_CFG_A_MAX,
	AVAILCAST_CFG_A_MAX = __AVAILCAST_CFG_A_MAX - 1
};

/* Level thresholds, nested in AVAILCAST_CFG_A_THRESHOLDS, ascending. */
enum {
	AVAILCAST_THRESHOLD_A_UNSPEC,
	AVAILCAST_THRESHOLD_A_LEVEL,	/* u32, repeated: 1..999 */

	__AVAILCAST_THRESHOLD_A_MAX,
	AVAILCAST_THRESHOLD_A_MAX = __AVAILCAST_THRESHOLD_A_MAX - 1
};

/* Counters, nested in GET replies. */
enum {
	AVAILCAST_STATS_A_UNSPEC,
	AVAILCAST_STATS_A_PAD,
	AVAILCAST_STATS_A_SENT,		/* u64: broadcasts multicast */
	AVAILCAST_STATS_A_SUPPRESSED,	/* u64: immediate ones delayed by the token bucket */
	AVAILCAST_STATS_A_FAILED,	/* u64: broadcasts that could not be built or sent */
	AVAILCAST_STATS_A_UNHEARD,	/* u64: due broadcasts not built: nobody listened */

	__AVAILCAST_STATS_A_MAX,
	AVAILCAST_STATS_A_MAX = __AVAILCAST_STATS_A_MAX - 1
};

enum {
	AVAILCAST_CMD_UNSPEC,
	AVAILCAST_CMD_GET,		/* do: the current snapshot with counters */
	AVAILCAST_CMD_RESOURCE_GET,	/* do by name, or dump (optionally of one kind) */
	AVAILCAST_CMD_CONFIG_GET,	/* do: the configuration */
	AVAILCAST_CMD_CONFIG_SET,	/* do, admin: change configuration */
	AVAILCAST_CMD_POOL_NEW,		/* do, admin: create a pool */
	AVAILCAST_CMD_POOL_DEL,		/* do, admin: delete a pool */
	AVAILCAST_CMD_POOL_CHARGE,	/* do, admin: charge a pool */
	AVAILCAST_CMD_POOL_RELEASE,	/* do, admin: release a pool */
	AVAILCAST_CMD_ANNOUNCE,		/* do, admin: broadcast now (token bucket applies) */
	AVAILCAST_CMD_NOTIFY,		/* multicast only: a broadcast */

	__AVAILCAST_CMD_MAX,
	AVAILCAST_CMD_MAX = __AVAILCAST_CMD_MAX - 1
};

#endif /* _UAPI_LINUX_AVAILCAST_H */
