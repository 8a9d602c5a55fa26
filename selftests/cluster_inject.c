// SPDX-License-Identifier: GPL-2.0
/*
 * Test helper for selftests/cluster.sh:
 *   cluster_inject now
 *     prints CLOCK_BOOTTIME in ms, the clock the daemons log with;
 *   cluster_inject attack SECRET KEY_ID TARGET ADDRESS PORT HOST
 *     sends daemon TARGET one datagram of each kind it must drop (garbage,
 *     truncated, oversized, forged, unknown key id, unknown sender,
 *     misdirected, and a heartbeat "as the other manager" signed with
 *     HOST's own key), then one authentic report as HOST twice: the
 *     second is a replay; and one stamped an hour ago. HOST's key is derived from the cluster SECRET,
 *     as 'availctl keygen --node' does. HOST should run no relay of its
 *     own (its numbers would clash with ours); the report says it is
 *     shutting down, so no manager picks it.
 *   cluster_inject reply SECRET KEY_ID TARGET ADDRESS PORT HOST EPOCH GENERATION
 *     sends manager TARGET, as witness host HOST (with HOST's own key), a
 *     witness answer to a request it never made: "done", its record at
 *     EPOCH and GENERATION, a token a month ahead, the longest lease.
 *     What root on a witness host could send; it must give no hold.
 *   cluster_inject flood SECRET KEY_ID TARGET ADDRESS PORT HOST COUNT
 *     sends TARGET COUNT authentic reports as HOST, as fast as it can.
 *   cluster_inject ask SECRET KEY_ID RELAY ADDRESS PORT MANAGER COUNT
 *     sends RELAY COUNT authentic witness reads as MANAGER, as fast as it
 *     can (what a manager whose role is at stake sends a relay that fell
 *     behind).
 *   cluster_inject claim SECRET KEY_ID RELAY ADDRESS PORT MANAGER CLUSTER LEASE_MS
 *     sends RELAY, as MANAGER, the compare-and-swap that writes CLUSTER's
 *     first witness record: MANAGER active at epoch 1, generation 1, for
 *     a lease of LEASE_MS.
 *   cluster_inject stallwatch FILE
 *     until killed, wakes every 10 ms at SCHED_FIFO 99 (when allowed) and
 *     appends to FILE a line "NOW LATE" (CLOCK_BOOTTIME and lateness, in
 *     ms) for each wake-up 20 ms late or more: a VM whose emulator
 *     stopped for a while (a busy host) shows there, and no daemon's
 *     timing can be judged across such a stall.
 */

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <sched.h>
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

static const char *target_name;
static uint64_t stamp_age_ms;	/* how long ago datagrams say they were sent */

static size_t signed_as(struct wire_key *key, uint8_t type, const char *sender,
			const char *destination, uint64_t seq, uint8_t *buf)
{
	struct wire_message m = { .type = type, .seq = seq };
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	m.time_ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000 - stamp_age_ms;
	snprintf(m.sender, sizeof(m.sender), "%s", sender);
	snprintf(m.destination, sizeof(m.destination), "%s", destination);
	if (type == WIRE_WITNESS_READ) {
		m.witness.op = 1;	/* WITNESS_OP_READ */
		m.witness.token = seq;
		snprintf(m.witness.record.cluster, sizeof(m.witness.record.cluster), "demo");
	} else if (type == WIRE_HEARTBEAT) {
		m.heartbeat.role = 2;	/* active, at an epoch far ahead */
		m.heartbeat.epoch = 1000;
	} else {
		m.report.level = 500;
		m.report.reason = 4;	/* AVAILCAST_REASON_SHUTDOWN */
		m.report.time_left_ms = 1000;
	}
	return wire_encode(&m, key, buf, WIRE_MAX);
}

/*
 * A witness message from @sender to the target, sent now, numbered past
 * every datagram of the injector's other verbs (ends in @last): @record
 * names @active at @epoch and @generation, for @lease_ms.
 */
static void witness_message(struct wire_message *m, uint8_t type, const char *sender,
			    uint64_t last, const char *cluster, const char *active,
			    uint64_t epoch, uint64_t generation, uint32_t lease_ms)
{
	struct wire_witness *w = &m->witness;
	struct timespec ts;

	*m = (struct wire_message){ .type = type };
	clock_gettime(CLOCK_REALTIME, &ts);
	m->time_ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	m->seq = m->time_ms * 1000000 + last;
	snprintf(m->sender, sizeof(m->sender), "%s", sender);
	snprintf(m->destination, sizeof(m->destination), "%s", target_name);
	w->op = 2;	/* WITNESS_OP_CAS */
	snprintf(w->record.cluster, sizeof(w->record.cluster), "%s", cluster);
	snprintf(w->record.active, sizeof(w->record.active), "%s", active);
	w->record.epoch = epoch;
	w->record.generation = generation;
	w->record.lease_ms = lease_ms;
}

static int send_signed(const char *what, struct wire_key *key, const struct wire_message *m)
{
	uint8_t buf[WIRE_MAX];
	size_t len = wire_encode(m, key, buf, sizeof(buf));

	if (!len)
		return 1;
	send_bytes(what, buf, len);
	return 0;
}

/* The first record's compare-and-swap, as MANAGER to TARGET. */
static int send_claim(struct wire_key *key, const char *manager, const char *cluster,
		      uint32_t lease_ms)
{
	struct wire_message m;

	witness_message(&m, WIRE_WITNESS_CAS, manager, 999998, cluster, manager, 1, 1, lease_ms);
	m.witness.token = m.seq;
	return send_signed("a witness claim", key, &m);
}

/* The unasked witness answer, as HOST to TARGET. */
static int send_reply(struct wire_key *key, const char *host, uint64_t epoch,
		      uint64_t generation)
{
	struct wire_message m;
	struct timespec ts;

	witness_message(&m, WIRE_WITNESS_REPLY, host, 999999, "demo", target_name, epoch,
			generation, 600000);
	clock_gettime(CLOCK_BOOTTIME, &ts);
	m.witness.token = (uint64_t)ts.tv_sec * 1000 + 30ull * 24 * 3600 * 1000;
	m.witness.granted_ms = 600000;
	return send_signed("an unasked witness answer, a month ahead", key, &m);
}

static size_t report(struct wire_key *key, const char *sender, uint64_t seq, uint8_t *buf)
{
	return signed_as(key, WIRE_REPORT, sender, target_name, seq, buf);
}

static uint64_t boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int stallwatch(const char *path)
{
	const struct timespec tick = { .tv_nsec = 10 * 1000000 };
	struct sched_param top = { .sched_priority = 99 };
	uint64_t before, after, slept_ms;
	FILE *f = fopen(path, "a");

	if (!f)
		return 1;
	setvbuf(f, NULL, _IOLBF, 0);	/* each stall readable at once */
	sched_setscheduler(0, SCHED_FIFO, &top);	/* best effort */
	for (;;) {
		before = boottime_ns();
		clock_nanosleep(CLOCK_BOOTTIME, 0, &tick, NULL);
		after = boottime_ns();
		slept_ms = (after - before) / 1000000;
		if (slept_ms >= 30 &&
		    fprintf(f, "%llu %llu\n", (unsigned long long)(after / 1000000),
			    (unsigned long long)(slept_ms - 10)) < 0)
			return 1;
	}
}

int main(int argc, char **argv)
{
	uint8_t buf[WIRE_MAX + 100], copy[WIRE_MAX + 100];
	struct key_material secret;
	struct wire_key key, wrong;
	uint8_t node_key[WIRE_KEY_SIZE];
	char error[512], other[WIRE_NAME_SIZE];
	struct timespec ts;
	uint64_t seq;
	size_t len;
	bool ask;

	if (argc == 2 && !strcmp(argv[1], "now")) {
		clock_gettime(CLOCK_BOOTTIME, &ts);
		printf("%llu\n", (unsigned long long)ts.tv_sec * 1000 + (unsigned long long)ts.tv_nsec / 1000000);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "stallwatch"))
		return stallwatch(argv[2]);
	if (!((argc == 8 && !strcmp(argv[1], "attack")) ||
	      (argc == 9 && !strcmp(argv[1], "flood")) ||
	      (argc == 9 && !strcmp(argv[1], "ask")) ||
	      (argc == 10 && !strcmp(argv[1], "claim")) ||
	      (argc == 10 && !strcmp(argv[1], "reply")))) {
		fprintf(stderr, "usage: cluster_inject now\n"
			"       cluster_inject attack SECRET KEY_ID TARGET ADDRESS PORT HOST\n"
			"       cluster_inject flood SECRET KEY_ID TARGET ADDRESS PORT HOST COUNT\n"
			"       cluster_inject ask SECRET KEY_ID RELAY ADDRESS PORT MANAGER COUNT\n"
			"       cluster_inject claim SECRET KEY_ID RELAY ADDRESS PORT MANAGER CLUSTER LEASE_MS\n"
			"       cluster_inject stallwatch FILE\n"
			"       cluster_inject reply SECRET KEY_ID TARGET ADDRESS PORT HOST EPOCH GENERATION\n");
		return 2;
	}
	if (sodium_init() < 0 || key_load(argv[2], &secret, error, sizeof(error))) {
		fprintf(stderr, "cluster_inject: %s\n", error);
		return 1;
	}
	/* HOST's own key, and the one it shares with the target manager. */
	target_name = argv[4];
	key.id = (uint16_t)atoi(argv[3]);
	ask = !strcmp(argv[1], "ask") || !strcmp(argv[1], "claim");
	if (ask) {
		/* A manager's key with a host is the host's, paired with the manager. */
		key_node_key(secret.bytes, target_name, node_key);
		key_pair_key(node_key, argv[7], key.bytes);
	} else {
		key_node_key(secret.bytes, argv[7], node_key);
		key_pair_key(node_key, target_name, key.bytes);
	}
	sock = socket(AF_INET, SOCK_DGRAM, 0);
	target.sin_family = AF_INET;
	target.sin_port = htons((uint16_t)atoi(argv[6]));
	if (sock < 0 || inet_pton(AF_INET, argv[5], &target.sin_addr) != 1)
		return 1;
	if (!strcmp(argv[1], "reply"))
		return send_reply(&key, argv[7], strtoull(argv[8], NULL, 10),
				  strtoull(argv[9], NULL, 10));
	if (!strcmp(argv[1], "claim"))
		return send_claim(&key, argv[7], argv[8], (uint32_t)strtoul(argv[9], NULL, 10));
	clock_gettime(CLOCK_REALTIME, &ts);
	seq = (uint64_t)ts.tv_sec * 1000000000ull + 1;
	if (!strcmp(argv[1], "flood") || ask) {
		unsigned long i, count = strtoul(argv[8], NULL, 10);
		uint8_t type = ask ? WIRE_WITNESS_READ : WIRE_REPORT;

		for (i = 0; i < count; i++) {
			len = signed_as(&key, type, argv[7], target_name, seq++, buf);
			if (sendto(sock, buf, len, 0, (struct sockaddr *)&target,
				   sizeof(target)) != (ssize_t)len) {
				perror("flood");
				return 1;
			}
		}
		printf("sent %lu %s as %s\n", count, ask ? "witness reads" : "reports", argv[7]);
		return 0;
	}

	randombytes_buf(copy, 300);
	send_bytes("garbage (malformed)", copy, 300);
	len = report(&key, argv[7], seq++, buf);
	send_bytes("truncated", buf, len - 10);
	memset(copy, 0, sizeof(copy));
	memcpy(copy, buf, len);
	send_bytes("oversized", copy, WIRE_MAX + 50);
	wrong = key;
	wrong.bytes[5] ^= 0x40;
	len = report(&wrong, argv[7], seq++, buf);
	send_bytes("forged (wrong key)", buf, len);
	wrong = key;
	wrong.id ^= 1;
	len = report(&wrong, argv[7], seq++, buf);
	send_bytes("unknown key id", buf, len);
	len = report(&key, "intruder", seq++, buf);
	send_bytes("unknown sender", buf, len);
	len = signed_as(&key, WIRE_REPORT, argv[7], "elsewhere", seq++, buf);
	send_bytes("misdirected", buf, len);
	/* The manager that is not the target, "active at epoch 1000". */
	snprintf(other, sizeof(other), "%s", strcmp(target_name, "m1") ? "m1" : "m2");
	len = signed_as(&key, WIRE_HEARTBEAT, other, target_name, seq++, buf);
	send_bytes("a manager's heartbeat made with a host's key (forged)", buf, len);
	len = report(&key, argv[7], seq++, buf);
	send_bytes("authentic report", buf, len);
	send_bytes("the same report again (replayed)", buf, len);
	/* A new number, stamped an hour ago: a sender's clock far off. */
	stamp_age_ms = 3600 * 1000;
	len = report(&key, argv[7], seq++, buf);
	send_bytes("a report stamped an hour ago (clock_distance)", buf, len);
	close(sock);
	sodium_memzero(&secret, sizeof(secret));
	sodium_memzero(&key, sizeof(key));
	return 0;
}
