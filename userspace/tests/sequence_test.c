// SPDX-License-Identifier: GPL-2.0
/*
 * The numbers a node sends grow across restarts whatever its wall clock
 * did (sequence.h), on real files: a state directory and a runtime
 * directory under /tmp. A restart is sequence_start() again on the same
 * directories, with the wall clock it would read.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sequence.h"
#include "kselftest_harness.h"

#define SECOND_NS 1000000000ull
#define NOW_NS (1800000000ull * SECOND_NS)	/* a wall clock in 2027 */

FIXTURE(seq) {
	char dir[64];
	char run[80];			/* the runtime directory (a tmpfs, in life) */
	char path[160];			/* the state file */
	struct sequence s;
};

FIXTURE_SETUP(seq)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/sequence_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->run, sizeof(self->run), "%s/run", self->dir);
	ASSERT_EQ(0, mkdir(self->run, 0700));
	snprintf(self->path, sizeof(self->path), "%s/m1@demo.sequence", self->dir);
}

FIXTURE_TEARDOWN(seq)
{
	char command[128];

	snprintf(command, sizeof(command), "rm -rf %s", self->dir);
	if (system(command))
		abort();
}

static int start(FIXTURE_DATA(seq) *self, uint64_t clock_ns)
{
	return sequence_start(&self->s, self->dir, self->run, "demo", "m1", clock_ns);
}

/* Takes @count numbers, checking each grows; returns the last. */
static uint64_t take(struct __test_metadata *_metadata, struct sequence *s, int count)
{
	uint64_t last = 0, value;
	bool failed;

	while (count--) {
		value = sequence_take(s, &failed);
		EXPECT_FALSE(failed);
		EXPECT_LT(last, value);
		last = value;
	}
	return last;
}

static void put(struct __test_metadata *_metadata, const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ASSERT_NE(NULL, f);
	fputs(text, f);
	fclose(f);
}

TEST_F(seq, a_restart_with_the_wall_clock_set_back_goes_on_above_what_was_sent)
{
	uint64_t last;

	ASSERT_EQ(0, start(self, NOW_NS));
	last = take(_metadata, &self->s, 5);
	EXPECT_EQ(NOW_NS + 4, last);
	/* The clock was an hour ahead and got corrected; then the restart. */
	ASSERT_EQ(0, start(self, NOW_NS - 3600 * SECOND_NS));
	EXPECT_LT(last, take(_metadata, &self->s, 1));
	/* The same after a reboot, with the runtime copy gone too. */
	last = take(_metadata, &self->s, 5);
	ASSERT_EQ(0, system("rm -rf /tmp/sequence_test.*/run/*"));
	ASSERT_EQ(0, start(self, 1));
	EXPECT_LT(last, take(_metadata, &self->s, 1));
	EXPECT_STREQ("", self->s.ignored);
}

TEST_F(seq, a_state_file_gone_back_is_made_up_for_by_the_runtime_copy)
{
	uint64_t last;

	ASSERT_EQ(0, start(self, NOW_NS));
	last = take(_metadata, &self->s, SEQUENCE_BLOCK + 3);	/* into a second block */
	/* A backup from before the second block, restored; or the file lost. */
	put(_metadata, self->path, "sequence 1\n");
	ASSERT_EQ(0, start(self, NOW_NS));
	EXPECT_LT(last, take(_metadata, &self->s, 1));
	last = take(_metadata, &self->s, 1);
	ASSERT_EQ(0, unlink(self->path));
	ASSERT_EQ(0, start(self, NOW_NS));
	EXPECT_LT(last, take(_metadata, &self->s, 1));
}

TEST_F(seq, an_unusable_state_file_is_named_and_left_out)
{
	put(_metadata, self->path, "sequence twelve\n");
	ASSERT_EQ(0, start(self, NOW_NS));
	EXPECT_NE(NULL, strstr(self->s.ignored, "m1@demo.sequence: not a sequence file"));
	EXPECT_EQ(NOW_NS, take(_metadata, &self->s, 1)) TH_LOG("it starts from the clock");
}

TEST_F(seq, a_number_that_would_wrap_around_is_never_taken_from_a_file)
{
	static const char *const bad[] = {
		"sequence -1\n", "sequence +5\n", "sequence  5\n", "sequence 5 \n",
		"sequence 18446744073709551615\n", "sequence 99999999999999999999\n",
		"sequence 5\nmore\n", "sequence 0\n",
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put(_metadata, self->path, bad[i]);
		ASSERT_EQ(0, start(self, NOW_NS));
		EXPECT_EQ(NOW_NS, take(_metadata, &self->s, 1)) TH_LOG("%s", bad[i]);
		EXPECT_NE(NULL, strstr(self->s.ignored, "not a sequence file"));
		ASSERT_EQ(0, system("rm -rf /tmp/sequence_test.*/run/*"));
	}
}

TEST_F(seq, two_nodes_sharing_a_state_directory_keep_their_own_numbers)
{
	struct sequence h1;
	uint64_t last;
	bool failed;

	/* Both start; h1's clock is 10 s ahead, and h1 sends first. */
	ASSERT_EQ(0, start(self, NOW_NS));
	ASSERT_EQ(0, sequence_start(&h1, self->dir, self->run, "demo", "h1", NOW_NS + 10 * SECOND_NS));
	last = take(_metadata, &h1, 5);
	take(_metadata, &self->s, 5);
	ASSERT_EQ(0, system("rm -rf /tmp/sequence_test.*/run/*"));	/* a reboot */
	ASSERT_EQ(0, sequence_start(&h1, self->dir, self->run, "demo", "h1", NOW_NS));
	EXPECT_LT(last, sequence_take(&h1, &failed));
}

/*
 * Names may hold dots (layout.h): cluster demo.a's node m1 and cluster
 * demo's node a.m1 share no file. Had they shared one, the second would
 * start from the block the first reserved, ahead of its clock.
 */
TEST_F(seq, dotted_names_keep_files_of_their_own)
{
	struct sequence other;
	bool failed;

	ASSERT_EQ(0, sequence_start(&other, self->dir, self->run, "demo.a", "m1", NOW_NS));
	take(_metadata, &other, 5);
	ASSERT_EQ(0, sequence_start(&self->s, self->dir, self->run, "demo", "a.m1", NOW_NS));
	EXPECT_EQ(NOW_NS, sequence_take(&self->s, &failed));
}

/*
 * A number an earlier version reserved, in the file it named
 * CLUSTER.NODE.sequence (layout.h), is started above, in either
 * directory; and the file is left as it was.
 */
TEST_F(seq, a_number_in_a_file_of_the_old_name_is_started_above)
{
	char old[200];
	int i;

	for (i = 0; i < 2; i++) {
		snprintf(old, sizeof(old), "%s/demo.m1.sequence", i ? self->run : self->dir);
		put(_metadata, old, "sequence 1900000000000000000\n");
		ASSERT_EQ(0, start(self, NOW_NS));
		EXPECT_LE(1900000000000000000ull, take(_metadata, &self->s, 1));
		EXPECT_EQ(0, access(old, F_OK));
		ASSERT_EQ(0, system("rm -rf /tmp/sequence_test.*/run/* /tmp/sequence_test.*/*.sequence"));
	}
}

/* Fails every step of a write with ENOSPC, and counts the tries. */
static int no_space(void *ctx, enum durable_step step)
{
	int *tries = ctx;

	if (step == DURABLE_OPEN)
		++*tries;
	return ENOSPC;
}

TEST_F(seq, a_full_state_disk_leaves_the_runtime_copy_to_keep_a_restart_above)
{
	int tries = 0;
	struct durable_faults full = { .ctx = &tries, .before = no_space };
	uint64_t last = 0;
	bool failed;
	unsigned int i;

	ASSERT_EQ(0, start(self, NOW_NS));
	self->s.file.faults = &full;	/* the state file only: the copy is on a tmpfs */
	for (i = 0; i < SEQUENCE_BLOCK + 10; i++)	/* into the next block */
		last = sequence_take(&self->s, &failed);
	EXPECT_LT(1, tries) TH_LOG("the state file was tried again");
	EXPECT_EQ(ENOSPC, self->s.save_errno);
	/* The clock set back an hour, and a restart within the same boot. */
	ASSERT_EQ(0, start(self, NOW_NS - 3600 * SECOND_NS));
	EXPECT_LT(last, take(_metadata, &self->s, 1));
}

TEST_F(seq, a_failed_write_is_reported_and_tried_again_but_the_node_goes_on)
{
	int tries = 0;
	struct durable_faults full = { .ctx = &tries, .before = no_space };
	uint64_t value;
	bool failed;
	int i;

	ASSERT_EQ(0, start(self, NOW_NS));
	self->s.file.faults = &full;
	value = sequence_take(&self->s, &failed);
	EXPECT_EQ(NOW_NS, value) TH_LOG("the number is given all the same");
	EXPECT_TRUE(failed);
	EXPECT_EQ(ENOSPC, self->s.save_errno);
	EXPECT_EQ(1, tries);
	for (i = 1; i < SEQUENCE_RETRY; i++)
		sequence_take(&self->s, &failed);
	EXPECT_EQ(1, tries) TH_LOG("no write per datagram while the disk is full");
	self->s.file.faults = NULL;
	value = sequence_take(&self->s, &failed);
	EXPECT_FALSE(failed) TH_LOG("room again: written down");
	EXPECT_EQ(0, self->s.save_errno);
	ASSERT_EQ(0, start(self, 1));
	EXPECT_LT(value, take(_metadata, &self->s, 1));
}

TEST_HARNESS_MAIN
