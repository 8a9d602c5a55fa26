/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a daemon tells its service manager, by sd_notify(3) (libsystemd):
 * readiness, reloads, a one-line status and the watchdog's keep-alive,
 * for the units' Type=notify and WatchdogSec=. Outside systemd
 * (NOTIFY_SOCKET unset) every call does nothing.
 *
 * The calls only post: a thread of the daemon's own sends, so that a
 * service manager that does not read its socket for a while (PID 1
 * busy) never holds up the event loop. READY=1, RELOADING=1 and
 * STOPPING=1 arrive in order once it reads again, STATUS= and
 * WATCHDOG=1 as they are then.
 */
#ifndef AVAILCTL_SERVICE_H
#define AVAILCTL_SERVICE_H

#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>

/*
 * The exit status of a daemon whose configuration or key is unusable:
 * sysexits' EX_CONFIG, which the units name in RestartPreventExitStatus=
 * (restarting cannot fix a file). Any other failure exits 1.
 */
#define SERVICE_EXIT_CONFIG	78

/*
 * How long, in ms, a process that exits waits for what it posted (its
 * STOPPING=1) to be sent: a manager that reads nothing does not keep a
 * daemon from exiting for longer.
 */
#define SERVICE_NOTIFY_EXIT_MS 1000

/*
 * Starts the thread that sends, if not yet: 0, or an errno value
 * (EAGAIN: a limit on tasks reached). A daemon starts it first; without
 * it, each call sends at once, waiting for the manager.
 */
int service_start(void);
/*
 * The daemon serves (sockets bound, handlers installed, state read):
 * READY=1 with @status. Reads the watchdog's interval (WatchdogSec=).
 */
void service_ready(const char *status);
/* A reload begins (RELOADING=1); service_reloaded() when it ended, either way. */
void service_reloading(void);
void service_reloaded(void);
/* STATUS=: one line, what systemctl status shows, e.g. the role; sent only when it changed. */
void service_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The daemon stops (STOPPING=1): hooks may still run. */
void service_stopping(void);
/*
 * Called from the event loop on each turn, and from the stop's until
 * the daemon exits (a SIGTERM not from systemd leaves its watchdog on),
 * @now_ms on any monotonic clock, before it waits @wait_ms (-1: no
 * limit): WATCHDOG=1 once half
 * of WatchdogSec= (at least 1 ms) has passed since the last. Returns how
 * long the loop may wait: @wait_ms, or less when the next keep-alive is
 * due sooner, so that any WatchdogSec= is fed in time whenever the loop
 * runs; a loop stuck longer than WatchdogSec= gets the daemon restarted.
 */
int service_alive(uint64_t now_ms, int wait_ms);

/*
 * Whether standard error is the journal's stream (JOURNAL_STREAM,
 * systemd.exec(5)): a line there may start with "<N>", its priority,
 * which journald strips (SyslogLevelPrefix=, on by default).
 */
bool service_stderr_is_journal(void);
/*
 * "<N>" for a line of @priority (LOG_ERR and the others of syslog.h)
 * when standard error is the journal's stream, else "": lines read by
 * people and by the tests' checker stay as they were.
 */
const char *service_log_prefix(int priority);
/*
 * Writes one line at error (service_log_prefix(LOG_ERR)) to standard
 * error: what availctl says outside a daemon's log, a failed start, check
 * or request. A control character in it (a newline in a configuration
 * path the message names) is written as a space, so that the message is
 * one line at one priority and cannot pass for another (a daemon's
 * event, a line of its own in the journal).
 */
void service_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Whether @c is a control character (below 0x20, or DEL): written as a
 * space in a line, which it would otherwise end or garble.
 */
bool service_control_char(char c);
/* The same, a line to standard output with no priority: what a check found. */
void service_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * A line to standard output that begins "warning: ": what a check found
 * that may go wrong, at warning ("<4>") when standard output is the
 * journal's stream (ExecReload= runs availctl check so).
 */
void service_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
