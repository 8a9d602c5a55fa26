// SPDX-License-Identifier: GPL-2.0
/* Running the role-change hook and collecting it. */

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hooks.h"

/* A hook child's exit status when the hold ran out before it could start. */
#define HOOKS_LAPSED 125

void hooks_run(const struct node *n, const struct arbiter *a,
	       enum arbiter_role new_role, uint64_t new_epoch, uint64_t hold_until_ms,
	       enum arbiter_role previous)
{
	char epoch[24], generation[24];
	const char *role = arbiter_role_name(new_role);
	pid_t pid;

	if (!n->conf.hook[0] || new_role == ARBITER_STARTUP)
		return;
	snprintf(epoch, sizeof(epoch), "%" PRIu64, new_epoch);
	snprintf(generation, sizeof(generation), "%" PRIu64, a->agreed.generation);
	pid = fork();
	if (pid < 0) {
		node_log(n, "hook-failed", "error=fork");
		return;
	}
	if (pid == 0) {
		sigset_t none;
		uint64_t now_ms;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		setenv("AVAILCTL_ROLE", role, 1);
		setenv("AVAILCTL_PREVIOUS_ROLE", arbiter_role_name(previous), 1);
		setenv("AVAILCTL_EPOCH", epoch, 1);
		setenv("AVAILCTL_CLUSTER", n->conf.cluster, 1);
		setenv("AVAILCTL_NODE", n->conf.node, 1);
		setenv("AVAILCTL_PEER", a->peer, 1);
		setenv("AVAILCTL_WITNESS", a->agreed.host, 1);
		setenv("AVAILCTL_WITNESS_GENERATION", generation, 1);
		setenv("AVAILCTL_REASON", a->reason, 1);
		/*
		 * The active hook acts as the active: only while the hold
		 * runs, on the clock as it is now that the child exists (a
		 * starved machine can take long to fork), just before the
		 * program starts. The line says when that was checked: an
		 * ordinary task on a busy CPU can wait long between the check
		 * and its write (300 ms and more seen on one starved vCPU).
		 */
		now_ms = node_now_ms();
		if (new_role == ARBITER_ACTIVE && now_ms >= hold_until_ms) {
			node_log_at(n, now_ms, "hook-lapsed", "pid=%d role=%s epoch=%s hold_until=%"
				    PRIu64, (int)getpid(), role, epoch, hold_until_ms);
			_exit(HOOKS_LAPSED);
		}
		node_log_at(n, now_ms, "hook-started", "pid=%d role=%s epoch=%s hold_until=%" PRIu64,
			    (int)getpid(), role, epoch, hold_until_ms);
		execl(n->conf.hook, n->conf.hook, role, (char *)NULL);
		_exit(127);
	}
}

void hooks_reap(const struct node *n)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (WIFEXITED(status))
			node_log(n, "hook-ended", "pid=%d status=%d", (int)pid,
				 WEXITSTATUS(status));
		else
			node_log(n, "hook-ended", "pid=%d signal=%d", (int)pid,
				 WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	}
}
