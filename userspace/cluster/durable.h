/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Replacing a small file so that a crash leaves the old or the new one,
 * and a failure leaves the old one: the daemons' state (the managers'
 * agreed witness, the stores' witness records) is a promise to others,
 * and a write that failed must not stand as if it had been made.
 */
#ifndef AVAILCTL_DURABLE_H
#define AVAILCTL_DURABLE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The steps of a replacement, in order. */
enum durable_step {
	DURABLE_OPEN,		/* the temporary file, for writing */
	DURABLE_WRITE,
	DURABLE_FSYNC,		/* the temporary file */
	DURABLE_RENAME,		/* over the file */
	DURABLE_FSYNC_DIR,	/* the directory, making the rename durable */
	DURABLE_UNLINK,		/* restoring "no file" */
};

/*
 * Fault injection, for the tests: called before each step; a non-zero
 * return (an errno value) fails the step with that error.
 */
struct durable_faults {
	void *ctx;
	int (*before)(void *ctx, enum durable_step step);
};

/*
 * Writes @len bytes to @tmp_path (created with @mode), fsyncs it, renames
 * it over @path and fsyncs @dir. Returns 0, or -1 with errno set; after a
 * failure @path may hold the old content or the new one.
 */
int durable_replace(const char *dir, const char *tmp_path, const char *path,
		    const void *data, size_t len, mode_t mode);

/* The directory of @path, into @dir: "." for a bare name, "/" for "/x". */
void durable_dir_of(const char *path, char dir[PATH_MAX]);

/* durable_replace() of @path through @path.tmp, in @path's directory. */
int durable_replace_file(const char *path, const void *data, size_t len, mode_t mode);

/*
 * A state file: its directory, its path, its temporary file; and a copy
 * kept in a runtime directory (a tmpfs, /run), which a backup restored
 * over the state directory, or a write the disk lost, does not touch: at
 * start, a copy newer than the file shows the file went back, and a file
 * that differs from the copy holds no write this node acted on since.
 */
struct durable_file {
	char dir[PATH_MAX];
	char path[PATH_MAX];
	char tmp_path[PATH_MAX];
	char copy_path[PATH_MAX];	/* "": no runtime copy */
	char copy_tmp_path[PATH_MAX];
	mode_t mode;
	const struct durable_faults *faults;	/* NULL but in tests */
};

/*
 * Names @dir/@name (and @dir/.@name.tmp), and the runtime copy
 * @copy_dir/@copy_name when @copy_dir is not NULL. Returns -1 when the
 * paths are too long.
 */
int durable_file_init(struct durable_file *f, const char *dir, const char *name,
		      const char *copy_dir, const char *copy_name, mode_t mode);

/*
 * Reads the file (@copy false) or its runtime copy (@copy true) into @buf,
 * NUL-terminated. Returns its length, or -1 with errno set (ENOENT: none;
 * EFBIG: longer than @size - 1).
 */
ssize_t durable_file_read(const struct durable_file *f, bool copy, char *buf, size_t size);

/*
 * Replaces the file with @data, which is durable once this returns 0,
 * and then the runtime copy: a runtime copy that exists is the last
 * write that returned 0 (one that cannot be written is removed, which
 * only weakens the check; one that can be neither fails the write).
 * On failure, returns -1 with errno set by the step that failed and puts
 * @old (@old_len bytes; NULL when there was no file) back, durably too:
 * the file is then as if never touched. If even that fails, *@unsure is
 * set: the file may hold either, and the caller must not trust it.
 */
int durable_file_replace(const struct durable_file *f, const void *data, size_t len,
			 const void *old, size_t old_len, bool *unsure);

#endif /* AVAILCTL_DURABLE_H */
