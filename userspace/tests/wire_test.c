// SPDX-License-Identifier: GPL-2.0
/*
 * The daemons' datagrams: every type round-trips; forged, truncated,
 * oversized, malformed, misdirected and replayed input is refused with its
 * own verdict. Keys and who shares them: keys_test.c.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "replay.h"
#include "wire.h"
#include "kselftest_harness.h"

static const struct wire_key key = { .id = 7, .bytes = "0123456789abcdef0123456789abcdef" };

/* One key, for datagrams to "m2" (or whatever @ctx names) from anyone. */
static const struct wire_key *one_key(void *ctx, uint16_t key_id, const char *sender,
				      const char *destination, enum wire_verdict *verdict)
{
	const struct wire_key *k = ctx;

	(void)sender;
	if (strcmp(destination, "m2")) {
		*verdict = WIRE_MISDIRECTED;
		return NULL;
	}
	if (key_id != k->id) {
		*verdict = WIRE_UNKNOWN_KEY;
		return NULL;
	}
	return k;
}

#define decode(buf, len, k, out) wire_decode(buf, len, one_key, (void *)(k), out)

/* The same key for any destination: a receiver that forgot to check it. */
static const struct wire_key *any_destination(void *ctx, uint16_t key_id, const char *sender,
					      const char *destination, enum wire_verdict *verdict)
{
	(void)key_id;
	(void)sender;
	(void)destination;
	(void)verdict;
	return ctx;
}

static struct wire_message heartbeat(void)
{
	struct wire_message m = { .type = WIRE_HEARTBEAT, .seq = 42, .time_ms = 1000 };

	snprintf(m.sender, sizeof(m.sender), "m1");
	snprintf(m.destination, sizeof(m.destination), "m2");
	m.heartbeat.role = 2;
	m.heartbeat.epoch = 3;
	snprintf(m.heartbeat.witness.host, sizeof(m.heartbeat.witness.host), "h2");
	m.heartbeat.witness.epoch = 3;
	m.heartbeat.witness.generation = 5;
	m.heartbeat.token = 123456;
	m.heartbeat.echo = 654321;
	m.heartbeat.promise_ms = 499;
	return m;
}

TEST(every_type_round_trips)
{
	uint8_t buf[WIRE_MAX];
	struct wire_message in = heartbeat(), out;
	size_t len;
	int i;

	len = wire_encode(&in, &key, buf, sizeof(buf));
	ASSERT_GT(len, 0);
	ASSERT_EQ(WIRE_OK, decode(buf, len, &key, &out));
	EXPECT_EQ(WIRE_HEARTBEAT, out.type);
	EXPECT_EQ(42, out.seq);
	EXPECT_STREQ("m1", out.sender);
	EXPECT_EQ(3, out.heartbeat.epoch);
	EXPECT_STREQ("h2", out.heartbeat.witness.host);
	EXPECT_EQ(5, out.heartbeat.witness.generation);
	EXPECT_EQ(654321, out.heartbeat.echo);
	EXPECT_EQ(499, out.heartbeat.promise_ms);
	EXPECT_STREQ("m2", out.destination);

	memset(&in, 0, sizeof(in));
	in.type = WIRE_REPORT;
	snprintf(in.sender, sizeof(in.sender), "h1");
	snprintf(in.destination, sizeof(in.destination), "m2");
	in.report.level = 900;
	in.report.reason = 2;
	in.report.time_left_ms = 250;
	in.report.n_resources = WIRE_RESOURCES_MAX;
	for (i = 0; i < WIRE_RESOURCES_MAX; i++) {
		snprintf(in.report.resources[i].name, WIRE_NAME_SIZE, "pool%d", i);
		in.report.resources[i].level = (uint16_t)i;
		in.report.resources[i].used = -i;
	}
	len = wire_encode(&in, &key, buf, sizeof(buf));
	ASSERT_GT(len, 0);
	EXPECT_LE(len, WIRE_MAX);
	ASSERT_EQ(WIRE_OK, decode(buf, len, &key, &out));
	EXPECT_EQ(900, out.report.level);
	EXPECT_EQ(WIRE_RESOURCES_MAX, out.report.n_resources);
	EXPECT_STREQ("pool79", out.report.resources[79].name);
	EXPECT_EQ(-79, out.report.resources[79].used);

	memset(&in, 0, sizeof(in));
	in.type = WIRE_WITNESS_REPLY;
	snprintf(in.sender, sizeof(in.sender), "h1");
	snprintf(in.destination, sizeof(in.destination), "m2");
	in.witness.granted_ms = 699;
	in.witness.store_flags = WITNESS_WRITES_FAILING;
	in.witness.write_ms = 1234;
	in.witness.op = WITNESS_OP_CAS;
	in.witness.expect_epoch = 1;
	snprintf(in.witness.record.cluster, WIRE_NAME_SIZE, "demo");
	snprintf(in.witness.record.active, WIRE_NAME_SIZE, "m2");
	in.witness.record.epoch = 2;
	len = wire_encode(&in, &key, buf, sizeof(buf));
	ASSERT_EQ(WIRE_OK, decode(buf, len, &key, &out));
	EXPECT_STREQ("m2", out.witness.record.active);
	EXPECT_EQ(2, out.witness.record.epoch);
	EXPECT_EQ(699, out.witness.granted_ms);
	EXPECT_EQ(WITNESS_WRITES_FAILING, out.witness.store_flags);
	EXPECT_EQ(1234, out.witness.write_ms);
	/* A flag this version does not know is refused, not ignored. */
	in.witness.store_flags = 0x80;
	len = wire_encode(&in, &key, buf, sizeof(buf));
	EXPECT_EQ(WIRE_MALFORMED, decode(buf, len, &key, &out));
}

TEST(bad_input_gets_its_own_verdict)
{
	uint8_t buf[WIRE_MAX + 16], copy[WIRE_MAX + 16];
	struct wire_message in = heartbeat(), out;
	struct wire_key other = key;
	size_t len, cut;

	len = wire_encode(&in, &key, buf, sizeof(buf));
	for (cut = 0; cut < len; cut++)
		EXPECT_NE(WIRE_OK, decode(buf, cut, &key, &out))
			TH_LOG("truncated to %zu", cut);
	EXPECT_EQ(WIRE_TRUNCATED, decode(buf, len - 1, &key, &out));
	EXPECT_EQ(WIRE_OVERSIZED, decode(buf, WIRE_MAX + 1, &key, &out));
	EXPECT_EQ(WIRE_MALFORMED, decode(buf, len + 1, &key, &out));

	other.bytes[0] ^= 1;
	EXPECT_EQ(WIRE_FORGED, decode(buf, len, &other, &out));
	other = key;
	other.id = 8;
	EXPECT_EQ(WIRE_UNKNOWN_KEY, decode(buf, len, &other, &out));

	/* Sent to m2, it is not for m1; and the MAC covers the destination. */
	EXPECT_EQ(WIRE_OK, wire_decode(buf, len, any_destination, (void *)&key, &out));
	memcpy(copy, buf, len);
	copy[4 + 1 + 1 + 2 + 8 + 8 + WIRE_NAME_SIZE + 1] = '3';	/* "m2" -> "m3" */
	EXPECT_EQ(WIRE_MISDIRECTED, decode(copy, len, &key, &out));
	EXPECT_EQ(WIRE_FORGED, wire_decode(copy, len, any_destination, (void *)&key, &out));
	EXPECT_STREQ("m3", out.destination);

	/* Any flipped bit after the key id fails the MAC. */
	for (cut = 8; cut < len; cut++) {
		memcpy(copy, buf, len);
		copy[cut] ^= 0x10;
		EXPECT_NE(WIRE_OK, decode(copy, len, &key, &out)) TH_LOG("byte %zu", cut);
	}
	memcpy(copy, buf, len);
	copy[0] ^= 1;
	EXPECT_EQ(WIRE_MALFORMED, decode(copy, len, &key, &out));

	snprintf(in.sender, sizeof(in.sender), "bad name");
	EXPECT_EQ(0, wire_encode(&in, &key, buf, sizeof(buf)));
	EXPECT_EQ(0, wire_encode(&(struct wire_message){ .type = 99, .sender = "m1",
							 .destination = "m2" },
				 &key, buf, sizeof(buf)));
	in = heartbeat();
	in.destination[0] = '\0';
	EXPECT_EQ(0, wire_encode(&in, &key, buf, sizeof(buf))) TH_LOG("no destination");
	in = heartbeat();
	EXPECT_EQ(0, wire_encode(&in, &key, buf, 40)) TH_LOG("too small a buffer");
}

/* Gives a datagram of @len bytes (MAC included) a body of @body_len and a fresh MAC. */
static size_t resign(uint8_t *buf, size_t body_len)
{
	size_t signed_len = WIRE_HEADER_SIZE + body_len;

	buf[WIRE_HEADER_SIZE - 2] = (uint8_t)(body_len >> 8);
	buf[WIRE_HEADER_SIZE - 1] = (uint8_t)body_len;
	crypto_auth_hmacsha256(buf + signed_len, buf, signed_len, key.bytes);
	return signed_len + WIRE_MAC_SIZE;
}

/*
 * A heartbeat's flags say whether its sender sees the witness it names,
 * whether it is an answer, and whether its sender claimed above the epoch
 * it names; a heartbeat without them, or with a flag
 * not defined, is refused (the format has one spelling).
 */
TEST(a_heartbeat_says_whether_its_sender_sees_the_witness)
{
	uint8_t buf[WIRE_MAX];
	struct wire_message in = heartbeat(), out;
	size_t len, body;

	len = wire_encode(&in, &key, buf, sizeof(buf));
	ASSERT_EQ(WIRE_OK, decode(buf, len, &key, &out));
	EXPECT_EQ(0, out.heartbeat.flags);
	in.heartbeat.flags = WIRE_HEARTBEAT_SEES_WITNESS | WIRE_HEARTBEAT_ANSWER |
			     WIRE_HEARTBEAT_CLAIMED_ABOVE;
	len = wire_encode(&in, &key, buf, sizeof(buf));
	ASSERT_EQ(WIRE_OK, decode(buf, len, &key, &out));
	EXPECT_EQ(WIRE_HEARTBEAT_SEES_WITNESS | WIRE_HEARTBEAT_ANSWER |
		  WIRE_HEARTBEAT_CLAIMED_ABOVE, out.heartbeat.flags);

	body = len - WIRE_HEADER_SIZE - WIRE_MAC_SIZE;
	in.heartbeat.flags = 0;
	len = wire_encode(&in, &key, buf, sizeof(buf));
	len = resign(buf, body - 1);
	EXPECT_NE(WIRE_OK, decode(buf, len, &key, &out));

	len = wire_encode(&in, &key, buf, sizeof(buf));
	buf[WIRE_HEADER_SIZE + body - 1] = 8;	/* a flag not defined */
	len = resign(buf, body);
	EXPECT_EQ(WIRE_MALFORMED, decode(buf, len, &key, &out));
}

TEST(names_are_checked)
{
	EXPECT_TRUE(wire_name_valid("host-1.example_2"));
	EXPECT_FALSE(wire_name_valid(""));
	EXPECT_FALSE(wire_name_valid("a b"));
	EXPECT_FALSE(wire_name_valid("a/b"));
	EXPECT_FALSE(wire_name_valid("0123456789012345678901234567890123"));
	/* The module's rule (the UAPI header's), byte for byte: ':' is in it. */
	EXPECT_TRUE(wire_name_valid("gpu:0"));
	EXPECT_TRUE(wire_name_valid("0123456789012345678901234567890"));
	EXPECT_FALSE(wire_name_valid("01234567890123456789012345678901"));
	EXPECT_FALSE(wire_name_valid("caf\xc3\xa9"));	/* UTF-8 */
	EXPECT_FALSE(wire_name_valid("\xc0\xc9"));	/* Latin-1 letters */
	EXPECT_FALSE(wire_name_valid("a\x7f"));
}

/*
 * A pool named as the module allows (issue 17: "gpu:0") reaches the
 * managers: a report the wire refused made its host unavailable.
 */
TEST(a_report_of_any_name_the_module_allows_is_taken)
{
	struct wire_message in = { .type = WIRE_REPORT, .seq = 1, .time_ms = 1000 }, out;
	uint8_t buf[WIRE_MAX];
	int len;

	snprintf(in.sender, sizeof(in.sender), "h:1");
	snprintf(in.destination, sizeof(in.destination), "m2");
	in.report.level = 500;
	in.report.n_resources = 2;
	snprintf(in.report.resources[0].name, WIRE_NAME_SIZE, "cpu");
	snprintf(in.report.resources[1].name, WIRE_NAME_SIZE, "gpu:0");
	len = wire_encode(&in, &key, buf, sizeof(buf));
	ASSERT_GT(len, 0);
	ASSERT_EQ(WIRE_OK, decode(buf, len, &key, &out));
	EXPECT_STREQ("h:1", out.sender);
	EXPECT_STREQ("gpu:0", out.report.resources[1].name);
}

TEST(replays_and_stale_datagrams_are_refused)
{
	struct replay_window w = { 0 };

	EXPECT_EQ(WIRE_OK, replay_check(&w, 100, 5000, 5000, 1000));
	EXPECT_EQ(WIRE_REPLAYED, replay_check(&w, 100, 5000, 5000, 1000))
		TH_LOG("the same number twice");
	EXPECT_EQ(WIRE_OK, replay_check(&w, 98, 5000, 5000, 1000)) TH_LOG("late but new");
	EXPECT_EQ(WIRE_REPLAYED, replay_check(&w, 98, 5000, 5000, 1000));
	EXPECT_EQ(WIRE_OK, replay_check(&w, 200, 5000, 5000, 1000));
	EXPECT_EQ(WIRE_REPLAYED, replay_check(&w, 100, 5000, 5000, 1000))
		TH_LOG("out of the window");
	EXPECT_EQ(WIRE_REPLAYED, replay_check(&w, 200, 3000, 5000, 1000))
		TH_LOG("heard before, and old: a replay");
	EXPECT_EQ(WIRE_CLOCK_DISTANCE, replay_check(&w, 201, 3000, 5000, 1000))
		TH_LOG("too old by the clock");
	EXPECT_EQ(WIRE_CLOCK_DISTANCE, replay_check(&w, 201, 7000, 5000, 1000))
		TH_LOG("from the future");
	EXPECT_EQ(WIRE_OK, replay_check(&w, 201, 5500, 5000, 1000))
		TH_LOG("a refusal for clock distance recorded nothing");
	EXPECT_EQ(WIRE_REPLAYED, replay_check(&w, 0, 5000, 5000, 1000));
}

/* The tags are HMAC-SHA-256's (a vector from Python's hmac module). */
TEST(tags_are_hmac_sha256_keyed_once_or_not)
{
	static const uint8_t expected[MAC_SIZE] = {
		0x49, 0x53, 0x20, 0xeb, 0xc1, 0xdf, 0xa5, 0xe2, 0xc1, 0x8a, 0xdc, 0x9f, 0xc7, 0x00,
		0x21, 0x4a, 0x61, 0xbc, 0x34, 0xb5, 0x06, 0x98, 0x41, 0xf2, 0x93, 0x90, 0xd0, 0xa2,
		0x8d, 0x69, 0x05, 0x76,
	};
	static const char text[] = "availcast datagram";
	uint8_t k[MAC_KEY_SIZE], tag[MAC_SIZE];
	struct mac *m;
	unsigned int i;

	for (i = 0; i < sizeof(k); i++)
		k[i] = (uint8_t)i;
	ASSERT_TRUE(mac_tag(NULL, k, (const uint8_t *)text, strlen(text), tag));
	EXPECT_EQ(0, memcmp(expected, tag, sizeof(tag)));
	m = mac_new(k);
	ASSERT_NE(NULL, m);
	/* Again and again from the same context: each tag from the pads alone. */
	for (i = 0; i < 3; i++) {
		memset(tag, 0, sizeof(tag));
		ASSERT_TRUE(mac_tag(m, k, (const uint8_t *)text, strlen(text), tag));
		EXPECT_EQ(0, memcmp(expected, tag, sizeof(tag))) TH_LOG("tag %u", i);
		EXPECT_TRUE(mac_verify(m, k, (const uint8_t *)text, strlen(text), expected));
	}
	tag[MAC_SIZE - 1] ^= 1;
	EXPECT_FALSE(mac_verify(m, k, (const uint8_t *)text, strlen(text), tag));
	EXPECT_FALSE(mac_verify(NULL, k, (const uint8_t *)text, strlen(text), tag));
	mac_free(m);
}

/* A prepared key and a key used once sign and check the same datagrams. */
TEST(a_prepared_key_speaks_as_one_used_once)
{
	uint8_t once[WIRE_MAX], kept[WIRE_MAX];
	struct wire_key prepared = key;
	struct wire_message m = heartbeat(), out;
	size_t len_once, len_kept;

	wire_key_prepare(&prepared);
	EXPECT_EQ(NULL, prepared.mac);		/* keyed at its first use, not before */
	len_once = wire_encode(&m, &key, once, sizeof(once));
	len_kept = wire_encode(&m, &prepared, kept, sizeof(kept));
	EXPECT_NE(NULL, prepared.mac);
	EXPECT_EQ(NULL, key.mac);
	ASSERT_NE(0, len_once);
	ASSERT_EQ(len_once, len_kept);
	EXPECT_EQ(0, memcmp(once, kept, len_once));
	EXPECT_EQ(WIRE_OK, decode(once, len_once, &prepared, &out));
	EXPECT_EQ(WIRE_OK, decode(kept, len_kept, &key, &out));
	kept[len_kept - 1] ^= 1;
	EXPECT_EQ(WIRE_FORGED, decode(kept, len_kept, &prepared, &out));
	wire_key_forget(&prepared);
	EXPECT_EQ(NULL, prepared.mac);
}

/* A receiver's key is keyed by an authentic datagram, not a forged one. */
TEST(only_an_authentic_datagram_makes_a_context)
{
	struct wire_key receiving = key;
	struct wire_message m = heartbeat(), out;
	uint8_t buf[WIRE_MAX];
	size_t len;

	wire_key_prepare(&receiving);
	len = wire_encode(&m, &key, buf, sizeof(buf));
	ASSERT_NE(0, len);
	buf[len - 1] ^= 1;
	EXPECT_EQ(WIRE_FORGED, decode(buf, len, &receiving, &out));
	EXPECT_EQ(NULL, receiving.mac);
	buf[len - 1] ^= 1;
	EXPECT_EQ(WIRE_OK, decode(buf, len, &receiving, &out));
	EXPECT_NE(NULL, receiving.mac);
	EXPECT_EQ(WIRE_OK, decode(buf, len, &receiving, &out));
	wire_key_forget(&receiving);
}

/* A reload's new key takes the context of its twin, and only of a twin. */
TEST(a_context_goes_only_to_a_key_of_the_same_id_and_bytes)
{
	struct wire_key old = key, twin = key, other = key, other_id = key;
	struct wire_message m = heartbeat(), out;
	uint8_t buf[WIRE_MAX];
	struct mac *made;
	size_t len;

	wire_key_prepare(&old);
	ASSERT_NE(0, wire_encode(&m, &old, buf, sizeof(buf)));
	made = old.mac;
	ASSERT_NE(NULL, made);
	other.bytes[0] ^= 1;
	other_id.id++;
	EXPECT_FALSE(wire_key_adopt(&other, &old));
	EXPECT_FALSE(wire_key_adopt(&other_id, &old));
	EXPECT_TRUE(wire_key_adopt(&twin, &old));
	EXPECT_EQ(made, twin.mac);
	EXPECT_EQ(NULL, old.mac);
	len = wire_encode(&m, &twin, buf, sizeof(buf));
	EXPECT_EQ(WIRE_OK, decode(buf, len, &key, &out));
	wire_key_forget(&old);
	wire_key_forget(&twin);
}

TEST_HARNESS_MAIN
