// SPDX-License-Identifier: GPL-2.0
/*
 * ingest_bench: how many host reports a manager verifies and applies per
 * second on one core, through the code the arbiter runs: node_receive()
 * (recvmmsg, framing, HMAC, sender, replay window) and hosts_report().
 *
 *   ingest_bench HOSTS SECONDS
 *
 * It writes a cluster of HOSTS hosts and one manager into a temporary
 * directory, starts the manager's node on 127.0.0.1, and then, pinned to
 * one CPU, repeats: sign a batch of reports (three resources each, from
 * the hosts in turn), send them to the manager's socket, and time how
 * long the manager takes to take them in. As the baseline of the same
 * run, the same batches are drained with bare recvmmsg() calls of
 * NODE_INBOX datagrams, as node_read() makes them: what the kernel's
 * socket costs by itself, the floor of any manager. Prints, for each:
 *
 *   ingest: path=NAME hosts=N datagrams=N ns=N
 *
 * and path=sendto for the sending of the manager's run (send_batch()).
 *
 * Only the draining is timed; signing and sending are the relays' work.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "availcast.h"
#include "hosts.h"
#include "node.h"
#include "wire.h"

/* Fits the manager's default socket buffer with room to spare. */
#define BATCH 64

/* The temporary cluster, removed at exit however the run ends. */
static char dir[] = "/tmp/ingest_bench.XXXXXX";
static bool dir_made;

static int remove_entry(const char *path, const struct stat *st, int type,
			struct FTW *ftw)
{
	(void)st, (void)type, (void)ftw;
	return remove(path);
}

static void remove_dir(void)
{
	if (dir_made)
		nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static void die(const char *what)
{
	fprintf(stderr, "ingest_bench: %s: %s\n", what, errno ? strerror(errno) : "failed");
	exit(1);
}

/* The cluster: key, config with HOSTS hosts, and the state directory. */
static void write_cluster(unsigned int hosts, uint16_t port)
{
	char path[PATH_MAX];
	unsigned int i;
	FILE *f;

	snprintf(path, sizeof(path), "%s/cluster.key", dir);
	f = fopen(path, "w");
	if (!f || fchmod(fileno(f), 0600))
		die(path);
	fprintf(f, "%064x\n", 42);
	fclose(f);

	snprintf(path, sizeof(path), "%s/m1.conf", dir);
	f = fopen(path, "w");
	if (!f)
		die(path);
	fprintf(f, "cluster = bench\nnode = m1\nkey-file = %s/cluster.key\n", dir);
	fprintf(f, "state-dir = %s/state\n", dir);
	fprintf(f, "manager = m1 127.0.0.1:%u\nmanager = m2 127.0.0.2:%u\n", port, port);
	/* Each host an address of its own, as the config requires; unused. */
	for (i = 0; i < hosts; i++)
		fprintf(f, "host = h%u 127.%u.%u.%u\n", i, 1 + i / 65536, i / 256 % 256, i % 256);
	if (fclose(f))
		die(path);
}

/* A report as a relay sends it: the built-in resources of a busy host. */
static void fill_report(struct wire_message *msg, unsigned int host, uint64_t seq)
{
	static const char *const names[] = { "cpu", "memory", "pressure" };
	unsigned int i;

	memset(msg, 0, sizeof(*msg));
	msg->type = WIRE_REPORT;
	msg->seq = seq;
	msg->time_ms = node_unix_ms();
	snprintf(msg->sender, sizeof(msg->sender), "h%u", host);
	snprintf(msg->destination, sizeof(msg->destination), "m1");
	msg->report.level = 400;
	msg->report.reason = 1;
	msg->report.kernel_seq = seq;
	msg->report.time_left_ms = 100;
	msg->report.n_resources = 3;
	for (i = 0; i < 3; i++) {
		struct wire_resource *r = &msg->report.resources[i];

		snprintf(r->name, sizeof(r->name), "%s", names[i]);
		r->level = 400;
		r->capacity = 1000;
		r->used = 600;
	}
}

struct sender {
	int fd;
	struct sockaddr_in to;
	const struct node *manager;	/* it holds the key of each host's pair with it */
	unsigned int hosts, next_host;
	uint64_t seq;
};

/*
 * Signs and sends one batch; returns when the kernel has queued it, and
 * the ns the sendto() calls took. On the loopback the kernel's receive
 * work (IP, UDP, queueing on the manager's socket) runs inside them, on
 * the core the bench is pinned to: what it adds to a manager's core when
 * it runs there, with the sender's own work, at most.
 */
static uint64_t send_batch(struct sender *s)
{
	uint64_t start;
	static uint8_t buf[BATCH][WIRE_MAX];
	static size_t len[BATCH];
	struct wire_message msg;
	unsigned int i;

	for (i = 0; i < BATCH; i++) {
		fill_report(&msg, s->next_host, ++s->seq);
		s->next_host = (s->next_host + 1) % s->hosts;
		len[i] = wire_encode(&msg, keyring_send_key(&s->manager->keys,
							    conf_index(&s->manager->conf,
								       msg.sender)),
				     buf[i], sizeof(buf[i]));
		if (!len[i])
			die("wire_encode");
	}
	start = availcast_now_ns();
	for (i = 0; i < BATCH; i++)
		if (sendto(s->fd, buf[i], len[i], 0, (const struct sockaddr *)&s->to,
			   sizeof(s->to)) != (ssize_t)len[i])
			die("sendto");
	return availcast_now_ns() - start;
}

enum path { PATH_MANAGER, PATH_RECVMMSG };

/* The baseline: NODE_INBOX datagrams a call, their bytes left unread. */
static unsigned int drain_recvmmsg(int fd, unsigned int most)
{
	static uint8_t bufs[NODE_INBOX][WIRE_MAX + 1];
	struct mmsghdr mm[NODE_INBOX];
	struct iovec iov[NODE_INBOX];
	unsigned int i;
	int got;

	if (most > NODE_INBOX)
		most = NODE_INBOX;
	for (i = 0; i < most; i++) {
		iov[i] = (struct iovec){ .iov_base = bufs[i], .iov_len = sizeof(bufs[i]) };
		mm[i].msg_hdr = (struct msghdr){ .msg_iov = &iov[i], .msg_iovlen = 1 };
	}
	got = recvmmsg(fd, mm, most, MSG_TRUNC, NULL);
	if (got <= 0)
		die("recvmmsg");
	return (unsigned int)got;
}

/* Drains one batch the way @path does; returns the ns it took. */
static uint64_t drain_batch(struct node *n, struct host_table *table, enum path path)
{
	static struct wire_message msg;
	uint64_t start = availcast_now_ns();
	unsigned int got = 0;

	while (got < BATCH) {
		if (path == PATH_RECVMMSG) {
			got += drain_recvmmsg(n->udp, BATCH - got);
			continue;
		}
		switch (node_receive(n, &msg)) {
		case 1:
			if (hosts_report(table, msg.sender_index, msg.sender, node_now_ms(), &msg.report))
				die("hosts_report");
			got++;
			break;
		case 0:
			die("the batch did not all arrive");
			break;
		default:
			die("a report was refused");
		}
	}
	return availcast_now_ns() - start;
}

int main(int argc, char **argv)
{
	static struct node manager;
	static struct host_table table;
	char config[PATH_MAX], error[512];
	struct sender s = { 0 };
	unsigned int hosts, seconds;
	struct sockaddr_in self;
	socklen_t self_len = sizeof(self);
	cpu_set_t one;
	enum path path;

	if (argc != 3 || !(hosts = (unsigned int)atoi(argv[1])) ||
	    !(seconds = (unsigned int)atoi(argv[2]))) {
		fprintf(stderr, "usage: ingest_bench HOSTS SECONDS\n");
		return 2;
	}
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	if (sched_setaffinity(0, sizeof(one), &one))
		die("sched_setaffinity");
	if (!mkdtemp(dir))
		die("mkdtemp");
	dir_made = true;
	atexit(remove_dir);

	/* Port 0 is refused by the config: find a free one first. */
	s.fd = socket(AF_INET, SOCK_DGRAM, 0);
	s.to = (struct sockaddr_in){ .sin_family = AF_INET,
				     .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (s.fd < 0 || bind(s.fd, (struct sockaddr *)&s.to, sizeof(s.to)) ||
	    getsockname(s.fd, (struct sockaddr *)&self, &self_len))
		die("socket");
	close(s.fd);
	write_cluster(hosts, ntohs(self.sin_port));
	snprintf(config, sizeof(config), "%s/m1.conf", dir);
	if (node_start(&manager, config, true, error, sizeof(error))) {
		fprintf(stderr, "ingest_bench: %s\n", error);
		return 1;
	}
	if (hosts_init(&table, &manager.conf, NULL))
		die("hosts_init");

	s.fd = socket(AF_INET, SOCK_DGRAM, 0);
	s.to.sin_port = self.sin_port;
	s.manager = &manager;
	s.hosts = hosts;
	s.seq = node_unix_ms() * 1000;
	if (s.fd < 0)
		die("socket");

	for (path = PATH_MANAGER; path <= PATH_RECVMMSG; path++) {
		uint64_t deadline = availcast_now_ns() + (uint64_t)seconds * 1000000000u;
		uint64_t ns = 0, send_ns = 0, datagrams = 0;

		while (availcast_now_ns() < deadline) {
			send_ns += send_batch(&s);
			ns += drain_batch(&manager, &table, path);
			datagrams += BATCH;
		}
		printf("ingest: path=%s hosts=%u datagrams=%llu ns=%llu\n",
		       path == PATH_MANAGER ? "manager" : "recvmmsg", hosts,
		       (unsigned long long)datagrams, (unsigned long long)ns);
		if (path == PATH_MANAGER)
			printf("ingest: path=sendto hosts=%u datagrams=%llu ns=%llu\n", hosts,
			       (unsigned long long)datagrams, (unsigned long long)send_ns);
	}

	hosts_free(&table);
	node_stop(&manager);
	close(s.fd);
	return 0;
}
