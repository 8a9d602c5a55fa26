// SPDX-License-Identifier: GPL-2.0
/*
 * write_once FILE VALUE: writes VALUE to FILE in a single write(2), as a
 * sysfs store sees it; a shell would split it at newlines. VALUE takes the
 * escapes \n \t \0 \\ and \xNN. Exits 0 when the whole value was written,
 * else prints the error (e.g. "Invalid argument") and exits 1.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static size_t unescape(const char *in, char *out)
{
	size_t n = 0;

	while (*in) {
		if (*in != '\\' || !in[1]) {
			out[n++] = *in++;
			continue;
		}
		in++;
		switch (*in) {
		case 'n': out[n++] = '\n'; in++; break;
		case 't': out[n++] = '\t'; in++; break;
		case '0': out[n++] = '\0'; in++; break;
		case 'x': {
			char hex[3] = { in[1], in[1] ? in[2] : 0, 0 };

			out[n++] = (char)strtol(hex, NULL, 16);
			in += 1 + strlen(hex);
			break;
		}
		default: out[n++] = *in++; break;
		}
	}
	return n;
}

int main(int argc, char **argv)
{
	char *value;
	ssize_t written;
	size_t len;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: write_once FILE VALUE\n");
		return 2;
	}
	value = malloc(strlen(argv[2]) + 1);
	if (!value)
		return 1;
	len = unescape(argv[2], value);
	fd = open(argv[1], O_WRONLY);
	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	written = write(fd, value, len);
	if (written < 0) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if ((size_t)written != len) {
		fprintf(stderr, "%s: wrote %zd of %zu bytes\n", argv[1], written, len);
		return 1;
	}
	return close(fd) ? 1 : 0;
}
