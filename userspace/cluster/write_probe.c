// SPDX-License-Identifier: GPL-2.0
/* A directory's write health, measured by a thread (write_probe.h). */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "availcast.h"
#include "background.h"
#include "write_probe.h"

#define WRITE_PROBE_STACK (512 * 1024)	/* bytes; ASan's frames are larger */

static void *probe(void *arg)
{
	static const char text[] = "availcast write probe\n";
	struct write_probe *p = arg;
	struct timespec until;
	uint64_t began, pause_ms;
	int error;

	pthread_mutex_lock(&p->lock);
	while (!p->stopping) {
		began = availcast_now_ns() / 1000000;
		p->since_ms = began ? began : 1;
		pthread_mutex_unlock(&p->lock);
		error = durable_replace(p->file.dir, p->file.tmp_path, p->file.path, text,
					sizeof(text) - 1, p->file.mode) ? errno : 0;
		pthread_mutex_lock(&p->lock);
		p->since_ms = 0;
		p->took_ms = (uint32_t)(availcast_now_ns() / 1000000 - began);
		p->error = error;
		p->done++;
		/*
		 * On a slow disk the probe's fsyncs queue with the store's
		 * own (one journal): it waits three times its last write, so
		 * that it takes no more than a quarter of the disk's time.
		 */
		pause_ms = (uint64_t)p->took_ms * 3;
		if (pause_ms < WRITE_PROBE_EVERY_MS)
			pause_ms = WRITE_PROBE_EVERY_MS;
		until = background_deadline(CLOCK_MONOTONIC, pause_ms);
		while (!p->stopping &&
		       pthread_cond_timedwait(&p->wake, &p->lock, &until) != ETIMEDOUT)
			;
	}
	p->ended = true;
	pthread_cond_signal(&p->ended_cond);
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int write_probe_start(struct write_probe *p, const char *dir, const char *name)
{
	pthread_condattr_t attr;
	pthread_attr_t thread;
	int error;

	memset(p, 0, sizeof(*p));
	if (durable_file_init(&p->file, dir, name, NULL, NULL, 0600)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&p->wake, &attr);
	pthread_cond_init(&p->ended_cond, &attr);
	pthread_condattr_destroy(&attr);
	/*
	 * A small stack: the daemon locks its memory (node.c), and the
	 * default 8 MiB would be locked whole. The probe needs a few KiB.
	 */
	pthread_attr_init(&thread);
	pthread_attr_setstacksize(&thread, WRITE_PROBE_STACK);
	error = pthread_create(&p->thread, &thread, probe, p);
	pthread_attr_destroy(&thread);
	if (error) {
		pthread_cond_destroy(&p->ended_cond);
		pthread_cond_destroy(&p->wake);
		pthread_mutex_destroy(&p->lock);
		errno = error;
		return -1;
	}
	p->running = true;
	return 0;
}

void write_probe_stop(struct write_probe *p)
{
	if (!p->running)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = true;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
}

bool write_probe_stopped(struct write_probe *p, int wait_ms)
{
	struct timespec until = background_deadline(CLOCK_MONOTONIC, (uint64_t)wait_ms);
	bool ended;

	if (!p->running)
		return true;
	pthread_mutex_lock(&p->lock);
	while (!p->ended && pthread_cond_timedwait(&p->ended_cond, &p->lock, &until) != ETIMEDOUT)
		;
	ended = p->ended;
	pthread_mutex_unlock(&p->lock);
	if (!ended)
		return false;
	pthread_join(p->thread, NULL);
	pthread_cond_destroy(&p->ended_cond);
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
	p->running = false;
	unlink(p->file.path);
	return true;
}

uint64_t write_probe_result(struct write_probe *p, uint32_t *took_ms, int *error,
			    uint32_t *in_flight_ms)
{
	uint64_t done;

	pthread_mutex_lock(&p->lock);
	done = p->done;
	*took_ms = p->took_ms;
	*error = p->error;
	*in_flight_ms = p->since_ms ? (uint32_t)(availcast_now_ns() / 1000000 - p->since_ms) : 0;
	pthread_mutex_unlock(&p->lock);
	return done;
}
