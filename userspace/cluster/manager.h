/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The arbiter daemon, on each of the two managers: keeps the host table
 * from the relays' reports, runs the arbiter, carries out what it asks
 * for, persists the agreed witness, runs hooks and answers status.
 */
#ifndef AVAILCTL_MANAGER_H
#define AVAILCTL_MANAGER_H

/* Runs until SIGTERM or SIGINT; returns an exit code. */
int manager_main(const char *config_path);

#endif /* AVAILCTL_MANAGER_H */
