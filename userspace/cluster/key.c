// SPDX-License-Identifier: GPL-2.0
/* Loading and making the cluster's key file. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

#include "key.h"

#define KEY_HEX (2 * WIRE_KEY_SIZE)

int key_load(const char *path, uint16_t id, struct wire_key *key,
	     char *error, size_t error_size)
{
	char text[KEY_HEX + 2];
	struct stat st;
	size_t bin_len;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(error, error_size, "key file %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(error, error_size, "key file %s: not a regular file", path);
		goto fail;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(error, error_size,
			 "key file %s: group or others may access it (mode %03o): run 'chmod 600 %s'",
			 path, (unsigned int)(st.st_mode & 0777), path);
		goto fail;
	}
	n = read(fd, text, sizeof(text));
	if (n == KEY_HEX + 1 && text[KEY_HEX] == '\n')
		n--;
	if (n != KEY_HEX ||
	    sodium_hex2bin(key->bytes, sizeof(key->bytes), text, KEY_HEX, NULL,
			   &bin_len, NULL) || bin_len != WIRE_KEY_SIZE) {
		snprintf(error, error_size,
			 "key file %s: must hold exactly %d hexadecimal digits ('availctl keygen' makes one)",
			 path, KEY_HEX);
		goto fail;
	}
	key->id = id;
	close(fd);
	sodium_memzero(text, sizeof(text));
	return 0;
fail:
	close(fd);
	sodium_memzero(text, sizeof(text));
	return -1;
}

int key_generate(const char *path, char *error, size_t error_size)
{
	uint8_t bytes[WIRE_KEY_SIZE];
	char text[KEY_HEX + 2];
	int fd, ok;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(error, error_size, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (sodium_init() < 0) {
		snprintf(error, error_size, "libsodium could not start");
		close(fd);
		unlink(path);
		return -1;
	}
	randombytes_buf(bytes, sizeof(bytes));
	sodium_bin2hex(text, sizeof(text), bytes, sizeof(bytes));
	text[KEY_HEX] = '\n';
	ok = write(fd, text, KEY_HEX + 1) == KEY_HEX + 1 && !fsync(fd);
	if (!ok)
		snprintf(error, error_size, "%s: %s", path, strerror(errno));
	close(fd);
	sodium_memzero(bytes, sizeof(bytes));
	sodium_memzero(text, sizeof(text));
	if (!ok)
		unlink(path);
	return ok ? 0 : -1;
}
