// SPDX-License-Identifier: GPL-2.0
/*
 * Preloaded into a daemon to stop it at one moment that a kill -STOP
 * from outside, which lands in poll() nearly always, cannot reach: right
 * after a recvmmsg() on a UDP socket (node_read()'s) found it empty, the
 * end of a pass of reading, before the daemon looks at the clock for its
 * timers. Each time the file $AVAILCAST_STOP_FILE exists, the next such
 * read removes it and raises SIGSTOP; the test sends SIGCONT. And the
 * middle of a pass: each time $AVAILCAST_STOP_FILE.data exists, the next
 * such read that took datagrams.
 */

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

typedef int (*recvmmsg_fn)(int, struct mmsghdr *, unsigned int, int, struct timespec *);

static int is_udp(int fd)
{
	struct sockaddr_storage addr;
	socklen_t addr_len = sizeof(addr);
	int type;
	socklen_t type_len = sizeof(type);

	return !getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_len) && type == SOCK_DGRAM &&
	       !getsockname(fd, (struct sockaddr *)&addr, &addr_len) &&
	       (addr.ss_family == AF_INET || addr.ss_family == AF_INET6);
}

int recvmmsg(int fd, struct mmsghdr *msgs, unsigned int count, int flags,
	     struct timespec *timeout)
{
	static recvmmsg_fn real;
	const char *file = getenv("AVAILCAST_STOP_FILE");
	char data_file[PATH_MAX];
	int n, saved;

	if (!real)
		real = (recvmmsg_fn)dlsym(RTLD_NEXT, "recvmmsg");
	n = real(fd, msgs, count, flags, timeout);
	saved = errno;
	if (n < 0 && (saved == EAGAIN || saved == EWOULDBLOCK) && file && is_udp(fd) &&
	    !unlink(file))
		raise(SIGSTOP);
	if (n > 0 && file && is_udp(fd) &&
	    (size_t)snprintf(data_file, sizeof(data_file), "%s.data", file) < sizeof(data_file) &&
	    !unlink(data_file))
		raise(SIGSTOP);
	errno = saved;
	return n;
}
