// SPDX-License-Identifier: GPL-2.0
/*
 * Load for selftests/unload_busy.sh, which unloads availcast under it:
 *
 *   busy listen SECONDS   subscribe; print "SEQ REASON" per broadcast;
 *                         exit 0 at the shutdown broadcast, 1 if none
 *                         came in SECONDS
 *   busy churn POOL       from a thread per online CPU, charge and
 *                         release POOL until the family is gone; print
 *                         how many requests succeeded; exit 0 if the end
 *                         was the family going away, 1 on any other error
 */

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "family.h"

static const char *const reasons[] = {
	[AVAILCAST_REASON_PERIODIC] = "periodic",
	[AVAILCAST_REASON_THRESHOLD] = "threshold",
	[AVAILCAST_REASON_REQUEST] = "request",
	[AVAILCAST_REASON_SHUTDOWN] = "shutdown",
};

static int listen_until_shutdown(int seconds)
{
	uint64_t deadline = ac_now_ns() + seconds * 1000000000ull;
	static struct ac_snapshot snap;
	struct genl_sock sk;

	/*
	 * Room for minutes of broadcasts: a listener the churners keep off
	 * the CPU (seen under KASAN) would otherwise overflow its socket and
	 * miss the shutdown, which the module sends like any other.
	 */
	int room = 64 << 20;

	if (genl_open(&sk, AVAILCAST_GENL_NAME) || genl_subscribe(&sk) ||
	    setsockopt(sk.fd, SOL_SOCKET, SO_RCVBUFFORCE, &room, sizeof(room)))
		return 1;
	while (ac_now_ns() < deadline) {
		if (ac_next_broadcast(&sk, &snap, 100))
			continue;
		printf("%llu %s\n", (unsigned long long)snap.seq,
		       snap.reason <= AVAILCAST_REASON_SHUTDOWN ?
		       reasons[snap.reason] : "unknown");
		fflush(stdout);
		if (snap.reason == AVAILCAST_REASON_SHUTDOWN)
			return 0;
	}
	return 1;
}

struct churner {
	pthread_t thread;
	const char *pool;
	int cpu;
	long ok;
	int last_error;
};

/* The errors a request meets once the family is unregistered. */
static int family_gone(int err)
{
	return err == -ENOENT || err == -EOPNOTSUPP;
}

static void *churn(void *arg)
{
	struct churner *c = arg;
	static __thread struct genl_reply reply;
	struct genl_sock sk;
	cpu_set_t set;
	int err;

	CPU_ZERO(&set);
	CPU_SET(c->cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	c->last_error = genl_open(&sk, AVAILCAST_GENL_NAME);
	if (c->last_error)
		return NULL;
	for (;;) {
		err = ac_pool_add(&sk, c->pool, 1 + c->ok % 7, &reply);
		if (!err)
			err = ac_pool_add(&sk, c->pool, -(1 + c->ok % 7), &reply);
		if (err) {
			c->last_error = err;
			break;
		}
		c->ok++;
	}
	genl_close(&sk);
	return NULL;
}

static int churn_until_gone(const char *pool)
{
	int cpus = sysconf(_SC_NPROCESSORS_ONLN), i, failed = 0;
	struct churner *churners = calloc(cpus, sizeof(*churners));
	long total = 0;

	if (!churners)
		return 1;
	for (i = 0; i < cpus; i++) {
		churners[i].pool = pool;
		churners[i].cpu = i;
		if (pthread_create(&churners[i].thread, NULL, churn, &churners[i]))
			return 1;
	}
	for (i = 0; i < cpus; i++) {
		pthread_join(churners[i].thread, NULL);
		total += churners[i].ok;
		if (!family_gone(churners[i].last_error)) {
			fprintf(stderr, "churner %d: %s\n", i,
				strerror(-churners[i].last_error));
			failed = 1;
		}
	}
	printf("%ld\n", total);
	free(churners);
	return failed;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "listen"))
		return listen_until_shutdown(atoi(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "churn"))
		return churn_until_gone(argv[2]);
	fprintf(stderr, "usage: busy listen SECONDS | busy churn POOL\n");
	return 2;
}
