/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The keys one node shares with each node it talks to (key.h says who
 * shares which), for each key id it holds: the key it sends with
 * (key-file, key-id) and, during a rollover, one more it accepts
 * (accept-key). Documentation/arbitration.rst, "Key rollover".
 */
#ifndef AVAILCTL_KEYRING_H
#define AVAILCTL_KEYRING_H

#include <stdbool.h>

#include "conf.h"
#include "wire.h"

#define KEYRING_SETS 2

struct keyring {
	unsigned int n_sets;		/* 1, or 2 during a rollover */
	struct keyring_set {
		uint16_t id;
		/* By conf_index(); .id is 0 where this node shares no key. */
		struct wire_key *pair;
		unsigned int n_pairs;
	} sets[KEYRING_SETS];
};

/*
 * The keys of @conf's node: from the cluster secret on a manager, from
 * its own node key on a host (a host refuses the secret, and a manager a
 * node key). Returns 0, or -1 with a message in @error.
 */
int keyring_load(struct keyring *ring, const struct conf *conf, char *error,
		 size_t error_size);
void keyring_free(struct keyring *ring);
/*
 * A reload: each key of @ring (for @conf) takes over the context its
 * twin in @old (for @old_conf: the same node, id and bytes) made, so that
 * a reload keys nothing anew and does not hold two of each.
 */
void keyring_adopt(struct keyring *ring, const struct conf *conf, struct keyring *old,
		   const struct conf *old_conf);

/* The key to send to node @index (conf_index()) with, or NULL. */
const struct wire_key *keyring_send_key(const struct keyring *ring, int index);

/*
 * wire_decode()'s key lookup for @conf's node (see wire_key_fn): the key
 * @key_id names, shared with @sender, for a datagram to @destination.
 * When @sender_index is not NULL, it gets @sender's conf_index() (-1 when
 * none): the one search of the name a datagram costs.
 */
const struct wire_key *keyring_lookup(const struct keyring *ring, const struct conf *conf,
				      uint16_t key_id, const char *sender,
				      const char *destination, int *sender_index,
				      enum wire_verdict *verdict);

#endif /* AVAILCTL_KEYRING_H */
