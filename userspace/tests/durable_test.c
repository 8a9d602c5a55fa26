// SPDX-License-Identifier: GPL-2.0
/*
 * A state file and its runtime copy (durable.h), on real files under
 * /tmp: the copy is the file's last write, or there is none. A stale copy
 * would be taken at the next start for the newest record, and bring back
 * what the file let go of since (a move withdrawn, in a manager's state).
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "durable.h"
#include "kselftest_harness.h"

FIXTURE(state) {
	char dir[64];
	char run[80];			/* the runtime directory (a tmpfs, in life) */
	struct durable_file f;
};

FIXTURE_SETUP(state)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/durable_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->run, sizeof(self->run), "%s/run", self->dir);
	ASSERT_EQ(0, mkdir(self->run, 0700));
	ASSERT_EQ(0, durable_file_init(&self->f, self->dir, "m1.state", self->run,
				       "demo.m1.state", 0600));
}

FIXTURE_TEARDOWN(state)
{
	char command[128];

	snprintf(command, sizeof(command), "rm -rf %s", self->dir);
	if (system(command))
		abort();
}

/* What the file (@copy false) or its copy holds; "" with errno when it cannot be read. */
static const char *holds(const struct durable_file *f, bool copy, char buf[64])
{
	if (durable_file_read(f, copy, buf, 64) < 0)
		buf[0] = '\0';
	return buf;
}

TEST_F(state, each_write_goes_to_the_file_and_then_to_the_copy)
{
	char buf[64];

	ASSERT_EQ(0, durable_file_replace(&self->f, "one\n", 4, NULL, 0, NULL));
	EXPECT_STREQ("one\n", holds(&self->f, false, buf));
	EXPECT_STREQ("one\n", holds(&self->f, true, buf));
	ASSERT_EQ(0, durable_file_replace(&self->f, "two\n", 4, "one\n", 4, NULL));
	EXPECT_STREQ("two\n", holds(&self->f, false, buf));
	EXPECT_STREQ("two\n", holds(&self->f, true, buf));
}

/*
 * The copy's temporary file cannot be made (here a directory stands in
 * its way; in life a full /run, or one made read-only): the file's
 * write stands, and the copy that no longer matches it is removed.
 */
TEST_F(state, a_copy_that_cannot_be_written_is_removed_not_left_behind)
{
	char buf[64];

	ASSERT_EQ(0, durable_file_replace(&self->f, "offered\n", 8, NULL, 0, NULL));
	ASSERT_STREQ("offered\n", holds(&self->f, true, buf));
	ASSERT_EQ(0, mkdir(self->f.copy_tmp_path, 0700));
	ASSERT_EQ(0, durable_file_replace(&self->f, "withdrawn\n", 10, "offered\n", 8, NULL));
	EXPECT_STREQ("withdrawn\n", holds(&self->f, false, buf));
	EXPECT_STREQ("", holds(&self->f, true, buf)) TH_LOG("the stale copy is still there");
	EXPECT_EQ(ENOENT, errno);
	/* Once it can be written again, it follows the file again. */
	ASSERT_EQ(0, rmdir(self->f.copy_tmp_path));
	ASSERT_EQ(0, durable_file_replace(&self->f, "again\n", 6, "withdrawn\n", 10, NULL));
	EXPECT_STREQ("again\n", holds(&self->f, true, buf));
}

/* A file write that fails leaves both as they were: the copy is not ahead of the file. */
TEST_F(state, a_failed_write_leaves_the_file_and_the_copy_alone)
{
	char buf[64];

	ASSERT_EQ(0, durable_file_replace(&self->f, "one\n", 4, NULL, 0, NULL));
	ASSERT_EQ(0, mkdir(self->f.tmp_path, 0700));
	EXPECT_EQ(-1, durable_file_replace(&self->f, "two\n", 4, "one\n", 4, NULL));
	EXPECT_STREQ("one\n", holds(&self->f, false, buf));
	EXPECT_STREQ("one\n", holds(&self->f, true, buf));
}

/*
 * A copy that can be neither written nor removed (here a directory with
 * a file in it stands at its name; in life a /run made read-only): the
 * write fails and the file is put back, for the copy would no longer be
 * the last write done.
 */
TEST_F(state, a_copy_that_can_be_neither_written_nor_removed_fails_the_write)
{
	char buf[64], inside[PATH_MAX + 8];
	int fd;

	ASSERT_EQ(0, durable_file_replace(&self->f, "one\n", 4, NULL, 0, NULL));
	ASSERT_EQ(0, unlink(self->f.copy_path));
	ASSERT_EQ(0, mkdir(self->f.copy_path, 0700));
	snprintf(inside, sizeof(inside), "%s/x", self->f.copy_path);
	fd = open(inside, O_WRONLY | O_CREAT, 0600);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(-1, durable_file_replace(&self->f, "two\n", 4, "one\n", 4, NULL));
	EXPECT_STREQ("one\n", holds(&self->f, false, buf));
}

TEST_HARNESS_MAIN
