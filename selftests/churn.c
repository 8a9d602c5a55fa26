// SPDX-License-Identifier: GPL-2.0
/*
 * churn SECONDS PROGRESS_FILE [--strict]: load for the stress and abuse
 * selftests,
 * which survives the module coming and going (every thread reconnects
 * when the family disappears):
 *   - per online CPU, a thread pinned to it creating a pool, charging and
 *     releasing it, and deleting it;
 *   - a subscriber reading broadcasts;
 *   - per tunable, a writer of valid and invalid values through sysfs,
 *     and two writers through netlink CONFIG_SET;
 *   - a checker reading CONFIG_GET: no snapshot may ever show
 *     interval_min_ms above interval_max_ms, whatever the writers race.
 * Each user pauses 5 ms between operations, so that loading and unloading
 * still get CPU under emulation; with --strict, none do.
 * Writes the count of successful operations to PROGRESS_FILE as it goes,
 * so a test can wait for activity instead of sleeping; stops early on
 * SIGTERM. Prints the counts; exits 1 if the checker saw an inconsistent
 * configuration, or, with --strict (the module stays loaded throughout),
 * if an operation failed with anything but the refusals bad values earn.
 */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/availcast.h>

#include "family.h"
#include "genl.h"

static atomic_ulong ok_ops, refused_ops, unexpected, inconsistent, broadcasts;
static atomic_bool stop;
static volatile sig_atomic_t terminated;
/* Microseconds between a user's operations: none in --strict mode. */
static useconds_t pace_us = 5000;

static void pace(void)
{
	if (pace_us)
		usleep(pace_us);
}

static void on_term(int sig)
{
	(void)sig;
	terminated = 1;
}

struct tunable {
	const char *file;
	const char *values[6];	/* valid and invalid, in turn */
};

static const struct tunable tunables[] = {
	{ "interval_min_ms", { "10", "200", "0", "600001", "abc", "-5" } },
	{ "interval_max_ms", { "100", "2000", "9", "99999999999999999999", "", "1.5" } },
	{ "delta", { "1", "1000", "0", "1001", "x", "\n" } },
	{ "thresholds", { "100 500", "", "500 100", "0", "1 2 3 4 5 6 7 8 9", "a" } },
	{ "tb_rate", { "1", "1000", "0", "1001", "-1", "1e3" } },
	{ "tb_burst", { "1", "50", "0", "1001", "", "x" } },
	{ "aggregation", { "min", "mean", "max", "", "1", "MIN" } },
	{ "sample_ms", { "10", "1000", "9", "60001", "", "y" } },
	{ "all_netns", { "0", "1", "2", "-1", "", "yes" } },
	{ "node_id", { "churn-a", "churn-b", "two words", "", "a\tb", "x" } },
};

#define N_TUNABLES (sizeof(tunables) / sizeof(tunables[0]))

static void note(int status)
{
	if (!status)
		ok_ops++;
	else if (status == -EINVAL || status == -ERANGE || status == -ENOENT ||
		 status == -EEXIST || status == -ENOSPC || status == -EBUSY)
		refused_ops++;
	else
		unexpected++;
}

static void *sysfs_writer(void *arg)
{
	const struct tunable *t = arg;
	char path[128];
	unsigned int i = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/kernel/availcast/%s", t->file);
	while (!stop) {
		const char *v = t->values[i++ % 6];

		fd = open(path, O_WRONLY);
		if (fd < 0) {	/* the module is away */
			usleep(1000);
			continue;
		}
		n = write(fd, v, strlen(v));
		if (n >= 0 || !*v)
			ok_ops++;
		else if (errno == EINVAL || errno == ERANGE || errno == ENODEV || errno == ENOENT)
			refused_ops++;
		else
			unexpected++;
		close(fd);
		pace();
	}
	return NULL;
}

static bool connect_family(struct genl_sock *sk)
{
	while (!stop) {
		if (!genl_open(sk, "availcast"))
			return true;
		usleep(1000);
	}
	return false;
}

static void *netlink_writer(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg;
	struct genl_reply reply;
	struct genl_sock sk;
	int status;

	while (connect_family(&sk)) {
		for (int i = 0; i < 200 && !stop; i++) {
			uint32_t v = (uint32_t)rand_r(&seed) % 3000;

			status = ac_config_set_u32(&sk, rand_r(&seed) % 2 ?
						   AVAILCAST_CFG_A_INTERVAL_MIN_MS :
						   AVAILCAST_CFG_A_INTERVAL_MAX_MS, v, &reply);
			if (status == -ENOENT || status == -EBADF || status == -ECONNREFUSED)
				break;	/* the family went away */
			note(status);
			pace();
		}
		genl_close(&sk);
	}
	return NULL;
}

static void *checker(void *arg)
{
	struct genl_reply reply;
	struct genl_sock sk;
	struct nlattr *lo, *hi;

	(void)arg;
	while (connect_family(&sk)) {
		for (int i = 0; i < 500 && !stop; i++) {
			if (genl_simple(&sk, AVAILCAST_CMD_CONFIG_GET, &reply))
				break;
			lo = genl_attr(&reply.msg, AVAILCAST_CFG_A_INTERVAL_MIN_MS);
			hi = genl_attr(&reply.msg, AVAILCAST_CFG_A_INTERVAL_MAX_MS);
			if (!lo || !hi || genl_attr_u32(lo) > genl_attr_u32(hi))
				inconsistent++;
			ok_ops++;
			pace();
		}
		genl_close(&sk);
	}
	return NULL;
}

static void *charger(void *arg)
{
	int cpu = (int)(uintptr_t)arg;
	struct genl_reply reply;
	struct genl_sock sk;
	cpu_set_t set;
	char name[32];

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	snprintf(name, sizeof(name), "churn%d", cpu);
	while (connect_family(&sk)) {
		note(ac_pool_new(&sk, name, 1000, &reply));
		for (int i = 0; i < 100 && !stop; i++) {
			int status = ac_pool_add(&sk, name, i % 2 ? -7 : 7, &reply);

			if (status == -ENOENT)
				break;
			note(status);
			pace();
		}
		note(ac_pool_del(&sk, name, &reply));
		genl_close(&sk);
	}
	return NULL;
}

static void *subscriber(void *arg)
{
	struct ac_snapshot snap;
	struct genl_sock sk;

	(void)arg;
	int status;

	while (connect_family(&sk)) {
		if (genl_subscribe(&sk)) {
			genl_close(&sk);
			continue;
		}
		while (!stop) {
			status = ac_next_broadcast(&sk, &snap, 200);
			if (status == -ETIMEDOUT && !access("/sys/kernel/availcast", F_OK))
				continue;
			if (status)
				break;	/* gone: its group may come back under another id */
			broadcasts++;
			if (snap.reason == AVAILCAST_REASON_SHUTDOWN)
				break;	/* the module is unloading: reconnect */
		}
		genl_close(&sk);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t threads[64];
	unsigned int n = 0, i;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	time_t end;
	char tmp[4096];
	bool strict;
	FILE *f;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: churn SECONDS PROGRESS_FILE [--strict]\n");
		return 2;
	}
	end = time(NULL) + atoi(argv[1]);
	strict = argc == 4 && !strcmp(argv[3], "--strict");
	if (strict)
		pace_us = 0;
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[2]);
	signal(SIGTERM, on_term);
	for (i = 0; i < N_TUNABLES; i++)
		pthread_create(&threads[n++], NULL, sysfs_writer, (void *)&tunables[i]);
	for (i = 0; i < 2; i++)
		pthread_create(&threads[n++], NULL, netlink_writer, (void *)(uintptr_t)(i + 1));
	for (i = 0; i < (unsigned int)cpus && i < 16; i++)
		pthread_create(&threads[n++], NULL, charger, (void *)(uintptr_t)i);
	pthread_create(&threads[n++], NULL, checker, NULL);
	pthread_create(&threads[n++], NULL, subscriber, NULL);

	while (time(NULL) < end && !terminated) {
		/* Replaced whole, so that a reader never sees it half written. */
		f = fopen(tmp, "w");
		if (f) {
			fprintf(f, "%lu\n", (unsigned long)ok_ops);
			if (!fclose(f))
				rename(tmp, argv[2]);
		}
		usleep(20000);
	}
	stop = true;
	for (i = 0; i < n; i++)
		pthread_join(threads[i], NULL);
	printf("ok %lu refused %lu unexpected %lu inconsistent %lu broadcasts %lu\n",
	       (unsigned long)ok_ops, (unsigned long)refused_ops,
	       (unsigned long)unexpected, (unsigned long)inconsistent,
	       (unsigned long)broadcasts);
	return inconsistent || (strict && unexpected) ? 1 : 0;
}
