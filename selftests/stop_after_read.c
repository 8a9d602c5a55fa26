// SPDX-License-Identifier: GPL-2.0
/*
 * Preloaded into a daemon to stop it at one moment that a kill -STOP
 * from outside, which lands in poll() nearly always, cannot reach: right
 * after a recv() or recvmsg() on a UDP socket found it empty, the end of
 * a pass of reading, before the daemon looks at the clock for its
 * timers. Each time the file $AVAILCAST_STOP_FILE exists, the next such
 * read removes it and raises SIGSTOP; the test sends SIGCONT.
 */

#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

typedef ssize_t (*recv_fn)(int, void *, size_t, int);
typedef ssize_t (*recvmsg_fn)(int, struct msghdr *, int);

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

/* After a read of @fd that returned @n: stops if it found a UDP socket empty, as asked. */
static void stop_if_asked(int fd, ssize_t n)
{
	const char *file = getenv("AVAILCAST_STOP_FILE");
	int saved = errno;

	if (n < 0 && (saved == EAGAIN || saved == EWOULDBLOCK) && file && is_udp(fd) &&
	    !unlink(file))
		raise(SIGSTOP);
	errno = saved;
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	static recv_fn real;
	ssize_t n;

	if (!real)
		real = (recv_fn)dlsym(RTLD_NEXT, "recv");
	n = real(fd, buf, len, flags);
	stop_if_asked(fd, n);
	return n;
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	static recvmsg_fn real;
	ssize_t n;

	if (!real)
		real = (recvmsg_fn)dlsym(RTLD_NEXT, "recvmsg");
	n = real(fd, msg, flags);
	stop_if_asked(fd, n);
	return n;
}
