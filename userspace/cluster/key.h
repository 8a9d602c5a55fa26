/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cluster's shared key: a file of 64 hexadecimal digits (256 bits),
 * readable by its owner only.
 */
#ifndef AVAILCTL_KEY_H
#define AVAILCTL_KEY_H

#include <stdint.h>

#include "wire.h"

/*
 * Loads @path into @key (with @id). Returns 0, or -1 with a message in
 * @error saying what to fix: a file group or others may read or write is
 * refused, as is anything but 64 hex digits and an optional newline.
 */
int key_load(const char *path, uint16_t id, struct wire_key *key,
	     char *error, size_t error_size);

/* Creates @path with a new random key, mode 0600; fails if it exists. */
int key_generate(const char *path, char *error, size_t error_size);

#endif /* AVAILCTL_KEY_H */
