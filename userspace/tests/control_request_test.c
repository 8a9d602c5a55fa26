// SPDX-License-Identifier: GPL-2.0
/*
 * The control request line (cluster/control.h): a request is read back
 * as it was written, and a reload names its file so that no other file
 * passes for it: not one renamed over it, not one that took its inode
 * number, not the same file changed since.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "control.h"
#include "kselftest_harness.h"

TEST(a_request_naming_a_file_reads_back_as_written)
{
	struct control_request r = { .addressed = true }, back;
	char line[CONTROL_REQUEST_MAX];
	struct stat st;

	snprintf(r.verb, sizeof(r.verb), "reload");
	snprintf(r.node, sizeof(r.node), "m1");
	snprintf(r.cluster, sizeof(r.cluster), "a.b");
	ASSERT_EQ(0, stat("/", &st));
	control_request_name_file(&r, &st);
	ASSERT_EQ(0, control_request_format(line, sizeof(line), &r));
	line[strcspn(line, "\n")] = '\0';
	ASSERT_EQ(0, control_request_parse(line, &back));
	EXPECT_STREQ("reload", back.verb);
	EXPECT_STREQ("m1", back.node);
	EXPECT_STREQ("a.b", back.cluster);
	EXPECT_TRUE(back.has_file);
	EXPECT_TRUE(control_request_names(&back, &st));
	/* The form of 84f1959, without the change time: refused. */
	EXPECT_EQ(-1, control_request_parse("reload for m1 a.b 2049 131", &back));
}

TEST(only_the_file_as_it_was_stat_ed_is_named)
{
	struct control_request r = { .addressed = true };
	struct stat st, other;

	ASSERT_EQ(0, stat("/", &st));
	control_request_name_file(&r, &st);
	EXPECT_TRUE(control_request_names(&r, &st));
	/* Another file: another inode. */
	other = st;
	other.st_ino++;
	EXPECT_FALSE(control_request_names(&r, &other));
	/* A file that took the inode number since (created later), or this one changed since. */
	other = st;
	other.st_ctim.tv_nsec = (other.st_ctim.tv_nsec + 1) % 1000000000;
	EXPECT_FALSE(control_request_names(&r, &other));
	other = st;
	other.st_dev++;
	EXPECT_FALSE(control_request_names(&r, &other));
}

TEST_HARNESS_MAIN
