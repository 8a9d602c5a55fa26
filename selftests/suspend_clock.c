// SPDX-License-Identifier: GPL-2.0
/*
 * LD_PRELOAD shim for selftests/cluster_faults.sh: makes one process see
 * its host suspended. A suspended host's CLOCK_MONOTONIC stops while
 * CLOCK_BOOTTIME goes on; a process stopped with SIGSTOP sees both go on.
 * The test stops the process, writes to $AVAILCAST_SUSPEND_FILE how many
 * ms in all it has been "suspended", and continues it: from then on, this
 * shim takes that much off every CLOCK_MONOTONIC reading, exactly as a
 * suspend would have, and leaves CLOCK_BOOTTIME alone.
 *
 * So that a checker can still lay the process's log on the true timeline
 * whichever clock it stamps its lines with, the shim logs each change on
 * standard error, stamped with CLOCK_BOOTTIME, in the daemons' format:
 *   "<ms> <$AVAILCAST_NODE> clock-suspended monotonic_behind_ms=<total>"
 */

#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef int (*clock_gettime_fn)(clockid_t, struct timespec *);

static long long behind_ms;

static long long read_behind_ms(void)
{
	const char *path = getenv("AVAILCAST_SUSPEND_FILE");
	char text[32];
	ssize_t n;
	int fd;

	if (!path)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return behind_ms;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return behind_ms;
	text[n] = '\0';
	return atoll(text);
}

static void log_change(clock_gettime_fn real, long long total)
{
	const char *node = getenv("AVAILCAST_NODE");
	struct timespec boot;
	char line[160];
	int len;

	real(CLOCK_BOOTTIME, &boot);
	len = snprintf(line, sizeof(line), "%lld %s clock-suspended monotonic_behind_ms=%lld\n",
		       (long long)boot.tv_sec * 1000 + boot.tv_nsec / 1000000,
		       node ? node : "-", total);
	if (len > 0 && write(STDERR_FILENO, line, (size_t)len) < 0)
		return;
}

int clock_gettime(clockid_t clock, struct timespec *ts)
{
	static clock_gettime_fn real;
	long long now_behind;
	int ret;

	if (!real)
		real = (clock_gettime_fn)dlsym(RTLD_NEXT, "clock_gettime");
	ret = real(clock, ts);
	if (ret || (clock != CLOCK_MONOTONIC && clock != CLOCK_MONOTONIC_RAW &&
		    clock != CLOCK_MONOTONIC_COARSE))
		return ret;
	now_behind = read_behind_ms();
	if (now_behind != behind_ms) {
		behind_ms = now_behind;
		log_change(real, behind_ms);
	}
	ts->tv_sec -= behind_ms / 1000;
	ts->tv_nsec -= (behind_ms % 1000) * 1000000;
	if (ts->tv_nsec < 0) {
		ts->tv_nsec += 1000000000;
		ts->tv_sec--;
	}
	return 0;
}
