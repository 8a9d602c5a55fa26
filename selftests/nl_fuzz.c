// SPDX-License-Identifier: GPL-2.0
/*
 * A netlink fuzzer for the availcast family, for selftests/nl_fuzz.sh.
 *
 *   nl_fuzz SECONDS SEED
 *
 * For SECONDS, sends generated and mutated messages: every command number
 * and some beyond, dumps and dos, attributes of every type number and
 * beyond with edge values, strings with and without their NUL, random
 * bytes, nests up to three deep, lengths that lie (zero, short, past the
 * end), and byte flips and truncations of what it sent before. Replies
 * are drained after each message. Then it checks that the family still
 * answers GET and CONFIG_GET sanely.
 *
 * Prints counts, and "admin-accepted N": how many state-changing
 * commands succeeded (must be 0 when run without CAP_NET_ADMIN).
 * Exits 1 if the family stopped answering.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/availcast.h>

#include "family.h"
#include "genl.h"

#define FUZZ_MSG_MAX 4096

static uint64_t state;

static uint32_t rnd(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return (uint32_t)(state >> 11);
}

static const uint64_t edges[] = {
	0, 1, 2, 9, 10, 99, 100, 999, 1000, 1001, 60000, 600000, 600001,
	0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull,
	0x7fffffffffffffffull, 0xffffffffffffffffull,
};

static uint64_t edge(void)
{
	if (rnd() % 4 == 0)
		return ((uint64_t)rnd() << 32) | rnd();
	return edges[rnd() % (sizeof(edges) / sizeof(edges[0]))];
}

/* Appends attributes at @p (room bytes); returns the bytes used. */
static size_t attrs(uint8_t *p, size_t room, int depth)
{
	size_t used = 0, len, i;
	unsigned int n = rnd() % 6;
	struct nlattr *a;
	uint64_t v;

	while (n-- && room - used >= NLA_HDRLEN + 8) {
		a = (struct nlattr *)(p + used);
		a->nla_type = rnd() % 10 < 8 ? rnd() % 14 : (uint16_t)rnd();
		len = 0;
		switch (rnd() % 8) {
		case 0:
			p[used + NLA_HDRLEN] = (uint8_t)edge();
			len = 1;
			break;
		case 1:
			v = edge();
			memcpy(p + used + NLA_HDRLEN, &v, 4);
			len = 4;
			break;
		case 2:
			v = edge();
			memcpy(p + used + NLA_HDRLEN, &v, 8);
			len = 8;
			break;
		case 3:	/* a string, its NUL there or not */
			len = rnd() % 80;
			if (len > room - used - NLA_HDRLEN)
				len = room - used - NLA_HDRLEN;
			for (i = 0; i < len; i++)
				p[used + NLA_HDRLEN + i] = (uint8_t)('a' + rnd() % 26);
			if (len && rnd() % 2)
				p[used + NLA_HDRLEN + len - 1] = '\0';
			break;
		case 4:
			len = rnd() % 300;
			if (len > room - used - NLA_HDRLEN)
				len = room - used - NLA_HDRLEN;
			for (i = 0; i < len; i++)
				p[used + NLA_HDRLEN + i] = (uint8_t)rnd();
			break;
		case 5:
			if (depth < 3) {
				len = attrs(p + used + NLA_HDRLEN, room - used - NLA_HDRLEN,
					    depth + 1);
				if (rnd() % 2)
					a->nla_type |= NLA_F_NESTED;
			}
			break;
		case 6:	/* empty */
			break;
		default: /* a length that lies */
			a->nla_len = (uint16_t)(rnd() % 2 ? rnd() % NLA_HDRLEN : room + rnd() % 64);
			return used + NLA_HDRLEN;
		}
		a->nla_len = (uint16_t)(NLA_HDRLEN + len);
		used += NLA_ALIGN(NLA_HDRLEN + len);
		if (used > room)
			return room;
	}
	return used;
}

struct counts {
	unsigned long sent, acked_ok, refused, send_failed, admin_accepted;
	unsigned long by_errno[140];
};

static void drain(int fd, struct counts *c, const uint8_t *cmd_of_seq, uint32_t seq_mask)
{
	static uint8_t buf[65536];
	struct nlmsghdr *nlh;
	ssize_t got;
	int left;

	while ((got = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		left = (int)got;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, left); nlh = NLMSG_NEXT(nlh, left)) {
			struct nlmsgerr *err;
			uint8_t cmd;

			if (nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			err = NLMSG_DATA(nlh);
			cmd = cmd_of_seq[nlh->nlmsg_seq & seq_mask];
			if (!err->error) {
				c->acked_ok++;
				if (cmd >= AVAILCAST_CMD_CONFIG_SET && cmd <= AVAILCAST_CMD_ANNOUNCE)
					c->admin_accepted++;
			} else {
				c->refused++;
				if (-err->error > 0 && -err->error < 140)
					c->by_errno[-err->error]++;
			}
		}
	}
}

static int still_answers(void)
{
	struct genl_sock sk;
	struct ac_snapshot snap;
	struct genl_reply reply;
	int status;

	if (genl_open(&sk, "availcast"))
		return -1;
	status = ac_get(&sk, &snap, &reply);
	if (!status && (snap.level > 1000 || !snap.n_resources))
		status = -1;
	if (!status)
		status = genl_simple(&sk, AVAILCAST_CMD_CONFIG_GET, &reply);
	genl_close(&sk);
	return status;
}

int main(int argc, char **argv)
{
	static uint8_t msg[FUZZ_MSG_MAX], last[FUZZ_MSG_MAX];
	static uint8_t cmd_of_seq[1024];
	size_t last_len = 0, len;
	struct genl_sock sk;
	struct counts c = { 0 };
	struct nlmsghdr *nlh = (struct nlmsghdr *)msg;
	struct genlmsghdr *gh = NLMSG_DATA(nlh);
	time_t end;
	uint32_t seq = 1;
	int e;

	if (argc != 3) {
		fprintf(stderr, "usage: nl_fuzz SECONDS SEED\n");
		return 2;
	}
	end = time(NULL) + atoi(argv[1]);
	state = strtoull(argv[2], NULL, 10) * 2654435761u + 1;
	if (genl_open(&sk, "availcast")) {
		fprintf(stderr, "nl_fuzz: the availcast family is not registered\n");
		return 1;
	}
	while (time(NULL) < end) {
		if (last_len && rnd() % 10 < 3) {
			/* Mutate what went before: flips, and a truncation. */
			len = last_len;
			memcpy(msg, last, len);
			for (e = (int)(rnd() % 4); e >= 0; e--)
				msg[NLMSG_HDRLEN + rnd() % (len - NLMSG_HDRLEN)] ^= (uint8_t)(1u << (rnd() % 8));
			if (rnd() % 3 == 0)
				len = NLMSG_HDRLEN + rnd() % (len - NLMSG_HDRLEN + 1);
			nlh->nlmsg_len = (uint32_t)len;
		} else {
			memset(msg, 0, NLMSG_HDRLEN + GENL_HDRLEN);
			len = NLMSG_HDRLEN + GENL_HDRLEN;
			len += attrs(msg + len, sizeof(msg) - len, 0);
			nlh->nlmsg_len = (uint32_t)len;
			nlh->nlmsg_type = rnd() % 20 ? sk.family_id : (uint16_t)(rnd() % 64);
			nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK |
					   (rnd() % 3 ? 0 : NLM_F_DUMP);
			gh->cmd = (uint8_t)(rnd() % 14);
			gh->version = (uint8_t)(rnd() % 3);
			memcpy(last, msg, len);
			last_len = len;
		}
		nlh->nlmsg_seq = seq;
		/* Only the family's commands count; 0xff: another family's. */
		cmd_of_seq[seq & 1023] = nlh->nlmsg_type == sk.family_id ? gh->cmd : 0xff;
		seq++;
		if (send(sk.fd, msg, len, 0) < 0)
			c.send_failed++;
		else
			c.sent++;
		drain(sk.fd, &c, cmd_of_seq, 1023);
	}
	drain(sk.fd, &c, cmd_of_seq, 1023);
	genl_close(&sk);

	printf("sent %lu send-failed %lu acked-ok %lu refused %lu admin-accepted %lu\n",
	       c.sent, c.send_failed, c.acked_ok, c.refused, c.admin_accepted);
	for (e = 1; e < 140; e++)
		if (c.by_errno[e])
			printf("  %s: %lu\n", strerror(e), c.by_errno[e]);
	if (still_answers()) {
		printf("the family stopped answering GET or CONFIG_GET\n");
		return 1;
	}
	printf("the family still answers\n");
	return 0;
}
