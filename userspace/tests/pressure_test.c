// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the host's pressure stall information (pressure_read()): the
 * worst "some avg10" of the three files, in per mille; and a clear error
 * naming the file when one is missing or is not PSI's. The files here are
 * made in a directory of the test's own, in the format of
 * Documentation/accounting/psi.rst; the real /proc/pressure is read last,
 * where this host has one.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pressure.h"
#include "kselftest_harness.h"

FIXTURE(psi) {
	char dir[64];
};

FIXTURE_SETUP(psi)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/pressure_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
}

FIXTURE_TEARDOWN(psi)
{
	char command[128];

	snprintf(command, sizeof(command), "rm -rf %s", self->dir);
	EXPECT_EQ(0, system(command));
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void write_some(const char *dir, const char *name, const char *avg10)
{
	char text[160];

	snprintf(text, sizeof(text),
		 "some avg10=%s avg60=1.00 avg300=0.50 total=123456\n"
		 "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", avg10);
	write_file(dir, name, text);
}

TEST_F(psi, the_worst_some_avg10_in_per_mille)
{
	uint32_t per_mille = 1234;
	char why[512] = "";

	write_some(self->dir, "cpu", "12.34");
	write_some(self->dir, "memory", "45.67");
	write_some(self->dir, "io", "0.09");
	ASSERT_EQ(0, pressure_read(self->dir, &per_mille, why, sizeof(why))) TH_LOG("%s", why);
	EXPECT_EQ(456, per_mille);

	write_some(self->dir, "io", "100.00");
	ASSERT_EQ(0, pressure_read(self->dir, &per_mille, why, sizeof(why)));
	EXPECT_EQ(1000, per_mille);
}

TEST_F(psi, a_missing_file_is_named_and_said_to_mean_no_psi)
{
	uint32_t per_mille = 7;
	char why[512] = "";
	char expected[512];

	write_some(self->dir, "cpu", "1.00");
	write_some(self->dir, "io", "1.00");
	EXPECT_EQ(ENOENT, pressure_read(self->dir, &per_mille, why, sizeof(why)));
	snprintf(expected, sizeof(expected), "%s/memory: No such file or directory (%s)",
		 self->dir, PRESSURE_ABSENT_HINT);
	EXPECT_STREQ(expected, why);
	EXPECT_EQ(7, per_mille) TH_LOG("nothing written on failure");
}

TEST_F(psi, a_file_that_is_not_psi_is_refused)
{
	static const char *const bad[] = {
		"", "full avg10=1.00\n", "some avg10=x\n", "some avg10=101.00 avg60=0\n",
		"some avg60=1.00\n", "some avg10=100.01 ", "some avg10=5.-3 ",
		"some avg10=4294967297.00 ", "some avg10=-0.50 ", "some avg10=5.1 ",
		"some avg10=5.00garbage", "some avg10=+5.00 ", "some avg10= 5.00 ",
		"someavg10=5.00 ", "some\navg10=5.00 ", " some avg10=5.00 ",
	};
	uint32_t per_mille = 7;
	char why[256];
	size_t i;

	write_some(self->dir, "memory", "1.00");
	write_some(self->dir, "io", "1.00");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(self->dir, "cpu", bad[i]);
		why[0] = '\0';
		EXPECT_EQ(EPROTO, pressure_read(self->dir, &per_mille, why, sizeof(why)))
			TH_LOG("accepted \"%s\"", bad[i]);
		EXPECT_NE(NULL, strstr(why, "/cpu: its first line gives no some avg10= percentage"));
		EXPECT_EQ(7, per_mille);
	}
}

/* What psi_show() writes: "%lu.%02lu", a "full" line after or not. */
TEST(the_kernels_own_formats_are_read)
{
	static const struct {
		const char *text;
		uint32_t per_mille;
	} good[] = {
		{ "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", 0 },
		{ "some avg10=12.34 avg60=1.00 avg300=0.00 total=5\nfull avg10=0.00\n", 123 },
		{ "some avg10=100.00 avg60=99.00 avg300=9.00 total=1\n", 1000 },
		{ "some avg10=9.99\n", 99 },
		{ "some avg10=0.09", 0 },
	};
	uint32_t per_mille;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		per_mille = 1234;
		EXPECT_EQ(0, pressure_parse(good[i].text, &per_mille)) TH_LOG("%s", good[i].text);
		EXPECT_EQ(good[i].per_mille, per_mille) TH_LOG("%s", good[i].text);
	}
}

TEST(this_hosts_psi_reads_where_it_has_some)
{
	uint32_t per_mille = 1234;
	char why[512] = "";

	if (access(PRESSURE_DIR "/cpu", R_OK))
		SKIP(return, "this host has no %s", PRESSURE_DIR);
	ASSERT_EQ(0, pressure_read(PRESSURE_DIR, &per_mille, why, sizeof(why))) TH_LOG("%s", why);
	EXPECT_GE(1000, per_mille);
}

TEST_HARNESS_MAIN
