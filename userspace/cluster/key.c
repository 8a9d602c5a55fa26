// SPDX-License-Identifier: GPL-2.0
/* Key files, and deriving node and pair keys (see key.h). */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

#include "key.h"

#define KEY_HEX (2 * WIRE_KEY_SIZE)
#define KEY_FILE_MAX (5 + WIRE_NAME_SIZE + KEY_HEX + 2)

/* A labelled PRF: BLAKE2b-256 keyed with @key over "@label@name". */
static void derive(const uint8_t key[WIRE_KEY_SIZE], const char *label, const char *name,
		   uint8_t out[WIRE_KEY_SIZE])
{
	crypto_generichash_state state;

	crypto_generichash_init(&state, key, WIRE_KEY_SIZE, WIRE_KEY_SIZE);
	crypto_generichash_update(&state, (const uint8_t *)label, strlen(label) + 1);
	crypto_generichash_update(&state, (const uint8_t *)name, strlen(name) + 1);
	crypto_generichash_final(&state, out, WIRE_KEY_SIZE);
	sodium_memzero(&state, sizeof(state));
}

void key_node_key(const uint8_t secret[WIRE_KEY_SIZE], const char *node,
		  uint8_t out[WIRE_KEY_SIZE])
{
	derive(secret, "availcast node key", node, out);
}

void key_pair_key(const uint8_t first_node_key[WIRE_KEY_SIZE], const char *second,
		  uint8_t out[WIRE_KEY_SIZE])
{
	derive(first_node_key, "availcast pair key", second, out);
}

/* The text of a key file into @key: [node NAME\n]HEX[\n]. */
static int parse(const char *path, char *text, size_t len, struct key_material *key,
		 char *error, size_t error_size)
{
	char *hex = text, *newline;
	size_t bin_len;

	memset(key, 0, sizeof(*key));
	if (len > 5 && !memcmp(text, "node ", 5)) {
		newline = memchr(text, '\n', len);
		if (!newline || (size_t)(newline - text - 5) >= WIRE_NAME_SIZE)
			goto bad;
		memcpy(key->node, text + 5, (size_t)(newline - text - 5));
		if (!wire_name_valid(key->node))
			goto bad;
		hex = newline + 1;
		len -= (size_t)(hex - text);
	}
	if (len == KEY_HEX + 1 && hex[KEY_HEX] == '\n')
		len--;
	if (len == KEY_HEX &&
	    !sodium_hex2bin(key->bytes, sizeof(key->bytes), hex, KEY_HEX, NULL, &bin_len, NULL) &&
	    bin_len == WIRE_KEY_SIZE)
		return 0;
bad:
	snprintf(error, error_size,
		 "key file %s: must hold %d hexadecimal digits, after a 'node NAME' line for a node's key ('availctl keygen' makes both)",
		 path, KEY_HEX);
	return -1;
}

int key_load(const char *path, struct key_material *key, char *error, size_t error_size)
{
	char text[KEY_FILE_MAX + 1];
	struct stat st;
	ssize_t n;
	int fd, ret = -1;

	/* Symlinks are followed (secret volumes are laid out so); O_NONBLOCK: a FIFO must not hang us. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(error, error_size, "key file %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(error, error_size, "key file %s: not a regular file", path);
		goto out;
	}
	if (st.st_uid != geteuid()) {
		snprintf(error, error_size, "key file %s: owned by uid %u, not by this user (%u)",
			 path, (unsigned int)st.st_uid, (unsigned int)geteuid());
		goto out;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(error, error_size,
			 "key file %s: group or others may access it (mode %03o): run 'chmod 600 %s'",
			 path, (unsigned int)(st.st_mode & 0777), path);
		goto out;
	}
	n = read(fd, text, sizeof(text));
	if (n < 0 || n > KEY_FILE_MAX) {
		snprintf(error, error_size, "key file %s: %s", path,
			 n < 0 ? strerror(errno) : "too long");
		goto out;
	}
	ret = parse(path, text, (size_t)n, key, error, error_size);
out:
	close(fd);
	sodium_memzero(text, sizeof(text));
	return ret;
}

int key_generate(const char *path, const struct key_material *secret, const char *node,
		 char *error, size_t error_size)
{
	char text[KEY_FILE_MAX + 1];
	struct key_material key = { 0 };
	int fd, len, ok;

	if (sodium_init() < 0) {
		snprintf(error, error_size, "libsodium could not start");
		return -1;
	}
	if (secret && (secret->node[0] || !wire_name_valid(node))) {
		snprintf(error, error_size, secret->node[0] ?
			 "a node key is derived from the cluster secret, not from another node's key" :
			 "'%s' is not a node name", node);
		return -1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(error, error_size, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (secret) {
		snprintf(key.node, sizeof(key.node), "%s", node);
		key_node_key(secret->bytes, node, key.bytes);
		len = snprintf(text, sizeof(text), "node %s\n", node);
	} else {
		randombytes_buf(key.bytes, sizeof(key.bytes));
		len = 0;
	}
	sodium_bin2hex(text + len, sizeof(text) - (size_t)len, key.bytes, sizeof(key.bytes));
	len += KEY_HEX;
	text[len++] = '\n';
	ok = write(fd, text, (size_t)len) == len && !fsync(fd);
	if (!ok)
		snprintf(error, error_size, "%s: %s", path, strerror(errno));
	close(fd);
	sodium_memzero(&key, sizeof(key));
	sodium_memzero(text, sizeof(text));
	if (!ok)
		unlink(path);
	return ok ? 0 : -1;
}
