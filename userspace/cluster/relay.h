/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The relay, on every host: forwards each broadcast of the availcast
 * module to both managers, and serves this host's witness store.
 */
#ifndef AVAILCTL_RELAY_H
#define AVAILCTL_RELAY_H

/* Runs until SIGTERM or SIGINT; returns an exit code. */
int relay_main(const char *config_path);

#endif /* AVAILCTL_RELAY_H */
