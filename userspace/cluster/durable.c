// SPDX-License-Identifier: GPL-2.0
/* Temporary file, fsync, rename, fsync of the directory; and undoing it. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "durable.h"

/* Whether the tests want @step to fail: 0, or the errno it fails with. */
static int injected(const struct durable_faults *faults, enum durable_step step)
{
	int error;

	if (!faults)
		return 0;
	error = faults->before(faults->ctx, step);
	if (error)
		errno = error;
	return error;
}

static int fsync_dir(const char *dir, const struct durable_faults *faults)
{
	int fd, saved;

	if (injected(faults, DURABLE_FSYNC_DIR))
		return -1;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fsync(fd)) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return close(fd);
}

/* Sets *@renamed once @path holds the new content, durable or not. */
static int replace(const char *dir, const char *tmp_path, const char *path,
		   const void *data, size_t len, mode_t mode,
		   const struct durable_faults *faults, bool *renamed)
{
	int fd, saved;
	ssize_t n;

	*renamed = false;
	if (injected(faults, DURABLE_OPEN))
		return -1;
	fd = open(tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -1;
	n = injected(faults, DURABLE_WRITE) ? -1 : write(fd, data, len);
	if (n != (ssize_t)len || injected(faults, DURABLE_FSYNC) || fsync(fd)) {
		/* A short write is the disk filling up. */
		saved = n >= 0 && n != (ssize_t)len ? ENOSPC : errno;
		close(fd);
		unlink(tmp_path);
		errno = saved;
		return -1;
	}
	if (close(fd) || injected(faults, DURABLE_RENAME) || rename(tmp_path, path)) {
		saved = errno;
		unlink(tmp_path);
		errno = saved;
		return -1;
	}
	*renamed = true;
	return fsync_dir(dir, faults);
}

int durable_replace(const char *dir, const char *tmp_path, const char *path,
		    const void *data, size_t len, mode_t mode)
{
	bool renamed;

	return replace(dir, tmp_path, path, data, len, mode, NULL, &renamed);
}

int durable_file_init(struct durable_file *f, const char *dir, const char *name,
		      const char *copy_dir, const char *copy_name, mode_t mode)
{
	f->mode = mode;
	f->faults = NULL;
	f->copy_path[0] = f->copy_tmp_path[0] = '\0';
	if ((size_t)snprintf(f->dir, sizeof(f->dir), "%s", dir) >= sizeof(f->dir) ||
	    (size_t)snprintf(f->path, sizeof(f->path), "%s/%s", dir, name) >= sizeof(f->path) ||
	    (size_t)snprintf(f->tmp_path, sizeof(f->tmp_path), "%s/.%s.tmp", dir, name) >=
		    sizeof(f->tmp_path))
		return -1;
	if (copy_dir &&
	    ((size_t)snprintf(f->copy_path, sizeof(f->copy_path), "%s/%s", copy_dir,
			      copy_name) >= sizeof(f->copy_path) ||
	     (size_t)snprintf(f->copy_tmp_path, sizeof(f->copy_tmp_path), "%s/.%s.tmp",
			      copy_dir, copy_name) >= sizeof(f->copy_tmp_path)))
		return -1;
	return 0;
}

ssize_t durable_file_read(const struct durable_file *f, bool copy, char *buf, size_t size)
{
	const char *path = copy ? f->copy_path : f->path;
	ssize_t n;
	int fd, saved;

	if (!path[0]) {
		errno = ENOENT;
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size);
	saved = errno;
	close(fd);
	if (n >= 0 && (size_t)n >= size) {
		saved = EFBIG;
		n = -1;
	}
	errno = saved;
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/*
 * The runtime copy, after the file: written and renamed, not fsynced (it
 * lives in memory, and only has to outlive a restart of the daemon).
 * It is the last write reported done, or nothing: a copy left from an
 * earlier write would be read at the next start as what this node last
 * wrote, and bring back what the file let go of since (a manager's
 * withdrawn move), so when this write fails the old copy goes too.
 * Returns -1 when the copy could be neither written nor removed (a /run
 * made read-only): the caller fails the write.
 */
static int write_copy(const struct durable_file *f, const void *data, size_t len)
{
	bool written;
	int fd;

	if (!f->copy_path[0])
		return 0;
	fd = open(f->copy_tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, f->mode);
	if (fd >= 0) {
		written = write(fd, data, len) == (ssize_t)len;
		if (!close(fd) && written && !rename(f->copy_tmp_path, f->copy_path))
			return 0;
		unlink(f->copy_tmp_path);
	}
	return unlink(f->copy_path) && errno != ENOENT ? -1 : 0;
}

/* Puts @old back: no file when it is NULL. */
static int restore(const struct durable_file *f, const void *old, size_t old_len)
{
	bool renamed;

	if (old)
		return replace(f->dir, f->tmp_path, f->path, old, old_len, f->mode,
			       f->faults, &renamed);
	if (injected(f->faults, DURABLE_UNLINK) || (unlink(f->path) && errno != ENOENT))
		return -1;
	return fsync_dir(f->dir, f->faults);
}

int durable_file_replace(const struct durable_file *f, const void *data, size_t len,
			 const void *old, size_t old_len, bool *unsure)
{
	bool renamed;
	int saved;

	if (unsure)
		*unsure = false;
	if (!replace(f->dir, f->tmp_path, f->path, data, len, f->mode, f->faults, &renamed) &&
	    !write_copy(f, data, len))
		return 0;
	saved = errno;
	/*
	 * Failed before the rename, the old file stands. After it (the
	 * directory's fsync failed, or the runtime copy could not be
	 * made to match), the new one is visible but not durable, or
	 * not the last write done, and a crash could bring back either:
	 * write the old one again, so that what is on disk is what was
	 * promised.
	 */
	if (renamed && restore(f, old, old_len) && unsure)
		*unsure = true;
	errno = saved;
	return -1;
}

void durable_dir_of(const char *path, char dir[PATH_MAX])
{
	char *slash;

	snprintf(dir, PATH_MAX, "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, PATH_MAX, ".");
	else
		slash[slash == dir] = '\0';	/* "/x": the root */
}

int durable_replace_file(const char *path, const void *data, size_t len, mode_t mode)
{
	char tmp[PATH_MAX], dir[PATH_MAX];

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	durable_dir_of(path, dir);
	return durable_replace(dir, tmp, path, data, len, mode);
}
