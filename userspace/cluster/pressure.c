// SPDX-License-Identifier: GPL-2.0
/* Reading the host's PSI for the relay's reports: see pressure.h. */

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pressure.h"

/* Reads up to @max_digits decimal digits at *@s into @value; how many. */
static int read_digits(const char **s, unsigned int max_digits, uint32_t *value)
{
	int n = 0;

	*value = 0;
	while (n < (int)max_digits && **s >= '0' && **s <= '9') {
		*value = *value * 10 + (uint32_t)(**s - '0');
		(*s)++;
		n++;
	}
	return n;
}

int pressure_parse(const char *text, uint32_t *per_mille)
{
	static const char prefix[] = "some avg10=";
	uint32_t whole, hundredths;
	const char *s = text;

	if (strncmp(s, prefix, sizeof(prefix) - 1))
		return EPROTO;
	s += sizeof(prefix) - 1;
	/* "%lu.%02lu" (psi_show()): a percentage, 0.00 to 100.00. */
	if (read_digits(&s, 3, &whole) < 1 || *s++ != '.' ||
	    read_digits(&s, 2, &hundredths) != 2 || (*s != ' ' && *s != '\n' && *s) ||
	    whole > 100 || (whole == 100 && hundredths))
		return EPROTO;
	*per_mille = whole * 10 + hundredths / 10;
	return 0;
}

/* One file's "some avg10", in per mille: see pressure_read(). */
static int read_some_avg10(const char *path, uint32_t *per_mille, char *why, size_t why_size)
{
	char text[128];
	ssize_t len;
	int fd, error;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	len = fd < 0 ? -1 : read(fd, text, sizeof(text) - 1);
	error = errno;
	if (fd >= 0)
		close(fd);
	if (len < 0) {
		snprintf(why, why_size, "%s: %s%s", path, strerror(error),
			 error == ENOENT || error == EOPNOTSUPP ? " (" PRESSURE_ABSENT_HINT ")" : "");
		return error;
	}
	text[len] = '\0';
	if (pressure_parse(text, per_mille)) {
		snprintf(why, why_size, "%s: its first line gives no some avg10= percentage",
			 path);
		return EPROTO;
	}
	return 0;
}

int pressure_read(const char *dir, uint32_t *per_mille, char *why, size_t why_size)
{
	static const char *const files[] = { "cpu", "memory", "io" };
	char path[256];
	uint32_t worst = 0, one = 0;
	size_t i;
	int error;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		error = read_some_avg10(path, &one, why, why_size);
		if (error)
			return error;
		if (one > worst)
			worst = one;
	}
	*per_mille = worst;
	return 0;
}
