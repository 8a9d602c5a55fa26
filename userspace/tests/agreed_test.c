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

/*
 * A move offered and not answered, and the newest proposal refused, read
 * back; each only while there is one, so that a file without them reads
 * in an older version. Out of order, without a generation, or with a bad
 * name: refused.
 */
TEST(an_open_move_and_a_refusal_read_back)
{
	struct arbiter_durable in = { .epoch = 5, .promise_ms = 500 }, out;
	char text[300];

	snprintf(in.agreed.host, sizeof(in.agreed.host), "h1");
	in.agreed.epoch = 3;
	in.agreed.generation = 4;
	ASSERT_LT(agreed_format(&in, text, sizeof(text)), (int)sizeof(text));
	EXPECT_EQ(NULL, strstr(text, "proposed"));
	EXPECT_EQ(NULL, strstr(text, "refused"));
	snprintf(in.proposed.host, sizeof(in.proposed.host), "h2");
	in.proposed.epoch = 3;
	in.proposed.generation = 5;
	in.refused_epoch = 2;
	in.refused_generation = 9;
	ASSERT_LT(agreed_format(&in, text, sizeof(text)), (int)sizeof(text));
	ASSERT_TRUE(agreed_parse(text, &out)) TH_LOG("%s", text);
	EXPECT_STREQ("h2", out.proposed.host);
	EXPECT_EQ(3, out.proposed.epoch);
	EXPECT_EQ(5, out.proposed.generation);
	EXPECT_EQ(2, out.refused_epoch);
	EXPECT_EQ(9, out.refused_generation);
	EXPECT_EQ(5, out.epoch);
	EXPECT_EQ(500, out.promise_ms);
	/* The longest state there can be fits the daemon's buffers. */
	{
		struct arbiter_durable big = {
			.epoch = UINT64_MAX, .promise_ms = UINT32_MAX,
			.refused_epoch = UINT64_MAX, .refused_generation = UINT64_MAX,
		};

		memset(big.agreed.host, 'a', WIRE_NAME_SIZE - 1);
		big.agreed.epoch = big.agreed.generation = UINT64_MAX;
		big.proposed = big.agreed;
		EXPECT_GT(AGREED_TEXT_SIZE, agreed_format(&big, NULL, 0));
	}
	/* Cut short, it says how long it would be, as snprintf(). */
	EXPECT_EQ(agreed_format(&in, text, sizeof(text)), agreed_format(&in, text, 10));
	EXPECT_FALSE(agreed_parse("host h1\nepoch 3\ngeneration 4\nclaimed 3\npromise-ms 1\n"
				  "refused 2 9\nproposed h2 3 5\n", &out));
	EXPECT_FALSE(agreed_parse("host h1\nepoch 3\ngeneration 4\nclaimed 3\npromise-ms 1\n"
				  "proposed h2 3 0\n", &out));
	EXPECT_FALSE(agreed_parse("host h1\nepoch 3\ngeneration 4\nclaimed 3\npromise-ms 1\n"
				  "proposed a/b 3 5\n", &out));
	EXPECT_FALSE(agreed_parse("host h1\nepoch 3\ngeneration 4\nclaimed 3\npromise-ms 1\n"
				  "refused 0 0\n", &out));
}

TEST_HARNESS_MAIN
