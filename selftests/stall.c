// SPDX-License-Identifier: GPL-2.0
/*
 * The stall watch (stall.h): on each online CPU (up to STALL_CPUS), a
 * thread pinned there at real-time priority sleeps STALL_TICK_MS at a
 * time; a wake-up more than STALL_SLACK_MS late is a stall of that CPU
 * from when it should have woken to when it did. Real-time, so that
 * ordinary tasks of the machine do not delay it: what delays it delays
 * every timer of that CPU too. (_GNU_SOURCE, for the affinity, comes
 * from the Makefile.)
 */

#include <sched.h>
#include <stdlib.h>
#include <time.h>

#include "stall.h"

#define MS		1000000ull

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void *watch(void *arg)
{
	const struct timespec tick = { .tv_nsec = STALL_TICK_MS * MS };
	struct stall_watch *w = arg;
	uint64_t before, woke;

	pthread_mutex_lock(&w->lock);
	while (!w->stop) {
		pthread_mutex_unlock(&w->lock);
		before = now_ns();
		clock_nanosleep(CLOCK_MONOTONIC, 0, &tick, NULL);
		woke = now_ns();
		pthread_mutex_lock(&w->lock);
		if (woke - before > (STALL_TICK_MS + STALL_SLACK_MS) * MS &&
		    w->n < STALL_MAX)
			w->seen[w->n++] = (struct stall){
				.from_ns = before + STALL_TICK_MS * MS,
				.to_ns = woke,
			};
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int stall_watch_start(struct stall_watch *w)
{
	struct sched_param param = { .sched_priority = 2 };
	pthread_attr_t attr;
	cpu_set_t online, one;
	int cpu, err = 0;

	w->stop = 0;
	w->n = 0;
	w->threads = 0;
	if (sched_getaffinity(0, sizeof(online), &online))
		return 1;
	err = pthread_mutex_init(&w->lock, NULL);
	if (err)
		return err;
	pthread_attr_init(&attr);
	pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
	pthread_attr_setschedparam(&attr, &param);
	for (cpu = 0; cpu < CPU_SETSIZE && w->threads < STALL_CPUS && !err; cpu++) {
		if (!CPU_ISSET(cpu, &online))
			continue;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		pthread_attr_setaffinity_np(&attr, sizeof(one), &one);
		err = pthread_create(&w->thread[w->threads], &attr, watch, w);
		if (!err)
			w->threads++;
	}
	pthread_attr_destroy(&attr);
	if (err)
		stall_watch_stop(w);
	return err;
}

void stall_watch_stop(struct stall_watch *w)
{
	unsigned int i;

	pthread_mutex_lock(&w->lock);
	w->stop = 1;
	pthread_mutex_unlock(&w->lock);
	for (i = 0; i < w->threads; i++)
		pthread_join(w->thread[i], NULL);
	w->threads = 0;
	pthread_mutex_destroy(&w->lock);
}

static int by_start(const void *a, const void *b)
{
	const struct stall *x = a, *y = b;

	return x->from_ns < y->from_ns ? -1 : x->from_ns > y->from_ns;
}

uint64_t stall_ns_within(struct stall_watch *w, uint64_t from_ns, uint64_t to_ns)
{
	static struct stall clipped[STALL_MAX];
	uint64_t total = 0, end = 0, a, b;
	unsigned int i, n = 0;

	pthread_mutex_lock(&w->lock);
	for (i = 0; i < w->n; i++) {
		a = w->seen[i].from_ns > from_ns ? w->seen[i].from_ns : from_ns;
		b = w->seen[i].to_ns < to_ns ? w->seen[i].to_ns : to_ns;
		if (a < b)
			clipped[n++] = (struct stall){ .from_ns = a, .to_ns = b };
	}
	pthread_mutex_unlock(&w->lock);
	/* Their union: two CPUs stalled at once count once. */
	qsort(clipped, n, sizeof(clipped[0]), by_start);
	for (i = 0; i < n; i++) {
		a = clipped[i].from_ns > end ? clipped[i].from_ns : end;
		if (clipped[i].to_ns > a)
			total += clipped[i].to_ns - a;
		if (clipped[i].to_ns > end)
			end = clipped[i].to_ns;
	}
	return total;
}
