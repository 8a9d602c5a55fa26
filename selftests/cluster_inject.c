// SPDX-License-Identifier: GPL-2.0
/*
 * Test helper for selftests/cluster.sh:
 *   cluster_inject now
 *     prints CLOCK_BOOTTIME in ms, the clock the daemons log with;
 *   cluster_inject attack KEY_FILE KEY_ID ADDRESS PORT HOST
 *     sends a daemon one datagram of each kind it must drop (garbage,
 *     truncated, oversized, forged, unknown key id, unknown sender), then
 *     one authentic report as HOST twice: the second is a replay. HOST
 *     should run no relay of its own (its numbers would clash with ours);
 *     the report says it is shutting down, so no manager picks it.
 */

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>

#include "key.h"
#include "wire.h"

static int sock;
static struct sockaddr_in target;

static void send_bytes(const char *what, const uint8_t *buf, size_t len)
{
	if (sendto(sock, buf, len, 0, (struct sockaddr *)&target, sizeof(target)) != (ssize_t)len) {
		perror(what);
		exit(1);
	}
	printf("sent %s (%zu bytes)\n", what, len);
}

static size_t report(struct wire_key *key, const char *sender, uint64_t seq, uint8_t *buf)
{
	struct wire_message m = { .type = WIRE_REPORT, .seq = seq };
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	m.time_ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	snprintf(m.sender, sizeof(m.sender), "%s", sender);
	m.report.level = 500;
	m.report.reason = 4;	/* AVAILCAST_REASON_SHUTDOWN */
	m.report.time_left_ms = 1000;
	return wire_encode(&m, key, buf, WIRE_MAX);
}

int main(int argc, char **argv)
{
	uint8_t buf[WIRE_MAX + 100], copy[WIRE_MAX + 100];
	struct wire_key key, wrong;
	char error[256];
	struct timespec ts;
	uint64_t seq;
	size_t len;

	if (argc == 2 && !strcmp(argv[1], "now")) {
		clock_gettime(CLOCK_BOOTTIME, &ts);
		printf("%llu\n", (unsigned long long)ts.tv_sec * 1000 + (unsigned long long)ts.tv_nsec / 1000000);
		return 0;
	}
	if (argc != 7 || strcmp(argv[1], "attack")) {
		fprintf(stderr, "usage: cluster_inject now | attack KEY_FILE KEY_ID ADDRESS PORT HOST\n");
		return 2;
	}
	if (sodium_init() < 0 || key_load(argv[2], (uint16_t)atoi(argv[3]), &key, error, sizeof(error))) {
		fprintf(stderr, "cluster_inject: %s\n", error);
		return 1;
	}
	sock = socket(AF_INET, SOCK_DGRAM, 0);
	target.sin_family = AF_INET;
	target.sin_port = htons((uint16_t)atoi(argv[5]));
	if (sock < 0 || inet_pton(AF_INET, argv[4], &target.sin_addr) != 1)
		return 1;
	clock_gettime(CLOCK_REALTIME, &ts);
	seq = (uint64_t)ts.tv_sec * 1000000000ull + 1;

	randombytes_buf(copy, 300);
	send_bytes("garbage (malformed)", copy, 300);
	len = report(&key, argv[6], seq++, buf);
	send_bytes("truncated", buf, len - 10);
	memset(copy, 0, sizeof(copy));
	memcpy(copy, buf, len);
	send_bytes("oversized", copy, WIRE_MAX + 50);
	wrong = key;
	wrong.bytes[5] ^= 0x40;
	len = report(&wrong, argv[6], seq++, buf);
	send_bytes("forged (wrong key)", buf, len);
	wrong = key;
	wrong.id ^= 1;
	len = report(&wrong, argv[6], seq++, buf);
	send_bytes("unknown key id", buf, len);
	len = report(&key, "intruder", seq++, buf);
	send_bytes("unknown sender", buf, len);
	len = report(&key, argv[6], seq++, buf);
	send_bytes("authentic report", buf, len);
	send_bytes("the same report again (replayed)", buf, len);
	close(sock);
	return 0;
}
