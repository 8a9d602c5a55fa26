// SPDX-License-Identifier: GPL-2.0
/*
 * The stall watch (stall.h): a thread at real-time priority sleeps
 * STALL_TICK_MS at a time; a wake-up more than STALL_SLACK_MS late is a
 * stall from when it should have woken to when it did. Real-time, so that
 * ordinary tasks of the machine do not delay it: what delays it delays
 * every timer of the machine too.
 */

#include <sched.h>
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
	int err;

	w->stop = 0;
	w->n = 0;
	err = pthread_mutex_init(&w->lock, NULL);
	if (err)
		return err;
	pthread_attr_init(&attr);
	pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
	pthread_attr_setschedparam(&attr, &param);
	err = pthread_create(&w->thread, &attr, watch, w);
	pthread_attr_destroy(&attr);
	if (err)
		pthread_mutex_destroy(&w->lock);
	return err;
}

void stall_watch_stop(struct stall_watch *w)
{
	pthread_mutex_lock(&w->lock);
	w->stop = 1;
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_mutex_destroy(&w->lock);
}

uint64_t stall_ns_within(struct stall_watch *w, uint64_t from_ns, uint64_t to_ns)
{
	uint64_t total = 0, a, b;
	unsigned int i;

	pthread_mutex_lock(&w->lock);
	for (i = 0; i < w->n; i++) {
		a = w->seen[i].from_ns > from_ns ? w->seen[i].from_ns : from_ns;
		b = w->seen[i].to_ns < to_ns ? w->seen[i].to_ns : to_ns;
		if (a < b)
			total += b - a;
	}
	pthread_mutex_unlock(&w->lock);
	return total;
}
