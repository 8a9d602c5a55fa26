// SPDX-License-Identifier: GPL-2.0
/*
 * sd_notify(3) for the daemons. The protocol is systemd's; libsystemd
 * speaks it. Hooks are the daemon's children: NotifyAccess=main (the
 * default) keeps them from speaking for it, and hooks.c removes the
 * variables from their environment.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <systemd/sd-daemon.h>

#include "service.h"
#include "utf8.h"

/* Half of WatchdogSec= in ms; 0: no watchdog. */
static uint64_t keepalive_ms;
static uint64_t last_keepalive_ms;

void service_ready(const char *status)
{
	uint64_t usec = 0;

	/* At least 1 ms: a WatchdogSec= under 2 ms still gets its keep-alives. */
	if (sd_watchdog_enabled(0, &usec) > 0)
		keepalive_ms = usec / 2000 ? usec / 2000 : 1;
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
	static char said[512];
	char line[sizeof(said)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (!strcmp(line, said))
		return;
	memcpy(said, line, sizeof(said));
	sd_notifyf(0, "STATUS=%s", line);
}

void service_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}

int service_alive(uint64_t now_ms, int wait_ms)
{
	uint64_t due_in_ms;

	if (!keepalive_ms)
		return wait_ms;
	if (now_ms - last_keepalive_ms >= keepalive_ms) {
		last_keepalive_ms = now_ms;
		sd_notify(0, "WATCHDOG=1");
	}
	due_in_ms = last_keepalive_ms + keepalive_ms - now_ms;
	return wait_ms < 0 || due_in_ms < (uint64_t)wait_ms ? (int)due_in_ms : wait_ms;
}

/*
 * Whether descriptor @fd is the journal's stream: systemd names it in
 * JOURNAL_STREAM as "DEVICE:INODE" (systemd.exec(5)). Lines to it get a
 * "<N>" priority prefix, which journald strips (SyslogLevelPrefix=, on
 * by default); lines anywhere else (the tests' checker) are left as
 * they were.
 */
static bool is_journal(int fd)
{
	const char *stream = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	return stream && sscanf(stream, "%llu:%llu", &dev, &ino) == 2 && !fstat(fd, &st) &&
	       st.st_dev == dev && st.st_ino == ino;
}

bool service_stderr_is_journal(void)
{
	static int known = -1;

	if (known < 0)
		known = is_journal(STDERR_FILENO);
	return known;
}

const char *service_log_prefix(int priority)
{
	static const char prefixes[8][4] = { "<0>", "<1>", "<2>", "<3>", "<4>", "<5>", "<6>", "<7>" };

	return service_stderr_is_journal() && priority >= 0 && priority < 8 ?
		prefixes[priority] : "";
}

bool service_control_char(char c)
{
	return (unsigned char)c < 0x20 || c == 0x7f;
}

/*
 * One line to @out, after @prefix, its control characters spaces. Room
 * for a message naming two paths of PATH_MAX; a longer one is cut
 * between characters, and says so.
 */
static void say_line(FILE *out, const char *prefix, const char *fmt, va_list ap)
{
	static const char cut[] = " [cut]";
	char line[3 * 4096];
	size_t i, len;
	int used;

	used = vsnprintf(line, sizeof(line), fmt, ap);
	if (used >= (int)sizeof(line)) {
		len = utf8_cut(line, sizeof(line) - sizeof(cut));
		memcpy(line + len, cut, sizeof(cut));
	}
	for (i = 0; line[i]; i++)
		if (service_control_char(line[i]))
			line[i] = ' ';
	fprintf(out, "%s%s\n", prefix, line);
}

void service_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say_line(stderr, service_log_prefix(LOG_ERR), fmt, ap);
	va_end(ap);
}

void service_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say_line(stdout, is_journal(STDOUT_FILENO) ? "<4>warning: " : "warning: ", fmt, ap);
	va_end(ap);
}

void service_say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say_line(stdout, "", fmt, ap);
	va_end(ap);
}
