/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The datagrams availctl's daemons exchange over UDP: relay reports,
 * heartbeats and witness confirmations between the managers, and witness
 * reads and compare-and-swaps. Every one is authenticated with
 * HMAC-SHA256 under the key its sender and destination share (key.h), and
 * names both; see Documentation/arbitration.rst for the layout.
 *
 * Layout, all integers big-endian:
 *   magic u32 | version u8 | type u8 | key id u16 | seq u64 | time_ms u64 |
 *   sender[32] | destination[32] | body length u16 | body |
 *   HMAC-SHA256 over all before (32)
 */
#ifndef AVAILCTL_WIRE_H
#define AVAILCTL_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/availcast.h>

#include "mac.h"

#define WIRE_MAGIC		0x41564331u	/* "AVC1" */
#define WIRE_VERSION		2
/* Node, cluster and resource names, NUL included: the module's. */
#define WIRE_NAME_SIZE		AVAILCAST_NAME_SIZE
#define WIRE_KEY_SIZE		MAC_KEY_SIZE
#define WIRE_MAC_SIZE		MAC_SIZE
#define WIRE_HEADER_SIZE	(4 + 1 + 1 + 2 + 8 + 8 + 2 * WIRE_NAME_SIZE + 2)
#define WIRE_RESOURCES_MAX	80	/* two built-ins, 64 pools and pressure fit */
#define WIRE_MAX		8192	/* anything longer is refused unread */

enum wire_type {
	WIRE_REPORT = 1,	/* relay -> managers: a host's broadcast */
	WIRE_HEARTBEAT,		/* manager <-> manager */
	WIRE_PROPOSE,		/* active -> standby: may this host be the witness? */
	WIRE_PROPOSE_REPLY,	/* standby -> active */
	WIRE_WITNESS_READ,	/* manager -> witness store */
	WIRE_WITNESS_CAS,	/* manager -> witness store */
	WIRE_WITNESS_REPLY,	/* witness store -> manager */
	WIRE_TYPE_MAX = WIRE_WITNESS_REPLY,
};

/* Why a datagram was dropped; each is counted apart. */
enum wire_verdict {
	WIRE_OK = 0,
	WIRE_TRUNCATED,		/* shorter than its header, body or MAC */
	WIRE_OVERSIZED,		/* longer than WIRE_MAX */
	WIRE_MALFORMED,		/* bad magic, version, type, name or body */
	WIRE_UNKNOWN_KEY,	/* a key id we do not hold */
	WIRE_FORGED,		/* the MAC does not verify */
	WIRE_REPLAYED,		/* its number was seen before, or is too old */
	WIRE_UNKNOWN_SENDER,	/* from no node we share a key with */
	WIRE_MISDIRECTED,	/* addressed to another node */
	WIRE_CLOCK_DISTANCE,	/* sent further than replay-window-ms from our wall clock */
	WIRE_VERDICTS,
};

const char *wire_verdict_name(enum wire_verdict verdict);

struct wire_key {
	uint16_t id;
	uint8_t bytes[WIRE_KEY_SIZE];
	/*
	 * A key wire_key_prepare() marked keeps a context (mac.h), keyed
	 * when it first signs a datagram or checks an authentic one, for
	 * every datagram after; others are keyed anew for each tag (slower).
	 * A cache, made on use even through a const pointer, so that a
	 * keyring of 100,000 hosts costs no time to load or reload (about
	 * 3 us and 1 KB a context) and memory only for the peers that
	 * speak: not for names a forger uses.
	 */
	struct mac *mac;
	bool keeps_mac;
};

/*
 * Marks @key, one kept for many datagrams (a node's pair keys), to keep
 * its context once made. Its copies must not: free it once, with
 * wire_key_forget().
 */
void wire_key_prepare(struct wire_key *key);

/*
 * The context of @from, keyed already, given to @to, a key of the same id
 * and bytes (a reload keeps it): true if it was given.
 */
bool wire_key_adopt(struct wire_key *to, struct wire_key *from);

/* Frees the context, if one was made, and wipes the key. */
void wire_key_forget(struct wire_key *key);

struct wire_resource {
	char name[WIRE_NAME_SIZE];
	uint16_t level;
	uint64_t capacity;
	int64_t used;
};

struct wire_report {
	uint16_t level;
	uint8_t reason;			/* enum availcast_reason */
	uint64_t kernel_seq;
	uint32_t time_left_ms;		/* until the next broadcast is due */
	uint16_t n_resources;
	struct wire_resource resources[WIRE_RESOURCES_MAX];
};

/* The witness both managers agreed on, and the record it holds. */
struct wire_witness_ref {
	char host[WIRE_NAME_SIZE];	/* "" when there is none yet */
	uint64_t epoch;
	uint64_t generation;
};

struct wire_heartbeat {
	uint8_t role;			/* enum arbiter_role */
	uint64_t epoch;
	struct wire_witness_ref witness;
	uint64_t token;			/* the sender's clock when sent */
	uint64_t echo;			/* the last token heard from the peer */
	/*
	 * The sender's promise on @echo (0: none): it takes no step against
	 * the peer before this many ms of true time have passed since it
	 * received the heartbeat that carried that token.
	 */
	uint32_t promise_ms;
	uint8_t flags;			/* WIRE_HEARTBEAT_* */
};

/* The sender sees the heartbeat's witness available (its reports reach it). */
#define WIRE_HEARTBEAT_SEES_WITNESS	0x01
/* An answer, sent at once, to a heartbeat of the receiver's: never answered. */
#define WIRE_HEARTBEAT_ANSWER		0x02
/*
 * The sender claimed an epoch above the one it names (a claim or a
 * takeover not taken up, on its disk): it says no to moves from an older
 * one, so the active goes above it.
 */
#define WIRE_HEARTBEAT_CLAIMED_ABOVE	0x04
#define WIRE_HEARTBEAT_FLAGS		0x07

struct wire_propose {
	char host[WIRE_NAME_SIZE];
	uint64_t epoch;
	uint64_t generation;		/* the witness generation to agree on */
	uint8_t accepted;		/* replies: 1 if agreed */
};

struct wire_record {
	char cluster[WIRE_NAME_SIZE];
	char active[WIRE_NAME_SIZE];
	uint64_t epoch;
	uint64_t generation;
	uint32_t lease_ms;
};

/* Outcomes of a witness request. */
enum witness_status {
	WITNESS_DONE = 0,
	WITNESS_EMPTY,		/* read: no record yet */
	WITNESS_CONFLICT,	/* CAS: the record is not the one expected */
	WITNESS_STALE_EPOCH,	/* CAS: the request's epoch is older */
	WITNESS_LEASE_HELD,	/* CAS: another manager's lease runs */
	WITNESS_CORRUPT,	/* the file fails its checks */
	WITNESS_IO_ERROR,	/* could not be made durable */
	WITNESS_WRONG_CLUSTER,
	WITNESS_BAD_REQUEST,	/* e.g. a manager naming another as active */
	WITNESS_STATUSES,
};

const char *witness_status_name(enum witness_status status);

enum witness_op {
	WITNESS_OP_READ = 1,
	WITNESS_OP_CAS,
};

struct wire_witness {
	uint8_t op;			/* enum witness_op; echoed by the reply */
	uint64_t token;			/* echoed by the reply */
	uint64_t expect_epoch;		/* CAS */
	uint64_t expect_generation;	/* CAS */
	struct wire_record record;	/* CAS: the new one; reply: the current */
	uint8_t status;			/* reply: enum witness_status */
	uint32_t lease_left_ms;		/* reply: the holder's lease, by the store's clock */
	/*
	 * Reply to a CAS that succeeded: the lease this request was granted,
	 * in ms of true time at least, from the store's receipt of it.
	 */
	uint32_t granted_ms;
	/*
	 * Replies: how well the store takes durable writes now (see
	 * witness_store_health()): WITNESS_WRITES_* flags, and the time its
	 * last write took, or the one in progress has taken so far, in ms.
	 */
	uint8_t store_flags;
	uint32_t write_ms;
};

/* The store's last durable write (its own, or its probe's) failed. */
#define WITNESS_WRITES_FAILING	0x01
#define WITNESS_STORE_FLAGS	0x01

struct wire_message {
	/*
	 * Not on the wire: the receiver's number for the sender (its
	 * conf_index()), set by node_accept() from the key lookup, so that
	 * nothing after it looks the name up again; -1 elsewhere.
	 */
	int sender_index;
	uint8_t type;
	uint16_t key_id;
	uint64_t seq;
	uint64_t time_ms;		/* sender's CLOCK_REALTIME */
	char sender[WIRE_NAME_SIZE];
	char destination[WIRE_NAME_SIZE];
	union {
		struct wire_report report;
		struct wire_heartbeat heartbeat;
		struct wire_propose propose;
		struct wire_witness witness;
	};
};

/*
 * A node, cluster or resource name: the module's rule (<linux/availcast.h>),
 * 1 to 31 ASCII letters, digits and "-._:", so that every pool the module
 * allows reaches the managers.
 */
bool wire_name_valid(const char *name);

/*
 * Encodes and signs @msg into @buf with @key, the key its sender and
 * destination share. Returns the length, or 0 when it does not fit or
 * holds an invalid name.
 */
size_t wire_encode(const struct wire_message *msg, const struct wire_key *key,
		   uint8_t *buf, size_t size);

/*
 * How a receiver finds the key to check a datagram with, from what its
 * header claims: the key @sender and @destination share under @key_id.
 * Returns it, or NULL with *@verdict set: WIRE_UNKNOWN_KEY for an id not
 * held, WIRE_UNKNOWN_SENDER for a sender no key is shared with,
 * WIRE_MISDIRECTED for a destination that is not the receiver.
 */
typedef const struct wire_key *(*wire_key_fn)(void *ctx, uint16_t key_id,
					      const char *sender,
					      const char *destination,
					      enum wire_verdict *verdict);

/*
 * The type and sender a datagram of @len bytes at @buf claims, unchecked:
 * for choosing what to verify first, never for acting on. Returns false
 * when it is not even shaped like one of ours.
 */
bool wire_peek(const uint8_t *buf, size_t len, uint8_t *type, char sender[WIRE_NAME_SIZE]);

/*
 * Checks and decodes @len bytes: framing first, then the MAC under the
 * key @find_key gives, then the body. Nothing in @msg is meaningful
 * unless WIRE_OK is returned. Replay is the caller's to check
 * (replay.h), after this.
 */
enum wire_verdict wire_decode(const uint8_t *buf, size_t len, wire_key_fn find_key,
			      void *ctx, struct wire_message *msg);

#endif /* AVAILCTL_WIRE_H */
