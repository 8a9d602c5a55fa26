/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host's pressure stall information (PSI), which the relay reads and
 * adds to its reports as the resource "pressure".
 *
 * The module cannot read it without opening files by path from the
 * kernel: psi_system is not exported to modules, the files of
 * /proc/pressure have no read_iter (kernel_read() refuses them), and the
 * root cgroup's copies depend on where userspace mounted cgroup2, are
 * pinned while open, and are out of a kernel thread's reach from 7.3 on
 * (kernel threads resolve paths from an empty root). Userspace reads
 * /proc/pressure as any monitoring tool does.
 */
#ifndef AVAILCTL_PRESSURE_H
#define AVAILCTL_PRESSURE_H

#include <stddef.h>
#include <stdint.h>

#include <linux/availcast.h>

#define PRESSURE_DIR		"/proc/pressure"
/* The resource's name in reports; the module keeps it from pools. */
#define PRESSURE_NAME		AVAILCAST_PRESSURE_NAME
/* Its capacity: used is in per mille of time. */
#define PRESSURE_CAPACITY	1000
/*
 * The kernel updates the averages every 2 s (PSI_FREQ): reading more
 * often than this only repeats them.
 */
#define PRESSURE_READ_MS	500

/*
 * What keeps /proc/pressure's files from a process, where the kernel has
 * PSI or not: the kernel's build or command line, or a /proc mounted for
 * processes only (systemd's ProcSubset=pid, which the relay's unit must
 * not set).
 */
#define PRESSURE_ABSENT_HINT \
	"no PSI here: a kernel built without CONFIG_PSI, booted with psi=0 " \
	"(or without psi=1 where CONFIG_PSI_DEFAULT_DISABLED), or /proc " \
	"mounted with subset=pid, as systemd's ProcSubset=pid does"

/*
 * The first line of a PSI file, "some avg10=A.BB avg60=...": A.BB, the
 * percentage of the last 10 s in which some task stalled, into
 * @per_mille (0 to 1000). Strict, as psi_show() writes it ("%lu.%02lu",
 * 0.00 to 100.00): returns 0, or EPROTO with @per_mille untouched.
 */
int pressure_parse(const char *text, uint32_t *per_mille);

/*
 * The worst "some avg10" of @dir's cpu, memory and io files (PRESSURE_DIR
 * on a host), into @per_mille: the share of the last 10 s in which some
 * task stalled on that resource, 0 to 1000. Returns 0, or an errno with
 * @why saying which file and what went wrong: ENOENT where there is no
 * such file (PRESSURE_ABSENT_HINT, which @why then gives), EOPNOTSUPP
 * where the kernel refuses to read it, EPROTO for a file whose first
 * line pressure_parse() refuses.
 */
int pressure_read(const char *dir, uint32_t *per_mille, char *why, size_t why_size);

#endif /* AVAILCTL_PRESSURE_H */
