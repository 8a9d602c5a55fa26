// SPDX-License-Identifier: GPL-2.0
/* Temporary file, fsync, rename, fsync of the directory. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "durable.h"

int durable_replace(const char *dir, const char *tmp_path, const char *path,
		    const void *data, size_t len, mode_t mode)
{
	int fd, dir_fd, saved;
	ssize_t n;

	fd = open(tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -1;
	n = write(fd, data, len);
	if (n != (ssize_t)len || fsync(fd)) {
		saved = n >= 0 && n != (ssize_t)len ? EIO : errno;
		close(fd);
		unlink(tmp_path);
		errno = saved;
		return -1;
	}
	if (close(fd) || rename(tmp_path, path)) {
		saved = errno;
		unlink(tmp_path);
		errno = saved;
		return -1;
	}
	dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0)
		return -1;
	if (fsync(dir_fd)) {
		saved = errno;
		close(dir_fd);
		errno = saved;
		return -1;
	}
	return close(dir_fd);
}
