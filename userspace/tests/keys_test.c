// SPDX-License-Identifier: GPL-2.0
/*
 * Keys and who may say what: key files (the cluster secret, a node's key)
 * are private and well formed; a manager and a host derive the same key
 * for their pair; a host holds keys for its own pairs with the managers
 * only, so that nothing it signs passes for a manager's or another host's
 * datagram; the managers refuse a node key and the hosts the secret.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "key.h"
#include "keyring.h"
#include "wire.h"
#include "kselftest_harness.h"

FIXTURE(keys) {
	char dir[64];
	char path[128];
	char error[512];
};

FIXTURE_SETUP(keys)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/keys_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
}

FIXTURE_TEARDOWN(keys)
{
	char command[128];

	snprintf(command, sizeof(command), "rm -rf %s", self->dir);
	if (system(command))
		abort();
}

static const char *in(FIXTURE_DATA(keys) *self, const char *name)
{
	snprintf(self->path, sizeof(self->path), "%s/%s", self->dir, name);
	return self->path;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
	if (fd < 0 || write(fd, text, strlen(text)) < 0 || fchmod(fd, mode))
		abort();
	close(fd);
}

TEST_F(keys, key_files_must_be_private_and_well_formed)
{
	const char *hex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n";
	struct key_material k;
	char link_path[160];

	write_file(in(self, "secret"), hex, 0600);
	ASSERT_EQ(0, key_load(self->path, &k, self->error, sizeof(self->error)))
		TH_LOG("%s", self->error);
	EXPECT_STREQ("", k.node) TH_LOG("64 digits alone: the cluster secret");
	EXPECT_EQ(0x11, k.bytes[1]);
	write_file(in(self, "h1.key"), "node h1\n00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n", 0600);
	ASSERT_EQ(0, key_load(self->path, &k, self->error, sizeof(self->error)));
	EXPECT_STREQ("h1", k.node);

	write_file(in(self, "bad"), hex, 0640);
	EXPECT_EQ(-1, key_load(self->path, &k, self->error, sizeof(self->error)));
	EXPECT_NE(NULL, strstr(self->error, "chmod 600")) TH_LOG("%s", self->error);
	write_file(in(self, "bad"), hex, 0604);
	EXPECT_EQ(-1, key_load(self->path, &k, self->error, sizeof(self->error)));
	write_file(in(self, "bad"), "0011", 0600);
	EXPECT_EQ(-1, key_load(self->path, &k, self->error, sizeof(self->error)));
	EXPECT_NE(NULL, strstr(self->error, "64 hexadecimal digits")) TH_LOG("%s", self->error);
	write_file(in(self, "bad"), "zz112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", 0600);
	EXPECT_EQ(-1, key_load(self->path, &k, self->error, sizeof(self->error)));
	write_file(in(self, "bad"), "node a b\n00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", 0600);
	EXPECT_EQ(-1, key_load(self->path, &k, self->error, sizeof(self->error)));
	unlink(in(self, "bad"));
	EXPECT_EQ(-1, key_load(self->path, &k, self->error, sizeof(self->error)));

	/* As deployment tools lay keys out: a symlink to a private file. */
	snprintf(link_path, sizeof(link_path), "%s/link", self->dir);
	ASSERT_EQ(0, symlink(in(self, "secret"), link_path));
	EXPECT_EQ(0, key_load(link_path, &k, self->error, sizeof(self->error)))
		TH_LOG("%s", self->error);
	/* A FIFO is refused at once, not waited on. */
	ASSERT_EQ(0, mkfifo(in(self, "fifo"), 0600));
	EXPECT_EQ(-1, key_load(self->path, &k, self->error, sizeof(self->error)));
	EXPECT_NE(NULL, strstr(self->error, "not a regular file")) TH_LOG("%s", self->error);
	/* Another user's file, however private, is not ours. */
	ASSERT_EQ(0, chown(in(self, "secret"), 12345, 12345));
	EXPECT_EQ(-1, key_load(self->path, &k, self->error, sizeof(self->error)));
	EXPECT_NE(NULL, strstr(self->error, "owned by uid 12345")) TH_LOG("%s", self->error);
}

TEST_F(keys, keygen_makes_secrets_and_node_keys_and_never_overwrites)
{
	struct key_material secret, node;
	uint8_t expected[WIRE_KEY_SIZE];
	char secret_path[160];

	snprintf(secret_path, sizeof(secret_path), "%s", in(self, "secret"));
	ASSERT_EQ(0, key_generate(secret_path, NULL, NULL, self->error, sizeof(self->error)));
	EXPECT_EQ(-1, key_generate(secret_path, NULL, NULL, self->error, sizeof(self->error)));
	ASSERT_EQ(0, key_load(secret_path, &secret, self->error, sizeof(self->error)));
	ASSERT_EQ(0, key_generate(in(self, "h1.key"), &secret, "h1", self->error,
				  sizeof(self->error)));
	ASSERT_EQ(0, key_load(self->path, &node, self->error, sizeof(self->error)));
	EXPECT_STREQ("h1", node.node);
	key_node_key(secret.bytes, "h1", expected);
	EXPECT_EQ(0, memcmp(expected, node.bytes, WIRE_KEY_SIZE));
	EXPECT_EQ(-1, key_generate(in(self, "h2.key"), &node, "h2", self->error,
				   sizeof(self->error))) TH_LOG("not from a node's key");
	EXPECT_EQ(-1, key_generate(in(self, "x.key"), &secret, "a b", self->error,
				   sizeof(self->error)));
}

/* @node's configuration in a cluster of m1, m2, h1, h2, with @key_file. */
static int ring_of(FIXTURE_DATA(keys) *self, const char *node, const char *key_file,
		   struct conf *c, struct keyring *ring)
{
	char text[512];
	int len;

	len = snprintf(text, sizeof(text),
		       "cluster = k\nnode = %s\nkey-file = %s/%s\nstate-dir = %s\n"
		       "manager = m1 10.0.0.1\nmanager = m2 10.0.0.2\n"
		       "host = h1 10.0.0.11\nhost = h2 10.0.0.12\n",
		       node, self->dir, key_file, self->dir);
	if (conf_parse(text, (size_t)len, c, self->error, sizeof(self->error)))
		return -1;
	if (keyring_load(ring, c, self->error, sizeof(self->error))) {
		conf_free(c);
		return -1;
	}
	return 0;
}

/* A datagram @signer signs with its key for @to, claiming to be @as. */
static size_t signed_by(const struct keyring *signer, const struct conf *sc, const char *as,
			const char *to, uint8_t *buf)
{
	struct wire_message m = { .type = WIRE_HEARTBEAT, .seq = 1 };
	const struct wire_key *key = keyring_send_key(signer, conf_index(sc, to));

	if (!key)
		return 0;
	snprintf(m.sender, sizeof(m.sender), "%s", as);
	snprintf(m.destination, sizeof(m.destination), "%s", to);
	m.heartbeat.role = 2;
	m.heartbeat.epoch = 1000;
	return wire_encode(&m, key, buf, WIRE_MAX);
}

struct receiver {
	const struct keyring *ring;
	const struct conf *conf;
};

static const struct wire_key *lookup(void *ctx, uint16_t key_id, const char *sender,
				     const char *destination, enum wire_verdict *verdict)
{
	struct receiver *r = ctx;

	return keyring_lookup(r->ring, r->conf, key_id, sender, destination, NULL,
			      verdict);
}

TEST_F(keys, a_host_speaks_only_as_itself_and_only_to_the_managers)
{
	struct key_material secret;
	struct conf m1c, m2c, h1c, h2c;
	struct keyring m1, m2, h1, h2;
	struct receiver at_m1 = { &m1, &m1c }, at_m2 = { &m2, &m2c }, at_h2 = { &h2, &h2c };
	struct wire_message out;
	uint8_t buf[WIRE_MAX];
	size_t len;

	ASSERT_EQ(0, key_generate(in(self, "secret"), NULL, NULL, self->error,
				  sizeof(self->error)));
	ASSERT_EQ(0, key_load(self->path, &secret, self->error, sizeof(self->error)));
	ASSERT_EQ(0, key_generate(in(self, "h1.key"), &secret, "h1", self->error,
				  sizeof(self->error)));
	ASSERT_EQ(0, key_generate(in(self, "h2.key"), &secret, "h2", self->error,
				  sizeof(self->error)));
	ASSERT_EQ(0, ring_of(self, "m1", "secret", &m1c, &m1)) TH_LOG("%s", self->error);
	ASSERT_EQ(0, ring_of(self, "m2", "secret", &m2c, &m2)) TH_LOG("%s", self->error);
	ASSERT_EQ(0, ring_of(self, "h1", "h1.key", &h1c, &h1)) TH_LOG("%s", self->error);
	ASSERT_EQ(0, ring_of(self, "h2", "h2.key", &h2c, &h2)) TH_LOG("%s", self->error);

	/* Its own datagrams pass, at either manager. */
	len = signed_by(&h1, &h1c, "h1", "m1", buf);
	EXPECT_EQ(WIRE_OK, wire_decode(buf, len, lookup, &at_m1, &out));
	len = signed_by(&h1, &h1c, "h1", "m2", buf);
	EXPECT_EQ(WIRE_OK, wire_decode(buf, len, lookup, &at_m2, &out));
	/* "m1 active at epoch 1000", made on h1: refused at m2. */
	len = signed_by(&h1, &h1c, "m1", "m2", buf);
	ASSERT_GT(len, 0);
	EXPECT_EQ(WIRE_FORGED, wire_decode(buf, len, lookup, &at_m2, &out));
	/* As another host: refused. */
	len = signed_by(&h1, &h1c, "h2", "m1", buf);
	EXPECT_EQ(WIRE_FORGED, wire_decode(buf, len, lookup, &at_m1, &out));
	/* A host has no key for another host, nor for the managers' pair. */
	EXPECT_EQ(0, signed_by(&h1, &h1c, "h1", "h2", buf));
	len = signed_by(&m1, &m1c, "m1", "h2", buf);
	EXPECT_EQ(WIRE_OK, wire_decode(buf, len, lookup, &at_h2, &out));
	len = signed_by(&h1, &h1c, "h1", "m1", buf);
	EXPECT_EQ(WIRE_MISDIRECTED, wire_decode(buf, len, lookup, &at_h2, &out));
	EXPECT_EQ(NULL, keyring_send_key(&h1, conf_index(&h1c, "h2")));
	/* The managers talk to each other. */
	len = signed_by(&m2, &m2c, "m2", "m1", buf);
	EXPECT_EQ(WIRE_OK, wire_decode(buf, len, lookup, &at_m1, &out));
	len = signed_by(&m2, &m2c, "m1", "m1", buf);
	EXPECT_EQ(WIRE_UNKNOWN_SENDER, wire_decode(buf, len, lookup, &at_m1, &out))
		TH_LOG("nothing from ourselves");

	keyring_free(&m1);
	keyring_free(&m2);
	keyring_free(&h1);
	keyring_free(&h2);
	conf_free(&m1c);
	conf_free(&m2c);
	conf_free(&h1c);
	conf_free(&h2c);
}

TEST_F(keys, each_kind_of_node_refuses_the_other_kind_of_key)
{
	struct key_material secret;
	struct keyring ring;
	struct conf c;

	ASSERT_EQ(0, key_generate(in(self, "secret"), NULL, NULL, self->error,
				  sizeof(self->error)));
	ASSERT_EQ(0, key_load(self->path, &secret, self->error, sizeof(self->error)));
	ASSERT_EQ(0, key_generate(in(self, "h1.key"), &secret, "h1", self->error,
				  sizeof(self->error)));
	EXPECT_EQ(-1, ring_of(self, "h1", "secret", &c, &ring));
	EXPECT_NE(NULL, strstr(self->error, "only the managers may hold")) TH_LOG("%s", self->error);
	EXPECT_EQ(-1, ring_of(self, "m1", "h1.key", &c, &ring));
	EXPECT_NE(NULL, strstr(self->error, "a manager needs the cluster secret"))
		TH_LOG("%s", self->error);
	EXPECT_EQ(-1, ring_of(self, "h2", "h1.key", &c, &ring));
	EXPECT_NE(NULL, strstr(self->error, "not of h2")) TH_LOG("%s", self->error);
}

/*
 * A reload keys nothing anew: each pair key takes the context its twin
 * made before, found by the node's name (the list may have been
 * reordered), and the old ring keeps none of them.
 */
TEST_F(keys, a_reload_keeps_the_contexts_of_the_keys_it_keeps)
{
	static const char before[] = "cluster = k\nnode = m1\nkey-file = %s/secret\n"
		"state-dir = %s\nmanager = m1 10.0.0.1\nmanager = m2 10.0.0.2\n"
		"host = h1 10.0.0.11\nhost = h2 10.0.0.12\n";
	static const char after[] = "cluster = k\nnode = m1\nkey-file = %s/secret\n"
		"state-dir = %s\nmanager = m1 10.0.0.1\nmanager = m2 10.0.0.2\n"
		"host = h3 10.0.0.13\nhost = h2 10.0.0.12\nhost = h1 10.0.0.11\n";
	struct keyring old, next;
	struct conf oc, nc;
	uint8_t buf[WIRE_MAX];
	char text[512];
	struct mac *made;
	int len;

	ASSERT_EQ(0, key_generate(in(self, "secret"), NULL, NULL, self->error,
				  sizeof(self->error)));
	len = snprintf(text, sizeof(text), before, self->dir, self->dir);
	ASSERT_EQ(0, conf_parse(text, (size_t)len, &oc, self->error, sizeof(self->error)));
	ASSERT_EQ(0, keyring_load(&old, &oc, self->error, sizeof(self->error)));
	len = snprintf(text, sizeof(text), after, self->dir, self->dir);
	ASSERT_EQ(0, conf_parse(text, (size_t)len, &nc, self->error, sizeof(self->error)));
	ASSERT_EQ(0, keyring_load(&next, &nc, self->error, sizeof(self->error)));

	/* m1 spoke to h2 only: one context made. */
	ASSERT_NE(0, signed_by(&old, &oc, "m1", "h2", buf));
	made = keyring_send_key(&old, conf_index(&oc, "h2"))->mac;
	ASSERT_NE(NULL, made);
	EXPECT_EQ(NULL, keyring_send_key(&old, conf_index(&oc, "h1"))->mac);

	keyring_adopt(&next, &nc, &old, &oc);
	EXPECT_EQ(made, keyring_send_key(&next, conf_index(&nc, "h2"))->mac);
	EXPECT_EQ(NULL, keyring_send_key(&old, conf_index(&oc, "h2"))->mac);
	EXPECT_EQ(NULL, keyring_send_key(&next, conf_index(&nc, "h1"))->mac);
	EXPECT_EQ(NULL, keyring_send_key(&next, conf_index(&nc, "h3"))->mac);
	/* And it signs as a context keyed anew would. */
	EXPECT_NE(0, signed_by(&next, &nc, "m1", "h2", buf));
	keyring_free(&old);
	keyring_free(&next);
	conf_free(&oc);
	conf_free(&nc);
}

TEST_HARNESS_MAIN
