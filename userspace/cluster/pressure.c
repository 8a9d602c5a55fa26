// SPDX-License-Identifier: GPL-2.0
/* Reading the host's PSI for the relay's reports: see pressure.h. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pressure.h"

/*
 * One file's "some avg10", in per mille. The first line reads
 * "some avg10=A.BB avg60=... avg300=... total=..." (Documentation/
 * accounting/psi.rst), the percentage with two decimals.
 */
static int read_some_avg10(const char *path, uint32_t *per_mille, char *why, size_t why_size)
{
	unsigned int whole, hundredths;
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
			 error == ENOENT || error == EOPNOTSUPP ?
			 " (the kernel has no PSI: built without CONFIG_PSI, or booted with psi=0)" :
			 "");
		return error;
	}
	text[len] = '\0';
	if (sscanf(text, "some avg10=%u.%2u ", &whole, &hundredths) != 2 || whole > 100) {
		snprintf(why, why_size, "%s: its first line gives no some avg10= percentage",
			 path);
		return EPROTO;
	}
	*per_mille = whole * 10 + hundredths / 10;
	if (*per_mille > PRESSURE_CAPACITY)
		*per_mille = PRESSURE_CAPACITY;
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
