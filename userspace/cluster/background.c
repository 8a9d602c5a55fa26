// SPDX-License-Identifier: GPL-2.0
/* The daemon's background threads: see background.h. */

#include <pthread.h>
#include <signal.h>

#include "background.h"

int background_start(void *(*run)(void *), size_t stack_size)
{
	pthread_attr_t attr;
	pthread_t thread;
	sigset_t all, was;
	int error;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, stack_size);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* The new thread inherits the mask: no signal for it, ever. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &was);
	error = pthread_create(&thread, &attr, run, NULL);
	pthread_sigmask(SIG_SETMASK, &was, NULL);
	pthread_attr_destroy(&attr);
	return error;
}

struct timespec background_deadline(clockid_t clock, uint64_t ms)
{
	struct timespec at;

	clock_gettime(clock, &at);
	at.tv_sec += (time_t)(ms / 1000);
	at.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (at.tv_nsec >= 1000000000L) {
		at.tv_sec++;
		at.tv_nsec -= 1000000000L;
	}
	return at;
}
