// SPDX-License-Identifier: GPL-2.0
/*
 * node_read() on a real UDP socket: datagrams come out one at a time, in
 * the order they were sent, however many one recvmmsg() took; a datagram
 * too long says its length as sent; and what was taken from the socket
 * but not handed out yet is said (node_unread()), since poll() cannot.
 */

#define _XOPEN_SOURCE 700	/* nftw() */
#include <arpa/inet.h>
#include <ftw.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node.h"
#include "kselftest_harness.h"

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)type, (void)ftw;
	return remove(path);
}

FIXTURE(node)
{
	char dir[64];
	struct node n;
	int out;			/* a socket sending to the node's */
	struct sockaddr_in to;
};

/* A manager m1 alone on 127.0.0.1, at a port that was free. */
FIXTURE_SETUP(node)
{
	socklen_t len = sizeof(self->to);
	char path[128], error[512];
	FILE *f;

	snprintf(self->dir, sizeof(self->dir), "/tmp/node_read_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	self->to = (struct sockaddr_in){ .sin_family = AF_INET,
					 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	self->out = socket(AF_INET, SOCK_DGRAM, 0);
	ASSERT_LE(0, self->out);
	ASSERT_EQ(0, bind(self->out, (struct sockaddr *)&self->to, sizeof(self->to)));
	ASSERT_EQ(0, getsockname(self->out, (struct sockaddr *)&self->to, &len));
	close(self->out);

	snprintf(path, sizeof(path), "%s/cluster.key", self->dir);
	f = fopen(path, "w");
	ASSERT_NE(NULL, f);
	fchmod(fileno(f), 0600);
	fprintf(f, "%064x\n", 7);
	fclose(f);
	snprintf(path, sizeof(path), "%s/m1.conf", self->dir);
	f = fopen(path, "w");
	ASSERT_NE(NULL, f);
	fprintf(f, "cluster = test\nnode = m1\nkey-file = %s/cluster.key\n", self->dir);
	fprintf(f, "state-dir = %s/state\nruntime-dir = %s/run\n", self->dir, self->dir);
	fprintf(f, "manager = m1 127.0.0.1:%u\nmanager = m2 127.0.0.2:%u\n",
		ntohs(self->to.sin_port), ntohs(self->to.sin_port));
	fprintf(f, "host = h1 127.0.0.3\n");
	fclose(f);
	ASSERT_EQ(0, node_start(&self->n, path, true, error, sizeof(error))) TH_LOG("%s", error);
	self->out = socket(AF_INET, SOCK_DGRAM, 0);
	ASSERT_LE(0, self->out);
}

FIXTURE_TEARDOWN(node)
{
	node_stop(&self->n);
	close(self->out);
	nftw(self->dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* Sends datagram @i: @len bytes, each the low byte of @i. */
static void send_numbered(int fd, const struct sockaddr_in *to, unsigned int i, size_t len)
{
	static uint8_t buf[WIRE_MAX + 100];

	memset(buf, (int)(i & 0xff), len);
	sendto(fd, buf, len, 0, (const struct sockaddr *)to, sizeof(*to));
}

/* Whether poll() says the node's socket has something to read. */
static bool socket_readable(const struct node *n)
{
	struct pollfd fd = { .fd = n->udp, .events = POLLIN };

	return poll(&fd, 1, 0) == 1;
}

TEST_F(node, datagrams_come_out_in_order_however_many_wait)
{
	static struct node_datagram d;
	const unsigned int count = 3 * NODE_INBOX + 5;
	unsigned int i;

	for (i = 0; i < count; i++)
		send_numbered(self->out, &self->to, i, 40 + i);
	for (i = 0; i < count; i++) {
		ASSERT_TRUE(node_read(&self->n, &d)) TH_LOG("datagram %u", i);
		ASSERT_EQ(40 + (ssize_t)i, d.len);
		EXPECT_EQ(i & 0xff, d.bytes[0]);
		EXPECT_EQ(i & 0xff, d.bytes[d.len - 1]);
		EXPECT_NE(0, d.received_unix_ms);	/* SO_TIMESTAMPNS */
	}
	EXPECT_FALSE(node_read(&self->n, &d));
	EXPECT_FALSE(node_unread(&self->n));
}

TEST_F(node, a_datagram_too_long_says_its_length_as_sent)
{
	static struct node_datagram d;

	send_numbered(self->out, &self->to, 1, WIRE_MAX + 50);
	send_numbered(self->out, &self->to, 2, 60);
	ASSERT_TRUE(node_read(&self->n, &d));
	EXPECT_EQ(WIRE_MAX + 50, d.len);
	ASSERT_TRUE(node_read(&self->n, &d));
	EXPECT_EQ(60, d.len);
	EXPECT_EQ(2, d.bytes[59]);
}

TEST_F(node, what_was_taken_and_not_handed_out_is_said)
{
	static struct node_datagram d;
	struct pollfd wait = { .fd = -1 }, fds[NODE_POLL_FDS];

	send_numbered(self->out, &self->to, 1, 40);
	send_numbered(self->out, &self->to, 2, 40);
	/* Both queued on the loopback before the first read. */
	while (!socket_readable(&self->n))
		poll(&wait, 0, 1);
	EXPECT_FALSE(node_unread(&self->n));
	ASSERT_TRUE(node_read(&self->n, &d));
	if (!socket_readable(&self->n)) {
		EXPECT_TRUE(node_unread(&self->n)) TH_LOG("the second is nowhere to be seen");
		EXPECT_EQ(0, node_poll_fds(&self->n, fds, 1000)) TH_LOG("poll() must not wait");
	}
	ASSERT_TRUE(node_read(&self->n, &d));
	EXPECT_EQ(2, d.bytes[0]);
	EXPECT_FALSE(node_unread(&self->n));
	EXPECT_FALSE(socket_readable(&self->n));
	EXPECT_EQ(1000, node_poll_fds(&self->n, fds, 1000));
}

TEST_HARNESS_MAIN
