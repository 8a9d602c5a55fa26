// SPDX-License-Identifier: GPL-2.0
/*
 * sd_notify(3) for the daemons. The protocol is systemd's; libsystemd
 * speaks it. Hooks are the daemon's children: NotifyAccess=main (the
 * default) keeps them from speaking for it, and hooks.c removes the
 * variables from their environment.
 */
#include <stdarg.h>
#include <stdio.h>
#include <systemd/sd-daemon.h>

#include "service.h"

/* Half of WatchdogSec= in ms; 0: no watchdog. */
static uint64_t keepalive_ms;
static uint64_t last_keepalive_ms;

void service_ready(const char *status)
{
	uint64_t usec = 0;

	if (sd_watchdog_enabled(0, &usec) > 0)
		keepalive_ms = usec / 2000;
	sd_notifyf(0, "READY=1\nSTATUS=%s", status);
}

void service_reloading(void)
{
	sd_notify(0, "RELOADING=1");
}

void service_reloaded(void)
{
	sd_notify(0, "READY=1");
}

void service_status(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	sd_notifyf(0, "STATUS=%s", line);
}

void service_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}

void service_alive(uint64_t now_ms)
{
	if (!keepalive_ms || now_ms - last_keepalive_ms < keepalive_ms)
		return;
	last_keepalive_ms = now_ms;
	sd_notify(0, "WATCHDOG=1");
}
