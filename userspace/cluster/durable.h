/* SPDX-License-Identifier: GPL-2.0 */
/* Replacing a small file so that a crash leaves the old or the new one. */
#ifndef AVAILCTL_DURABLE_H
#define AVAILCTL_DURABLE_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Writes @len bytes to @tmp_path (created with @mode), fsyncs it, renames
 * it over @path and fsyncs @dir. Returns 0, or -1 with errno set.
 */
int durable_replace(const char *dir, const char *tmp_path, const char *path,
		    const void *data, size_t len, mode_t mode);

#endif /* AVAILCTL_DURABLE_H */
