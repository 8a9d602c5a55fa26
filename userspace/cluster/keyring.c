// SPDX-License-Identifier: GPL-2.0
/* Each node's pair keys, for each key id it holds. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "key.h"
#include "keyring.h"

static const char *name_of(const struct conf *c, unsigned int index)
{
	return index < 2 ? c->managers[index].name : c->hosts[index - 2].name;
}

/*
 * The key @self and @other share, into @out, from @own (the secret on a
 * manager, the node key on a host). False when they share none (two
 * hosts), or @own cannot make it.
 */
static bool pair_key(const struct conf *c, const struct key_material *own,
		     const char *self, const char *other, uint8_t out[WIRE_KEY_SIZE])
{
	bool self_manager = conf_is_manager(c, self), other_manager = conf_is_manager(c, other);
	const char *first, *second;
	uint8_t first_key[WIRE_KEY_SIZE];

	if (!self_manager && !other_manager)
		return false;
	if (self_manager && other_manager) {
		first = strcmp(self, other) < 0 ? self : other;
		second = first == self ? other : self;
	} else {
		first = self_manager ? other : self;
		second = self_manager ? self : other;
	}
	if (own->node[0]) {
		/* A host: only its own pairs, from its own key. */
		if (strcmp(first, own->node))
			return false;
		memcpy(first_key, own->bytes, sizeof(first_key));
	} else {
		key_node_key(own->bytes, first, first_key);
	}
	key_pair_key(first_key, second, out);
	sodium_memzero(first_key, sizeof(first_key));
	return true;
}

static void free_set(struct keyring_set *set)
{
	unsigned int i;

	for (i = 0; set->pair && i < set->n_pairs; i++)
		wire_key_forget(&set->pair[i]);
	free(set->pair);
	set->pair = NULL;
	set->n_pairs = 0;
}

static int load_set(struct keyring_set *set, const struct conf *c, const char *path,
		    uint16_t id, char *error, size_t error_size)
{
	unsigned int i, n = c->n_managers + c->n_hosts;
	bool manager = conf_is_manager(c, c->node);
	struct key_material own;

	if (key_load(path, &own, error, error_size))
		return -1;
	if (manager && own.node[0]) {
		snprintf(error, error_size,
			 "key file %s holds the key of node %s: a manager needs the cluster secret",
			 path, own.node);
		goto fail;
	}
	if (!manager && strcmp(own.node, c->node)) {
		snprintf(error, error_size, own.node[0] ?
			 "key file %s holds the key of node %s, not of %s" :
			 "key file %s holds the cluster secret, which only the managers may hold: give %s its own key ('availctl keygen --node %s --secret SECRET FILE' on a manager)",
			 path, own.node[0] ? own.node : c->node, c->node);
		goto fail;
	}
	set->id = id;
	set->pair = calloc(n, sizeof(*set->pair));
	set->n_pairs = n;
	if (!set->pair) {
		snprintf(error, error_size, "out of memory for %u keys", n);
		goto fail;
	}
	for (i = 0; i < n; i++) {
		if (!strcmp(name_of(c, i), c->node) ||
		    !pair_key(c, &own, c->node, name_of(c, i), set->pair[i].bytes))
			continue;
		set->pair[i].id = id;
		/* Keyed at first use, once: a manager checks each host's reports with it. */
		wire_key_prepare(&set->pair[i]);
	}
	sodium_memzero(&own, sizeof(own));
	return 0;
fail:
	sodium_memzero(&own, sizeof(own));
	return -1;
}

int keyring_load(struct keyring *ring, const struct conf *conf, char *error,
		 size_t error_size)
{
	memset(ring, 0, sizeof(*ring));
	if (conf->accept_key_file[0] && conf->accept_key_id == conf->key_id) {
		snprintf(error, error_size, "accept-key has the id of key-file (%u): give it another",
			 conf->key_id);
		conf_blame(conf, "accept-key", error, error_size);
		return -1;
	}
	if (load_set(&ring->sets[0], conf, conf->key_file, conf->key_id, error, error_size)) {
		conf_blame(conf, "key-file", error, error_size);
		return -1;
	}
	ring->n_sets = 1;
	if (conf->accept_key_file[0]) {
		if (load_set(&ring->sets[1], conf, conf->accept_key_file, conf->accept_key_id,
			     error, error_size)) {
			conf_blame(conf, "accept-key", error, error_size);
			keyring_free(ring);
			return -1;
		}
		ring->n_sets = 2;
	}
	return 0;
}

void keyring_free(struct keyring *ring)
{
	unsigned int i;

	for (i = 0; i < ring->n_sets; i++)
		free_set(&ring->sets[i]);
	memset(ring, 0, sizeof(*ring));
}

void keyring_adopt(struct keyring *ring, const struct conf *conf, struct keyring *old,
		   const struct conf *old_conf)
{
	unsigned int s, o, i;
	int from;

	for (s = 0; s < ring->n_sets; s++)
		for (o = 0; o < old->n_sets; o++) {
			if (ring->sets[s].id != old->sets[o].id)
				continue;
			for (i = 0; i < ring->sets[s].n_pairs; i++) {
				from = conf_index(old_conf, name_of(conf, i));
				if (from >= 0 && (unsigned int)from < old->sets[o].n_pairs)
					wire_key_adopt(&ring->sets[s].pair[i],
						       &old->sets[o].pair[from]);
			}
		}
}

const struct wire_key *keyring_send_key(const struct keyring *ring, int index)
{
	if (!ring->n_sets || index < 0 || !ring->sets[0].pair[index].id)
		return NULL;
	return &ring->sets[0].pair[index];
}

const struct wire_key *keyring_lookup(const struct keyring *ring, const struct conf *conf,
				      uint16_t key_id, const char *sender,
				      const char *destination, int *sender_index,
				      enum wire_verdict *verdict)
{
	int index = conf_index(conf, sender);
	unsigned int i;

	if (sender_index)
		*sender_index = index;
	if (strcmp(destination, conf->node)) {
		*verdict = WIRE_MISDIRECTED;
		return NULL;
	}
	for (i = 0; i < ring->n_sets; i++) {
		if (ring->sets[i].id != key_id)
			continue;
		/* Not ourselves, nor a node we share no key with (host to host). */
		if (index >= 0 && ring->sets[i].pair[index].id)
			return &ring->sets[i].pair[index];
		*verdict = WIRE_UNKNOWN_SENDER;
		return NULL;
	}
	*verdict = WIRE_UNKNOWN_KEY;
	return NULL;
}
