// SPDX-License-Identifier: GPL-2.0
/*
 * A manager's state file (agreed.h): what is written reads back the same,
 * for every name a host may have; older files still read; anything else
 * is refused.
 */

#include <string.h>

#include "agreed.h"
#include "kselftest_harness.h"

static void round_trip(struct __test_metadata *_metadata, const char *host,
		       uint64_t epoch, uint64_t generation)
{
	struct arbiter_durable in = { .epoch = 7, .promise_ms = 499 }, out;
	char text[200];

	snprintf(in.agreed.host, sizeof(in.agreed.host), "%s", host);
	in.agreed.epoch = epoch;
	in.agreed.generation = generation;
	ASSERT_LT(agreed_format(&in, text, sizeof(text)), (int)sizeof(text));
	ASSERT_TRUE(agreed_parse(text, &out)) TH_LOG("%s", text);
	EXPECT_STREQ(host, out.agreed.host);
	EXPECT_EQ(epoch, out.agreed.epoch);
	EXPECT_EQ(generation, out.agreed.generation);
	EXPECT_EQ(7, out.epoch);
	EXPECT_EQ(499, out.promise_ms);
}

/*
 * "-" says none agreed, but it is a name a host may have (helper-46): a
 * manager whose witness was host "-" forgot at its restart the epoch it
 * claimed, the promise it gave and the witness agreed.
 */
TEST(every_host_name_reads_back)
{
	round_trip(_metadata, "", 0, 0);
	round_trip(_metadata, "-", 1, 1);
	round_trip(_metadata, "h1", 3, 12);
	round_trip(_metadata, "gpu:rack-7.host_31-abcdefghijkl", 3, 12);
}

/*
 * A file from before "claimed" keeps its promise-ms: read as one of the
 * first files (three lines), it was 0, and a restarted standby took over
 * before the longest promise it may have given had passed.
 */
TEST(older_files_read_and_bad_ones_do_not)
{
	struct arbiter_durable out;

	ASSERT_TRUE(agreed_parse("host h2\nepoch 3\ngeneration 4\npromise-ms 500\n", &out));
	EXPECT_STREQ("h2", out.agreed.host);
	EXPECT_EQ(0, out.epoch);
	EXPECT_EQ(500, out.promise_ms);
	ASSERT_TRUE(agreed_parse("host h2\nepoch 3\ngeneration 4\n", &out));
	EXPECT_FALSE(agreed_parse("host h2\nepoch 3\ngeneration 0\nclaimed 3\npromise-ms 1\n",
				  &out));
	EXPECT_FALSE(agreed_parse("host a/b\nepoch 3\ngeneration 4\nclaimed 3\npromise-ms 1\n",
				  &out));
	EXPECT_FALSE(agreed_parse("host h2\nepoch 3\ngeneration 4\nclaimed 3\npromise-ms 1\nx",
				  &out));
	EXPECT_FALSE(agreed_parse("host h2\nepoch x\n", &out));
}

TEST_HARNESS_MAIN
