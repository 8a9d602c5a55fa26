/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Key files, and the keys nodes share. Who may say what:
 *
 *   - the cluster secret (256 bits) is held by the two managers only;
 *   - each host holds its own node key, derived from the secret and its
 *     name, and nothing else;
 *   - a datagram between two nodes is signed with the key that pair
 *     shares, derived from the node key of the pair's host (of the
 *     manager whose name sorts first, between the managers) and the
 *     other's name.
 *
 * So a host's key lets it speak only as itself, and only to the
 * managers; nothing a manager says can be made with any host's key.
 * Derivation is keyed BLAKE2b (libsodium's crypto_generichash), a PRF.
 * Documentation/arbitration.rst, "Trust", says why this and not keys
 * listed per peer.
 *
 * Files, readable by their owner only:
 *   the secret:    64 hexadecimal digits (availctl keygen FILE)
 *   a node key:    "node NAME", then 64 hexadecimal digits
 *                  (availctl keygen --node NAME --secret SECRET FILE)
 */
#ifndef AVAILCTL_KEY_H
#define AVAILCTL_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

struct key_material {
	char node[WIRE_NAME_SIZE];	/* "": the cluster secret; else whose key */
	uint8_t bytes[WIRE_KEY_SIZE];
};

/*
 * Loads @path into @key. Returns 0, or -1 with a message in @error saying
 * what to fix: a file that is not a regular file owned by this user (a
 * symlink to one is fine), that group or others may access, or that holds
 * anything but one of the two forms above. A FIFO is refused without
 * blocking.
 */
int key_load(const char *path, struct key_material *key, char *error, size_t error_size);

/*
 * Creates @path (mode 0600; fails if it exists): a new random cluster
 * secret when @secret is NULL, else the node key of @node derived from it.
 */
int key_generate(const char *path, const struct key_material *secret, const char *node,
		 char *error, size_t error_size);

/* The node key of @node, from the cluster secret. */
void key_node_key(const uint8_t secret[WIRE_KEY_SIZE], const char *node,
		  uint8_t out[WIRE_KEY_SIZE]);

/*
 * The key a pair shares, from the node key of the pair's first node (the
 * host; between the managers, the name that sorts first) and the name of
 * the other.
 */
void key_pair_key(const uint8_t first_node_key[WIRE_KEY_SIZE], const char *second,
		  uint8_t out[WIRE_KEY_SIZE]);

#endif /* AVAILCTL_KEY_H */
