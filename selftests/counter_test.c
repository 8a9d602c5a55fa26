// SPDX-License-Identifier: GPL-2.0
/*
 * The per-CPU counters behind pools: charges and releases from every CPU
 * at once sum exactly once they stop, a CPU taken offline keeps the
 * charges it has not folded yet, and taking a CPU off and on line while
 * charges run loses none.
 */

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "family.h"
#include "kselftest_harness.h"

struct charger {
	pthread_t thread;
	int cpu;		/* -1: wherever the scheduler puts it */
	int ops;
	unsigned int seed;
	int64_t net;		/* what this thread charged minus released */
	int errors;
};

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* Random charges and releases of 1 to 100 from one CPU, on its own socket. */
static void *charge_and_release(void *arg)
{
	static __thread struct genl_reply reply;
	struct charger *c = arg;
	struct genl_sock sk;
	int i;

	if ((c->cpu >= 0 && pin(c->cpu)) || genl_open(&sk, AVAILCAST_GENL_NAME)) {
		c->errors++;
		return NULL;
	}
	for (i = 0; i < c->ops; i++) {
		int64_t amount = 1 + rand_r(&c->seed) % 100;

		if (rand_r(&c->seed) % 2)
			amount = -amount;
		if (ac_pool_add(&sk, "t-count", amount, &reply))
			c->errors++;
		else
			c->net += amount;
	}
	genl_close(&sk);
	return NULL;
}

FIXTURE(counter) {
	struct genl_sock sk;
	struct genl_reply reply;
	struct ac_resource pool;
};

FIXTURE_SETUP(counter)
{
	ASSERT_EQ(0, genl_open(&self->sk, AVAILCAST_GENL_NAME));
	ac_pool_del(&self->sk, "t-count", &self->reply);
}

FIXTURE_TEARDOWN(counter)
{
	ac_pool_del(&self->sk, "t-count", &self->reply);
	genl_close(&self->sk);
}

/*
 * The harness's default alarm is 30 s. Thousands of netlink round trips
 * under a debug kernel in an emulated CPU, sharing two host cores with
 * another VM, took longer than that; the alarm here only stands for a
 * hang, so it is as long as the guest allows one test file (600 s).
 */
#define COUNTER_TEST_ALARM_S 540

TEST_F_TIMEOUT(counter, concurrent_charges_from_every_cpu_sum_exactly,
	       COUNTER_TEST_ALARM_S)
{
	int cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int n = 2 * cpus, i;
	struct charger *chargers = calloc(n, sizeof(*chargers));
	int64_t expected = 0;

	ASSERT_NE(NULL, chargers);
	/* Batch = capacity / (128 * CPUs): small charges fold now and then. */
	ASSERT_EQ(0, ac_pool_new(&self->sk, "t-count", 100000, &self->reply));
	for (i = 0; i < n; i++) {
		chargers[i].cpu = i % cpus;
		chargers[i].ops = 2000;
		chargers[i].seed = 1 + i;
		ASSERT_EQ(0, pthread_create(&chargers[i].thread, NULL,
					    charge_and_release, &chargers[i]));
	}
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, pthread_join(chargers[i].thread, NULL));
		EXPECT_EQ(0, chargers[i].errors);
		expected += chargers[i].net;
	}
	TH_LOG("%d threads on %d CPUs, %d operations: %lld net", n, cpus,
	       n * chargers[0].ops, (long long)expected);

	ASSERT_EQ(0, ac_resource_get(&self->sk, "t-count", &self->pool, &self->reply));
	EXPECT_EQ(expected, self->pool.used);
	free(chargers);
}

static void unpin(void)
{
	cpu_set_t all;
	int cpu;

	CPU_ZERO(&all);
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		CPU_SET(cpu, &all);
	sched_setaffinity(0, sizeof(all), &all);
}

static int cpu_online(int cpu, int online)
{
	char path[64];
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	err = fprintf(f, "%d\n", online) < 0;
	err |= fclose(f);
	return err ? -EIO : 0;
}

/* Charges @amount from @cpu: the request runs on the sender's CPU. */
static int charge_on(int cpu, int64_t amount)
{
	static struct genl_reply reply;
	struct genl_sock sk;
	int err;

	if (pin(cpu) || genl_open(&sk, AVAILCAST_GENL_NAME))
		return -1;
	err = ac_pool_add(&sk, "t-count", amount, &reply);
	genl_close(&sk);
	unpin();
	return err;
}

TEST_F_TIMEOUT(counter, offlining_a_cpu_loses_none_of_its_charges,
	       COUNTER_TEST_ALARM_S)
{
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "needs two CPUs (the VM runs with -smp 2)");

	/* A batch of millions: these charges stay in CPU 1's slot. */
	ASSERT_EQ(0, ac_pool_new(&self->sk, "t-count", 1000000000, &self->reply));
	ASSERT_EQ(0, charge_on(1, 1234));
	ASSERT_EQ(0, cpu_online(1, 0));
	ASSERT_EQ(0, ac_resource_get(&self->sk, "t-count", &self->pool, &self->reply));
	EXPECT_EQ(1234, self->pool.used) TH_LOG("read with CPU 1 offline");

	ASSERT_EQ(0, charge_on(0, 10));
	ASSERT_EQ(0, ac_resource_get(&self->sk, "t-count", &self->pool, &self->reply));
	EXPECT_EQ(1244, self->pool.used);

	ASSERT_EQ(0, cpu_online(1, 1));
	ASSERT_EQ(0, charge_on(1, -1244));
	ASSERT_EQ(0, ac_resource_get(&self->sk, "t-count", &self->pool, &self->reply));
	EXPECT_EQ(0, self->pool.used);
}

TEST_F_TIMEOUT(counter, cpu_hotplug_while_charging_loses_nothing,
	       COUNTER_TEST_ALARM_S)
{
	struct charger chargers[4];
	bool joined[4] = { false };
	int64_t expected = 0;
	int i, flips = 0;
	bool running;

	if (sysconf(_SC_NPROCESSORS_CONF) < 2)
		SKIP(return, "needs two CPUs (the VM runs with -smp 2)");
	/* A batch of about 1000: charges fold now and then, and some stay. */
	ASSERT_EQ(0, ac_pool_new(&self->sk, "t-count", 256000, &self->reply));
	for (i = 0; i < 4; i++) {
		chargers[i] = (struct charger){ .cpu = -1, .ops = 1500, .seed = 7 + i };
		ASSERT_EQ(0, pthread_create(&chargers[i].thread, NULL,
					    charge_and_release, &chargers[i]));
	}
	/* CPU 1 goes off and on line for as long as the charges run. */
	do {
		ASSERT_EQ(0, cpu_online(1, flips % 2 ? 1 : 0));
		flips++;
		running = false;
		for (i = 0; i < 4; i++) {
			if (!joined[i])
				joined[i] = !pthread_tryjoin_np(chargers[i].thread, NULL);
			running |= !joined[i];
		}
	} while (running || flips % 2);
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(0, chargers[i].errors);
		expected += chargers[i].net;
	}
	TH_LOG("CPU 1 went off line %d times during 6000 charges", flips / 2);
	EXPECT_GT(flips, 2);
	ASSERT_EQ(0, ac_resource_get(&self->sk, "t-count", &self->pool, &self->reply));
	EXPECT_EQ(expected, self->pool.used);
}

TEST_HARNESS_MAIN
