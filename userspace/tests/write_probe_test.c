// SPDX-License-Identifier: GPL-2.0
/*
 * The write probe on real directories: a directory that takes writes is
 * reported healthy, one that does not (gone, or a file where the
 * directory should be) reports the error, and stopping removes the file.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "write_probe.h"
#include "kselftest_harness.h"

/* Waits up to @limit_ms for a probe to complete; returns the count. */
static uint64_t completed(struct write_probe *p, uint32_t limit_ms, uint32_t *took, int *error)
{
	struct timespec pause = { .tv_nsec = 10 * 1000000L };
	uint32_t in_flight, waited;
	uint64_t done = 0;

	for (waited = 0; waited <= limit_ms && !done; waited += 10) {
		done = write_probe_result(p, took, error, &in_flight);
		if (!done)
			nanosleep(&pause, NULL);
	}
	return done;
}

TEST(a_directory_that_takes_writes_is_healthy)
{
	char dir[] = "/tmp/write_probe_test.XXXXXX", path[64];
	struct write_probe p;
	uint32_t took;
	int error = -1;

	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_EQ(0, write_probe_start(&p, dir, "demo.h1.probe"));
	ASSERT_LE(1, completed(&p, 10000, &took, &error));
	EXPECT_EQ(0, error);
	snprintf(path, sizeof(path), "%s/demo.h1.probe", dir);
	EXPECT_EQ(0, access(path, F_OK));
	write_probe_stop(&p);
	/* Stopped within the probe's pause, which it does not finish. */
	EXPECT_TRUE(write_probe_stopped(&p, 10000));
	EXPECT_NE(0, access(path, F_OK));
	EXPECT_EQ(0, rmdir(dir));
}

TEST(a_directory_that_cannot_be_written_reports_the_error)
{
	char dir[] = "/tmp/write_probe_test.XXXXXX", gone[64];
	struct write_probe p;
	uint32_t took;
	int error = 0;

	ASSERT_NE(NULL, mkdtemp(dir));
	/* A file where the directory should be: no writes, root or not. */
	snprintf(gone, sizeof(gone), "%s/state", dir);
	ASSERT_EQ(0, mknod(gone, S_IFREG | 0600, 0));
	ASSERT_EQ(0, write_probe_start(&p, gone, "demo.h1.probe"));
	ASSERT_LE(1, completed(&p, 10000, &took, &error));
	EXPECT_EQ(ENOTDIR, error);
	write_probe_stop(&p);
	EXPECT_TRUE(write_probe_stopped(&p, 10000));
	EXPECT_EQ(0, unlink(gone));
	EXPECT_EQ(0, rmdir(dir));
}

TEST_HARNESS_MAIN
