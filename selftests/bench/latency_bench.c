// SPDX-License-Identifier: GPL-2.0
/*
 * latency_bench: how long a change in a pool takes to reach a userspace
 * subscriber, next to what a user would otherwise run: a process polling
 * the state every 10 ms. Runs in the benchmark VM with availcast loaded.
 *
 *   latency_bench EVENTS EXTRA_SUBSCRIBERS...
 *   latency_bench --poll-for SECONDS
 *   latency_bench --subscribe-for SECONDS
 *
 * An event charges pool "bench-lat" (capacity 1000) from free to 95 %
 * used, or releases it back: a threshold crossing either way. Its
 * latency runs from just before the charge request is sent to when the
 * subscriber has read the broadcast showing the pool's new level (or the
 * poller has read it). For each count of extra subscribers (processes
 * that only read), EVENTS events are timed through broadcasts; then
 * EVENTS through polling at a fixed 10 ms grid, each event at a random
 * point of it. Prints, for each:
 *
 *   latency: method=NAME subscribers=N events=N p50_ns=N p99_ns=N max_ns=N
 *
 * with subscribers counting the one measuring (0 for polling). For
 * broadcasts, kernel_p50_ns is the median time from the request to the
 * message being built (its timestamp): the rest is delivery.
 *
 * --poll-for only polls the host's state (GET) every 10 ms for SECONDS,
 * and --subscribe-for only reads every broadcast for SECONDS; each then
 * prints the CPU time that used (cpu_ns=N count=N), not counting its
 * start-up, for selftests/bench/guest-cost.sh to weigh one against the
 * other.
 *
 * The configuration is set so that only the events make messages:
 * periodic ones every 10 minutes, the token bucket at its most, and
 * events come no faster than it refills.
 */

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "family.h"

#define POOL		"bench-lat"
#define CAPACITY	1000
#define CHARGED		950	/* level 50: below every default threshold */
#define POLL_NS		10000000ull
#define TOKEN_NS	1000000ull	/* the bucket's refill at 1000 a second */

static struct genl_reply reply;

static void die(const char *what, int err)
{
	fprintf(stderr, "latency_bench: %s: %s (%s)\n", what, strerror(-err),
		reply.extack);
	exit(1);
}

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorts @v and returns its @per_mille-th quantile. */
static uint64_t quantile(uint64_t *v, unsigned int n, unsigned int per_mille)
{
	qsort(v, n, sizeof(*v), compare_u64);
	return v[(uint64_t)(n - 1) * per_mille / 1000];
}

static void report(const char *method, unsigned int subscribers, uint64_t *v,
		   unsigned int n, uint64_t *kernel)
{
	printf("latency: method=%s subscribers=%u events=%u p50_ns=%llu p99_ns=%llu max_ns=%llu",
	       method, subscribers, n, (unsigned long long)quantile(v, n, 500),
	       (unsigned long long)quantile(v, n, 990),
	       (unsigned long long)quantile(v, n, 1000));
	if (kernel)
		printf(" kernel_p50_ns=%llu", (unsigned long long)quantile(kernel, n, 500));
	printf("\n");
	fflush(stdout);
}

/* An extra subscriber: reads every broadcast until killed. */
static pid_t start_reader(void)
{
	struct ac_snapshot snap;
	struct genl_sock sk;
	pid_t pid = fork();

	if (pid)
		return pid;
	if (genl_open(&sk, AVAILCAST_GENL_NAME) || genl_subscribe(&sk))
		_exit(1);
	for (;;)
		ac_next_broadcast(&sk, &snap, 1000);
}

/* Charges the free pool, or releases the charged one; returns its level. */
static uint32_t flip(struct genl_sock *sk, bool charged)
{
	int err = ac_pool_add(sk, POOL, charged ? -CHARGED : CHARGED, &reply);

	if (err)
		die("charge", err);
	return charged ? 1000 : 1000 - CHARGED;
}

/* Waits for the broadcast that shows the pool at @level. */
static void wait_broadcast(struct genl_sock *sub, uint32_t level,
			   struct ac_snapshot *snap)
{
	const struct ac_resource *pool;
	int err;

	do {
		err = ac_next_broadcast(sub, snap, 5000);
		if (err)
			die("waiting for the broadcast", err);
		pool = ac_find(snap, POOL);
	} while (!pool || pool->level != level);
}

static void sleep_until(uint64_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000ull, .tv_nsec = ns % 1000000000ull };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static void by_broadcast(struct genl_sock *sk, unsigned int events,
			 unsigned int extra, uint64_t *v, uint64_t *kernel)
{
	static struct ac_snapshot snap;
	struct genl_sock sub;
	pid_t readers[64];
	bool charged = false;
	unsigned int i;
	int err;

	for (i = 0; i < extra; i++)
		readers[i] = start_reader();
	err = genl_open(&sub, AVAILCAST_GENL_NAME);
	if (err || (err = genl_subscribe(&sub)))
		die("subscribe", err);
	for (i = 0; i < events; i++) {
		uint64_t start;
		uint32_t level;

		/*
		 * Events at most 1000 a second on average, the token bucket's
		 * rate: the latency measured is the path's, not a wait for a
		 * token.
		 */
		sleep_until(ac_now_ns() + (uint64_t)random() % (2 * TOKEN_NS));
		start = ac_now_ns();
		level = flip(sk, charged);

		charged = !charged;
		wait_broadcast(&sub, level, &snap);
		v[i] = snap.received_ns - start;
		kernel[i] = snap.timestamp_ns - start;
	}
	genl_close(&sub);
	for (i = 0; i < extra; i++) {
		kill(readers[i], SIGKILL);
		waitpid(readers[i], NULL, 0);
	}
	report("broadcast", extra + 1, v, events, kernel);
}

static void by_polling(struct genl_sock *sk, unsigned int events, uint64_t *v)
{
	uint64_t grid = ac_now_ns();
	bool charged = false;
	unsigned int i;

	for (i = 0; i < events; i++) {
		struct ac_resource pool;
		uint64_t start;
		uint32_t level;
		int err;

		/* The change lands anywhere between two polls. */
		sleep_until(ac_now_ns() + (uint64_t)random() % POLL_NS);
		start = ac_now_ns();
		level = flip(sk, charged);
		charged = !charged;
		do {
			while (grid <= ac_now_ns())
				grid += POLL_NS;
			sleep_until(grid);
			err = ac_resource_get(sk, POOL, &pool, &reply);
			if (err)
				die("poll", err);
		} while (pool.level != level);
		v[i] = ac_now_ns() - start;
	}
	report("polling-10ms", 0, v, events, NULL);
}

/* This process's CPU time: user and system, in ns. */
static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* GET every 10 ms on a fixed grid, or read every broadcast, for @seconds. */
static int cost_of(bool subscribe, unsigned int seconds)
{
	uint64_t grid = ac_now_ns(), end = grid + seconds * 1000000000ull, start;
	static struct ac_snapshot snap;
	unsigned int count = 0;
	struct genl_sock sk;
	int err;

	if (genl_open(&sk, AVAILCAST_GENL_NAME) || (subscribe && genl_subscribe(&sk)))
		die("open", -ENOENT);
	start = cpu_ns();
	while (subscribe ? ac_now_ns() < end : (grid += POLL_NS) < end) {
		if (subscribe) {
			err = ac_next_broadcast(&sk, &snap, 100);
			if (err == -ETIMEDOUT)
				continue;
		} else {
			sleep_until(grid);
			err = ac_get(&sk, &snap, &reply);
		}
		if (err)
			die(subscribe ? "read" : "poll", err);
		count++;
	}
	printf("cpu_ns=%llu count=%u\n", (unsigned long long)(cpu_ns() - start), count);
	genl_close(&sk);
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t *v, *kernel;
	struct genl_sock sk;
	unsigned int events;
	int i, err;

	if (argc == 3 && !strcmp(argv[1], "--poll-for") && atoi(argv[2]) > 0)
		return cost_of(false, (unsigned int)atoi(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "--subscribe-for") && atoi(argv[2]) > 0)
		return cost_of(true, (unsigned int)atoi(argv[2]));
	if (argc < 2 || !(events = (unsigned int)atoi(argv[1]))) {
		fprintf(stderr, "usage: latency_bench EVENTS EXTRA_SUBSCRIBERS...\n"
			"       latency_bench --poll-for SECONDS\n"
			"       latency_bench --subscribe-for SECONDS\n");
		return 2;
	}
	v = calloc(events, sizeof(*v));
	kernel = calloc(events, sizeof(*kernel));
	if (!v || !kernel || genl_open(&sk, AVAILCAST_GENL_NAME))
		die("setup", -ENOMEM);

	/* Only the events make messages; none is held for a token. */
	if ((err = ac_config_set_u32(&sk, AVAILCAST_CFG_A_INTERVAL_MAX_MS, 600000, &reply)) ||
	    (err = ac_config_set_u32(&sk, AVAILCAST_CFG_A_INTERVAL_MIN_MS, 600000, &reply)) ||
	    (err = ac_config_set_u32(&sk, AVAILCAST_CFG_A_TB_RATE, 1000, &reply)) ||
	    (err = ac_config_set_u32(&sk, AVAILCAST_CFG_A_TB_BURST, 1000, &reply)))
		die("configure", err);
	err = ac_pool_new(&sk, POOL, CAPACITY, &reply);
	if (err)
		die("create the pool", err);
	srandom(1);

	for (i = 2; i < argc; i++) {
		unsigned int extra = (unsigned int)atoi(argv[i]);

		if (extra > 64)
			die("at most 64 extra subscribers", -EINVAL);
		by_broadcast(&sk, events, extra, v, kernel);
	}
	by_polling(&sk, events, v);

	ac_pool_del(&sk, POOL, &reply);
	genl_close(&sk);
	return 0;
}
