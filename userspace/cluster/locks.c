// SPDX-License-Identifier: GPL-2.0
/* The daemons' locks, and who holds them: see locks.h. */

#define _GNU_SOURCE	/* statx() */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "layout.h"
#include "locks.h"
#include "service.h"

int locks_place(const struct conf *c, bool manager, struct lock_place places[LOCK_KINDS],
		char *error, size_t error_size)
{
	struct lock_place *p = places;
	struct stat state, run;

	memset(places, 0, LOCK_KINDS * sizeof(*places));
	p[LOCK_STATE_AS_RUNTIME].dir = p[LOCK_NODE_CLUSTER].dir = p[LOCK_NODE].dir =
		p[LOCK_ROLE].dir = c->state_dir;
	p[LOCK_STATE_AS_RUNTIME].key = p[LOCK_NODE_CLUSTER].key = p[LOCK_NODE].key =
		p[LOCK_ROLE].key = "state-dir";
	p[LOCK_RUNTIME].key = p[LOCK_RUNTIME_MARK].key = "runtime-dir";
	/* The state directory's lock of that name is held already. */
	if (stat(c->state_dir, &state) || stat(c->runtime_dir, &run) ||
	    state.st_dev != run.st_dev || state.st_ino != run.st_ino)
		p[LOCK_RUNTIME].dir = p[LOCK_RUNTIME_MARK].dir = c->runtime_dir;
	if (layout_node_file(p[LOCK_NODE_CLUSTER].name, sizeof(p->name), c->cluster, c->node,
			     "lock") ||
	    layout_node_file(p[LOCK_RUNTIME_MARK].name, sizeof(p->name), c->cluster, c->node,
			     "runtime.lock") ||
	    layout_role_lock(p[LOCK_ROLE].name, sizeof(p->name), c->cluster,
			     manager ? "agreed" : "witness")) {
		snprintf(error, error_size, "node and cluster names too long for a file name");
		return -1;
	}
	snprintf(p[LOCK_NODE].name, sizeof(p->name), "%s.lock", c->node);
	memcpy(p[LOCK_RUNTIME].name, p[LOCK_NODE_CLUSTER].name, sizeof(p->name));
	memcpy(p[LOCK_STATE_AS_RUNTIME].name, p[LOCK_RUNTIME_MARK].name, sizeof(p->name));

	snprintf(p[LOCK_STATE_AS_RUNTIME].holder, sizeof(p->holder),
		 "another availctl daemon runs as node %s of cluster %s with runtime-dir %s, this daemon's state-dir: daemons of one name need a runtime-dir each, not another's state-dir",
		 c->node, c->cluster, c->state_dir);
	p[LOCK_STATE_AS_RUNTIME].status = SERVICE_EXIT_CONFIG;

	snprintf(p[LOCK_NODE_CLUSTER].holder, sizeof(p->holder),
		 "another availctl daemon runs as node %s of cluster %s", c->node, c->cluster);
	p[LOCK_NODE_CLUSTER].status = 1;
	snprintf(p[LOCK_NODE].holder, sizeof(p->holder),
		 "node %s runs in another cluster from state-dir %s (the default control socket and its record are named for the node alone): each cluster's daemons need a state-dir of their own",
		 c->node, c->state_dir);
	p[LOCK_NODE].status = SERVICE_EXIT_CONFIG;
	snprintf(p[LOCK_ROLE].holder, sizeof(p->holder),
		 "another %s of cluster %s uses state-dir %s: each needs a state directory of its own",
		 manager ? "manager" : "host", c->cluster, c->state_dir);
	p[LOCK_ROLE].status = SERVICE_EXIT_CONFIG;
	snprintf(p[LOCK_RUNTIME].holder, sizeof(p->holder),
		 "another availctl daemon runs as node %s of cluster %s with runtime-dir %s: daemons of one name need a runtime-dir each",
		 c->node, c->cluster, c->runtime_dir);
	p[LOCK_RUNTIME].status = SERVICE_EXIT_CONFIG;
	memcpy(p[LOCK_RUNTIME_MARK].holder, p[LOCK_RUNTIME].holder, sizeof(p->holder));
	p[LOCK_RUNTIME_MARK].status = SERVICE_EXIT_CONFIG;
	return 0;
}

/*
 * How long, in ms, a start asks again for a lock a process that is not
 * a daemon of this node holds: long enough for a passing holder
 * (availctl check's look at it, a process exiting) to let go.
 */
#define LOCKS_PASSING_MS 2000

/* lock_holder(): /proc/locks could not be read. */
#define LOCKS_UNSEEN (-2)

static int lock_path(const struct lock_place *p, char *path, size_t size)
{
	return (size_t)snprintf(path, size, "%s/%s", p->dir, p->name) < size ? 0 : -1;
}

/*
 * The device of the file system @path is on, as /proc/locks names it
 * (the superblock's): that of its mount in /proc/self/mountinfo ("ID
 * PARENT MAJOR:MINOR ..."). stat()'s may be another: btrfs gives each
 * subvolume a device of its own, overlayfs over two file systems the
 * layer's. Returns false when it cannot be told (no mount id, a kernel
 * before 5.8; no /proc).
 */
static bool mount_device(const char *path, unsigned int *maj, unsigned int *min)
{
	unsigned long long id;
	struct statx stx;
	bool found = false;
	char *line = NULL;
	size_t size = 0;
	FILE *mounts;

	if (statx(AT_FDCWD, path, 0, STATX_MNT_ID, &stx) || !(stx.stx_mask & STATX_MNT_ID))
		return false;
	mounts = fopen("/proc/self/mountinfo", "re");
	if (!mounts)
		return false;
	while (!found && getline(&line, &size, mounts) > 0)
		found = sscanf(line, "%llu %*u %u:%u", &id, maj, min) == 3 && id == stx.stx_mnt_id;
	free(line);
	fclose(mounts);
	return found;
}

/* A lock file as /proc/locks and fdinfo name it: "MAJOR:MINOR:INODE". */
struct lock_id {
	unsigned int major, minor;
	unsigned long ino;
};

/*
 * @path's id: the device is the file system's (mount_device()), or
 * stat()'s where that cannot be told. -1 when it is not there.
 */
static int lock_id_of(const char *path, struct lock_id *id)
{
	struct stat st;

	if (stat(path, &st))
		return -1;
	if (!mount_device(path, &id->major, &id->minor)) {
		id->major = major(st.st_dev);
		id->minor = minor(st.st_dev);
	}
	id->ino = st.st_ino;
	return 0;
}

/*
 * Whether @line, of /proc/locks or an fdinfo ("lock:\t" first), is an
 * flock on @id; its pid into @pid: "ID: FLOCK  ADVISORY  WRITE PID
 * MAJOR:MINOR:INODE START END" (hex device numbers; a waiter's line has
 * "->" before FLOCK, and is not one).
 */
static bool flock_line(const char *line, const struct lock_id *id, int *pid)
{
	unsigned int maj, min;
	unsigned long ino;
	char type[16];

	if (!strncmp(line, "lock:", 5))
		line += 5;
	return sscanf(line, "%*d: %15s %*s %*s %d %x:%x:%lu", type, pid, &maj, &min, &ino) == 5 &&
	       !strcmp(type, "FLOCK") && maj == id->major && min == id->minor && ino == id->ino;
}

/*
 * The pid of a process other than @own that holds an flock on the file
 * @id, as /proc/locks names it (the one that took it). -1: none seen;
 * LOCKS_UNSEEN with errno: /proc/locks could not be read (a sandbox may
 * hide it).
 */
static pid_t lock_holder(const struct lock_id *id, pid_t own)
{
	char line[256];
	pid_t holder = -1;
	FILE *locks;
	int pid;

	locks = fopen("/proc/locks", "re");
	if (!locks)
		return LOCKS_UNSEEN;
	while (holder < 0 && fgets(line, sizeof(line), locks))
		if (flock_line(line, id, &pid) && pid != own)
			holder = pid;
	fclose(locks);
	return holder;
}

/* A /proc entry's number (a pid, a descriptor), or -1 for another name. */
static int proc_number(const char *name)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(name, &end, 10);
	return name[0] >= '0' && name[0] <= '9' && !*end && !errno && n <= INT_MAX ? (int)n : -1;
}

/* Whether descriptor @fd of @pid has an flock on @id, as its fdinfo shows it. */
static bool fd_has_flock(int pid, int fd, const struct lock_id *id)
{
	char file[64], line[256];
	bool found = false;
	FILE *info;
	int taker;

	snprintf(file, sizeof(file), "/proc/%d/fdinfo/%d", pid, fd);
	info = fopen(file, "re");
	if (!info)
		return false;
	while (!found && fgets(line, sizeof(line), info))
		found = flock_line(line, id, &taker);
	fclose(info);
	return found;
}

/* Whether @pid is a zombie, or gone: either holds no files. */
static bool zombie(int pid)
{
	char file[64], line[512], *close = NULL;
	FILE *f;

	snprintf(file, sizeof(file), "/proc/%d/stat", pid);
	f = fopen(file, "re");
	if (!f)
		return true;
	/* "PID (COMM) STATE ...": the last ')' ends COMM, which may hold one. */
	if (fgets(line, sizeof(line), f))
		close = strrchr(line, ')');
	fclose(f);
	return close && close[1] == ' ' && (close[2] == 'Z' || close[2] == 'X');
}

/* holding_fd(): the process's descriptors cannot be seen. */
#define FDS_UNSEEN (-2)

/*
 * The descriptor of @pid that has an flock on @id; -1 when none has,
 * FDS_UNSEEN when its descriptors cannot be seen (another user's
 * process). Read from fdinfo only: stat() of /proc/PID/fd/N would ask
 * the file's own file system, which may hang (a stopped FUSE server, an
 * NFS server gone).
 */
static int holding_fd(int pid, const struct lock_id *id)
{
	char path[64];
	struct dirent *entry;
	int fd, found = -1;
	DIR *fds;

	if (zombie(pid))
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/fdinfo", pid);
	fds = opendir(path);
	if (!fds)
		return errno == ENOENT ? -1 : FDS_UNSEEN;
	while (found < 0 && (entry = readdir(fds))) {
		fd = proc_number(entry->d_name);
		if (fd >= 0 && fd_has_flock(pid, fd, id))
			found = fd;
	}
	closedir(fds);
	return found;
}

/*
 * A process other than @own that holds the flock on @id, found by the
 * descriptors of the processes this user may see (its /proc's: not those
 * of another pid namespace). -1: none found.
 */
static pid_t holder_by_files(const struct lock_id *id, pid_t own)
{
	struct dirent *entry;
	pid_t found = -1;
	DIR *proc;
	int pid;

	proc = opendir("/proc");
	if (!proc)
		return -1;
	while (found < 0 && (entry = readdir(proc))) {
		pid = proc_number(entry->d_name);
		if (pid > 0 && pid != own && holding_fd(pid, id) >= 0)
			found = pid;
	}
	closedir(proc);
	return found;
}

/*
 * Who holds the flock on the file @id: @named, the pid /proc/locks
 * names (lock_holder()), while it still has it (or its descriptors cannot
 * be seen). /proc/locks names the process that took the lock, which may
 * have exited (a zombie, or its pid another process's since) or closed
 * its descriptor, leaving the lock to a child; and it leaves out a taker
 * of another pid namespace. Then the holder is looked for by its
 * descriptors, and @taker says what became of @named. -1: none found.
 */
static pid_t real_holder(const struct lock_id *id, pid_t named, pid_t own, char *taker,
			 size_t taker_size)
{
	if (named > 0 && holding_fd(named, id) != -1)
		return named;
	if (named > 0)
		snprintf(taker, taker_size, ": pid %d took it and no longer holds it", (int)named);
	else if (named == 0)
		snprintf(taker, taker_size, ": its taker is gone or in another pid namespace");
	return holder_by_files(id, own);
}

/* @pid's command name into @comm, "" when it cannot be read. */
static void command_of(pid_t pid, char *comm, size_t size)
{
	char file[64];
	FILE *f;

	comm[0] = '\0';
	snprintf(file, sizeof(file), "/proc/%d/comm", (int)pid);
	f = fopen(file, "re");
	if (!f)
		return;
	if (fgets(comm, (int)size, f))
		comm[strcspn(comm, "\n")] = '\0';
	fclose(f);
}

/* Whether @s ends with @suffix: the length before it, or 0. */
static size_t before_suffix(const char *s, const char *suffix)
{
	size_t len = strlen(s), n = strlen(suffix);

	return len > n && !strcmp(s + len - n, suffix) ? len - n : 0;
}

/*
 * Whose lock a file named @name is, as layout.h names them: "node N of
 * cluster C" (N@C.lock, N@C.runtime.lock), "the manager of cluster C"
 * (@C.agreed.lock), "a host of cluster C" (@C.witness.lock), "node N"
 * (N.lock). False for another name.
 */
static bool lock_owner(const char *name, char *owner, size_t size)
{
	const char *at = strchr(name, '@');
	size_t len;

	if (!at) {
		len = before_suffix(name, ".lock");
		snprintf(owner, size, "node %.*s", (int)len, name);
		return len;
	}
	if (at == name && (len = before_suffix(name, ".agreed.lock")) > 1)
		snprintf(owner, size, "the manager of cluster %.*s", (int)len - 1, name + 1);
	else if (at == name && (len = before_suffix(name, ".witness.lock")) > 1)
		snprintf(owner, size, "a host of cluster %.*s", (int)len - 1, name + 1);
	else if (at > name && ((len = before_suffix(name, ".runtime.lock")) ||
			       (len = before_suffix(name, ".lock"))) && len > (size_t)(at - name) + 1)
		snprintf(owner, size, "node %.*s of cluster %.*s", (int)(at - name), name,
			 (int)(len - (size_t)(at - name) - 1), at + 1);
	else
		return false;
	return true;
}

/*
 * Whether @pid is availctl: by its command name (@comm), or by its
 * program's when run under another name (a symlink: availctl-arbiter),
 * " (deleted)" once an upgrade replaced it. readlink() of /proc/PID/exe
 * reads procfs alone.
 */
static bool is_availctl(pid_t pid, const char *comm)
{
	char file[64], exe[PATH_MAX];
	const char *base;
	size_t deleted;
	ssize_t len;

	if (!strcmp(comm, "availctl"))
		return true;
	snprintf(file, sizeof(file), "/proc/%d/exe", (int)pid);
	len = readlink(file, exe, sizeof(exe) - 1);
	if (len < 0)
		return false;
	exe[len] = '\0';
	deleted = before_suffix(exe, " (deleted)");
	if (deleted)
		exe[deleted] = '\0';
	base = strrchr(exe, '/');
	return !strcmp(base ? base + 1 : exe, "availctl");
}

/*
 * Whether @pid runs an availctl daemon: its first argument that is not
 * an option is a daemon's command (availctl --json arbiter ...).
 */
static bool runs_daemon(pid_t pid)
{
	char file[64], args[4096], *arg;
	ssize_t n;
	int fd;

	snprintf(file, sizeof(file), "/proc/%d/cmdline", (int)pid);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, args, sizeof(args) - 1);
	close(fd);
	if (n <= 0)
		return false;
	args[n] = '\0';
	/* argv[0], then each argument after its '\0'. */
	for (arg = args + strlen(args) + 1; arg < args + n && arg[0] == '-';
	     arg += strlen(arg) + 1)
		;
	return arg < args + n && (!strcmp(arg, "arbiter") || !strcmp(arg, "relay"));
}

/*
 * Whether @holder, holding the lock at @p (file @id), is a daemon of
 * this node (the one a start may meet on its way out): an availctl
 * process (@comm) running a daemon's command that holds the lock through
 * a file it opened under this lock's name. A hard link, or a rename, of
 * another lock file to this one's path is held under the other's name:
 * readlink() of its descriptor gives the name it opened, from procfs
 * alone. Else @note says what the holder is, for the message.
 */
static bool held_by_daemon(const struct lock_place *p, pid_t holder, const struct lock_id *id,
			   const char *comm, char *note, size_t note_size)
{
	char file[64], target[PATH_MAX], owner[2 * WIRE_NAME_SIZE + 64];
	const char *base;
	ssize_t len;
	int fd;

	note[0] = '\0';
	if (!comm[0])
		return false;	/* gone */
	if (!is_availctl(holder, comm) || !runs_daemon(holder)) {
		snprintf(note, note_size, ", not an availctl daemon");
		return false;
	}
	fd = holding_fd(holder, id);
	snprintf(file, sizeof(file), "/proc/%d/fd/%d", (int)holder, fd);
	len = fd >= 0 ? readlink(file, target, sizeof(target) - 1) : -1;
	if (len < 0) {
		snprintf(note, note_size, ", a daemon whose descriptors cannot be seen from here");
		return false;
	}
	target[len] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (!strcmp(base, p->name))
		return true;
	if (lock_owner(base, owner, sizeof(owner)))
		snprintf(note, note_size, ", the daemon of %s, which holds it as %s", owner, target);
	else
		snprintf(note, note_size, ", a daemon which holds it as %s", target);
	return false;
}

/*
 * @p's holder message, the path, and who holds its file @id
 * (real_holder(), from @named). @p->holder says what a daemon holding it
 * means for a start; any other process may hold a lock (flock(1), a
 * backup tool, a daemon through a hard link to its own lock file): the
 * message then says another process holds it, and what that one is (or
 * that it cannot be seen from here: it may be of another pid namespace).
 * @daemon says whether the holder is seen to be a daemon of this node
 * (held_by_daemon()): only then may a start exit @p->status when that is
 * 1, as a retry meets no other. Returns the holder, -1 if none was found;
 * getpid() when this process holds it through a descriptor it inherited.
 */
static pid_t say_held(const struct lock_place *p, const char *path, const struct lock_id *id,
		      pid_t named, pid_t own, bool *daemon, char *error, size_t error_size)
{
	char comm[32] = "", taker[96] = "", note[PATH_MAX + 2 * WIRE_NAME_SIZE + 128];
	char other[2 * WIRE_NAME_SIZE + 128] = "another process holds this lock";
	char owner[2 * WIRE_NAME_SIZE + 64];
	const char *head;
	pid_t holder;

	*daemon = false;
	/* Its own descriptors on the file closed: one it holds it by, it inherited. */
	if (holding_fd(getpid(), id) >= 0) {
		snprintf(error, error_size, "%s is locked through a descriptor this process inherited (a flock(1) around the command?): it must not be",
			 path);
		return getpid();
	}
	if (lock_owner(p->name, owner, sizeof(owner)))
		snprintf(other, sizeof(other), "another process holds the lock of %s", owner);
	holder = real_holder(id, named, own, taker, sizeof(taker));
	if (holder > 0) {
		command_of(holder, comm, sizeof(comm));
		*daemon = held_by_daemon(p, holder, id, comm, note, sizeof(note));
		snprintf(error, error_size, "%s (%s is locked by pid %d%s%s%s%s)",
			 *daemon ? p->holder : other, path, (int)holder, comm[0] ? ", " : "", comm,
			 note, taker);
		return holder;
	}
	/*
	 * Unseen, it cannot be told a daemon of this node: @p's message only
	 * where a start exits 78 whoever holds it.
	 */
	head = p->status == SERVICE_EXIT_CONFIG ? p->holder : other;
	if (taker[0])
		snprintf(error, error_size, "%s (%s is locked%s: 'fuser -v %s' names who holds it)",
			 head, path, taker, path);
	else
		snprintf(error, error_size, "%s (%s is locked by a process that cannot be seen from here, such as one of another pid namespace)",
			 head, path);
	return holder;
}

/* A file's kind, for a message: what is at a lock's path. */
static const char *file_kind(mode_t mode)
{
	return S_ISFIFO(mode) ? "a FIFO" : S_ISDIR(mode) ? "a directory" :
	       S_ISSOCK(mode) ? "a socket" : S_ISCHR(mode) ? "a character device" :
	       S_ISBLK(mode) ? "a block device" : "not a regular file";
}

/*
 * Whether what is at @path (@st, from lstat()) may be a lock file: a
 * regular file, or nothing yet. Opening anything else for a lock could
 * block (a FIFO with no writer, for ever), act on a device, or through a
 * symlink make another daemon's lock this one. -1 with EINVAL and @error.
 */
static int lock_file_kind(const char *path, const struct stat *st, char *error,
			  size_t error_size)
{
	char target[PATH_MAX];
	ssize_t len;

	if (S_ISREG(st->st_mode))
		return 0;
	if (S_ISLNK(st->st_mode)) {
		len = readlink(path, target, sizeof(target) - 1);
		target[len < 0 ? 0 : len] = '\0';
		snprintf(error, error_size, "%s is a symlink (to %s), not a regular file: a lock file must be one",
			 path, target);
	} else {
		snprintf(error, error_size, "%s is %s, not a regular file: a lock file must be one",
			 path, file_kind(st->st_mode));
	}
	errno = EINVAL;
	return -1;
}

/*
 * Whether the file at @path could not be opened for a lock by this user
 * (ExecReload runs availctl check as the daemon's): not a regular file,
 * or not readable. Nothing there yet is no reason. 1 with @error and
 * errno (as lock_take() would give it), or 0.
 */
static int lock_file_unusable(const char *path, char *error, size_t error_size)
{
	struct stat st;
	int err;

	if (lstat(path, &st))
		return 0;
	if (lock_file_kind(path, &st, error, error_size))
		return 1;
	if (!faccessat(AT_FDCWD, path, R_OK, AT_EACCESS))
		return 0;
	err = errno;
	snprintf(error, error_size, "%s: %s", path, strerror(err));
	errno = err;
	return 1;
}

/*
 * say_held() for the lock at @path that was found held (its flock
 * refused): who took it as /proc/locks says, who holds it now. Returns
 * getpid() when this process holds it through an inherited descriptor.
 */
static pid_t say_found_held(const struct lock_place *p, const char *path, bool *daemon,
			    char *error, size_t error_size)
{
	struct lock_id id;

	if (lock_id_of(path, &id)) {
		*daemon = false;
		snprintf(error, error_size, "%s (%s is locked)", p->holder, path);
		return -1;
	}
	return say_held(p, path, &id, lock_holder(&id, getpid()), -1, daemon, error, error_size);
}

/* What a start says of a lease on @path: it fails, and a retry may not. */
static void say_lease(const char *path, char *error, size_t error_size)
{
	/* Not open()'s wait for a lease's break: the kernel ends it soon. */
	snprintf(error, error_size, "%s: another process holds a lease on it (fcntl F_SETLEASE), which the kernel breaks within /proc/sys/fs/lease-break-time seconds",
		 path);
}

/*
 * Whether another process holds an flock on the regular file at @path,
 * found by asking for it shared without waiting, and letting go at once
 * (not made when missing, nor waited on when a FIFO): 1 held, 0 not,
 * -1 a lease on it (an open() that would wait for its break).
 */
static int held_now(const char *path)
{
	struct stat st;
	bool held;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return fd < 0 && errno == EWOULDBLOCK ? -1 : 0;
	held = !fstat(fd, &st) && S_ISREG(st.st_mode) && flock(fd, LOCK_SH | LOCK_NB) &&
	       errno == EWOULDBLOCK;
	close(fd);
	return held;
}

/* Whether @fd's flock is had within @ms, asking every 10 ms. */
static bool take_within(int fd, unsigned int ms)
{
	const struct timespec step = { .tv_nsec = 10 * 1000 * 1000 };
	unsigned int waited;

	for (waited = 0; waited <= ms; waited += 10) {
		if (!flock(fd, LOCK_EX | LOCK_NB))
			return true;
		nanosleep(&step, NULL);
	}
	return false;
}

int lock_take(const struct lock_place *p, char *error, size_t error_size)
{
	char path[PATH_MAX];
	struct stat st;
	bool daemon;
	int fd, err;

	if (lock_path(p, path, sizeof(path))) {
		snprintf(error, error_size, "%s is too long", p->dir);
		errno = ENAMETOOLONG;
		return -1;
	}
	if (!lstat(path, &st) && lock_file_kind(path, &st, error, error_size))
		return -1;
	/*
	 * Read-only: a state directory can still be remounted read-only under
	 * us. Not waiting: a FIFO put there after the look above. Not
	 * followed: a symlink would make another's lock this one.
	 */
	fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW,
		  0600);
	if (fd < 0 && errno == EWOULDBLOCK) {
		say_lease(path, error, error_size);
		errno = ETXTBSY;
		return -1;
	}
	if (fd < 0) {
		err = errno;
		if (err == ELOOP && !lstat(path, &st))
			lock_file_kind(path, &st, error, error_size);
		else
			snprintf(error, error_size, "%s: %s", path, strerror(err));
		errno = err == ELOOP ? EINVAL : err;
		return -1;
	}
	if (fstat(fd, &st) || lock_file_kind(path, &st, error, error_size)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		err = errno;
		if (say_found_held(p, path, &daemon, error, error_size) == getpid()) {
			err = EDEADLK;
		} else if (err == EWOULDBLOCK && !daemon) {
			/*
			 * Not a daemon of this node: asked again for a while,
			 * as the holder may let go (one that exits, availctl
			 * check's look at it); else what a start tried again
			 * would meet too.
			 */
			if (take_within(fd, LOCKS_PASSING_MS))
				return fd;
			if (p->status != SERVICE_EXIT_CONFIG)
				err = EBUSY;
		}
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

int lock_status(const struct lock_place *p, int err)
{
	switch (err) {
	case EWOULDBLOCK:
		return p->status;
	/* What may pass by itself: a start tried again may find it gone. */
	case EIO: case ENOSPC: case EDQUOT: case EMFILE: case ENFILE: case ENOMEM:
	case EINTR: case EROFS: case ETXTBSY:
		return 1;
	default:
		return SERVICE_EXIT_CONFIG;
	}
}

int lock_probe(const struct lock_place *p, char *error, size_t error_size)
{
	char path[PATH_MAX];
	bool daemon;

	if (!p->dir || lock_path(p, path, sizeof(path)) || held_now(path) != 1)
		return 0;
	say_found_held(p, path, &daemon, error, error_size);
	return 1;
}

int locks_check(const struct conf *c, bool manager, pid_t own, int *status, char *error,
		size_t error_size)
{
	struct lock_place places[LOCK_KINDS];
	char path[PATH_MAX], warning[PATH_MAX + 160] = "";
	struct lock_id id;
	bool daemon;
	pid_t holder;
	int i, held;

	*status = SERVICE_EXIT_CONFIG;
	if (locks_place(c, manager, places, error, error_size))
		return 1;
	for (i = 0; i < LOCK_KINDS; i++) {
		if (!places[i].dir || lock_path(&places[i], path, sizeof(path)))
			continue;
		/* The start only asks for that one, and takes nothing else there. */
		if (i != LOCK_STATE_AS_RUNTIME && lock_file_unusable(path, error, error_size)) {
			if (i != LOCK_RUNTIME && i != LOCK_RUNTIME_MARK) {
				*status = lock_status(&places[i], errno);
				break;
			}
			/* The daemon runs, without its runtime copies. */
			if (!warning[0])
				snprintf(warning, sizeof(warning), "%s: the daemon would run without runtime copies",
					 error);
			continue;
		}
		if (lock_id_of(path, &id))
			continue;	/* not made yet */
		holder = lock_holder(&id, own);
		if (holder == LOCKS_UNSEEN) {
			snprintf(error, error_size, "/proc/locks: %s: locks not checked",
				 strerror(errno));
			return 2;
		}
		/* Not seen there: a taker of another pid namespace, or gone. */
		if (holder < 0)
			holder = holder_by_files(&id, own);
		/*
		 * Nor by its files: a holder this /proc does not show (of
		 * another pid namespace), found by asking, unless it is @own.
		 */
		held = 0;
		if (holder < 0 && (own <= 0 || holding_fd(own, &id) == -1))
			held = held_now(path);
		if (held < 0) {
			say_lease(path, error, error_size);
			*status = lock_status(&places[i], ETXTBSY);
			break;
		}
		if (holder >= 0 || held) {
			say_held(&places[i], path, &id, holder, own, &daemon, error, error_size);
			*status = daemon ? places[i].status : SERVICE_EXIT_CONFIG;
			break;
		}
	}
	if (i < LOCK_KINDS) {
		conf_blame(c, places[i].key, error, error_size);
		return 1;
	}
	if (!warning[0])
		return 0;
	snprintf(error, error_size, "%s", warning);
	return 2;
}
