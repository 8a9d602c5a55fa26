// SPDX-License-Identifier: GPL-2.0
/*
 * The availcast family as a netlink client sees it: the commands answer,
 * strict policies refuse malformed requests with an extended-ack message
 * and change nothing, and changes need CAP_NET_ADMIN.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/availcast.h>

#include "genl.h"
#include "kselftest_harness.h"

/* argv[1] that makes this program the unprivileged half of a test. */
#define UNPRIVILEGED_CHILD "--unprivileged-child"

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Reads the node id through CONFIG_GET into @id; returns 0 or -errno. */
static int config_node_id(struct genl_sock *sk, char *id, size_t size)
{
	struct genl_reply reply;
	struct nlattr *attr;
	int err;

	err = genl_simple(sk, AVAILCAST_CMD_CONFIG_GET, &reply);
	if (err)
		return err;
	attr = reply.has_msg ? genl_attr(&reply.msg, AVAILCAST_CFG_A_NODE_ID) : NULL;
	if (!attr)
		return -EPROTO;
	snprintf(id, size, "%s", genl_attr_str(attr));
	return 0;
}

static int config_set_node_id(struct genl_sock *sk, const char *id,
			      struct genl_reply *reply)
{
	struct genl_msg req;

	genl_msg_init(&req, sk->family_id, AVAILCAST_CMD_CONFIG_SET, 0);
	genl_put_str(&req, AVAILCAST_CFG_A_NODE_ID, id);
	return genl_transact(sk, &req, reply);
}

FIXTURE(availcast) {
	struct genl_sock sk;
	struct genl_reply reply;
	char saved_node_id[AVAILCAST_NODE_ID_SIZE];
};

FIXTURE_SETUP(availcast)
{
	ASSERT_EQ(0, genl_open(&self->sk, AVAILCAST_GENL_NAME))
		TH_LOG("the availcast family is not registered: is the module loaded?");
	ASSERT_EQ(0, config_node_id(&self->sk, self->saved_node_id,
				    sizeof(self->saved_node_id)));
}

FIXTURE_TEARDOWN(availcast)
{
	EXPECT_EQ(0, config_set_node_id(&self->sk, self->saved_node_id,
					&self->reply));
	genl_close(&self->sk);
}

TEST_F(availcast, get_reports_node_id_and_monotonic_time)
{
	uint64_t before, after, stamp;
	struct nlattr *attr;

	before = monotonic_ns();
	ASSERT_EQ(0, genl_simple(&self->sk, AVAILCAST_CMD_GET, &self->reply));
	after = monotonic_ns();
	ASSERT_TRUE(self->reply.has_msg);

	attr = genl_attr(&self->reply.msg, AVAILCAST_A_NODE_ID);
	ASSERT_NE(NULL, attr);
	EXPECT_STREQ(self->saved_node_id, genl_attr_str(attr));

	attr = genl_attr(&self->reply.msg, AVAILCAST_A_TIMESTAMP_NS);
	ASSERT_NE(NULL, attr);
	stamp = genl_attr_u64(attr);
	EXPECT_LE(before, stamp);
	EXPECT_GE(after, stamp);
}

TEST_F(availcast, config_set_node_id_is_seen_by_every_reader)
{
	char id[AVAILCAST_NODE_ID_SIZE];
	struct nlattr *attr;
	FILE *sysfs;

	ASSERT_EQ(0, config_set_node_id(&self->sk, "selftest-node.1", &self->reply));

	ASSERT_EQ(0, config_node_id(&self->sk, id, sizeof(id)));
	EXPECT_STREQ("selftest-node.1", id);

	ASSERT_EQ(0, genl_simple(&self->sk, AVAILCAST_CMD_GET, &self->reply));
	attr = genl_attr(&self->reply.msg, AVAILCAST_A_NODE_ID);
	ASSERT_NE(NULL, attr);
	EXPECT_STREQ("selftest-node.1", genl_attr_str(attr));

	sysfs = fopen("/sys/kernel/availcast/node_id", "r");
	ASSERT_NE(NULL, sysfs);
	ASSERT_NE(NULL, fgets(id, sizeof(id), sysfs));
	fclose(sysfs);
	EXPECT_STREQ("selftest-node.1\n", id);
}

/* Each refused request must say why and leave the node id as it was. */
static void expect_refused_unchanged(struct __test_metadata *_metadata,
				     FIXTURE_DATA(availcast) *self,
				     struct genl_msg *req, int error)
{
	char id[AVAILCAST_NODE_ID_SIZE];

	EXPECT_EQ(error, genl_transact(&self->sk, req, &self->reply));
	EXPECT_NE('\0', self->reply.extack[0])
		TH_LOG("refused with no extended-ack message");
	ASSERT_EQ(0, config_node_id(&self->sk, id, sizeof(id)));
	EXPECT_STREQ(self->saved_node_id, id);
}

TEST_F(availcast, config_set_refuses_invalid_node_ids)
{
	static const char *const invalid[] = {
		"",			/* empty */
		"has space",
		"slash/is/not/allowed",
		"ünïcode",
		/* 64 characters: one more than fits */
		"0123456789012345678901234567890123456789012345678901234567890123",
	};
	struct genl_msg req;
	size_t i;

	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		genl_msg_init(&req, self->sk.family_id, AVAILCAST_CMD_CONFIG_SET, 0);
		genl_put_str(&req, AVAILCAST_CFG_A_NODE_ID, invalid[i]);
		TH_LOG("node id \"%s\"", invalid[i]);
		expect_refused_unchanged(_metadata, self, &req, -EINVAL);
	}

	/* A string attribute without its terminating NUL. */
	genl_msg_init(&req, self->sk.family_id, AVAILCAST_CMD_CONFIG_SET, 0);
	genl_put(&req, AVAILCAST_CFG_A_NODE_ID, "abc", 3);
	expect_refused_unchanged(_metadata, self, &req, -EINVAL);

	/* The wrong type: a u32 where a string belongs still fails as a string. */
	genl_msg_init(&req, self->sk.family_id, AVAILCAST_CMD_CONFIG_SET, 0);
	genl_put_u32(&req, AVAILCAST_CFG_A_NODE_ID, 0x41414141);
	expect_refused_unchanged(_metadata, self, &req, -EINVAL);
}

TEST_F(availcast, unknown_attributes_are_refused)
{
	struct genl_msg req;

	genl_msg_init(&req, self->sk.family_id, AVAILCAST_CMD_CONFIG_SET, 0);
	genl_put_str(&req, AVAILCAST_CFG_A_NODE_ID, "never-applied");
	genl_put_u32(&req, AVAILCAST_CFG_A_MAX + 1, 1);
	expect_refused_unchanged(_metadata, self, &req, -EINVAL);

	/* GET takes no attributes at all. */
	genl_msg_init(&req, self->sk.family_id, AVAILCAST_CMD_GET, 0);
	genl_put_u32(&req, AVAILCAST_A_LEVEL, 1);
	expect_refused_unchanged(_metadata, self, &req, -EINVAL);
}

TEST_F(availcast, malformed_headers_are_refused)
{
	struct genl_msg req;

	genl_msg_init(&req, self->sk.family_id, AVAILCAST_CMD_CONFIG_SET, 0);
	genl_put_str(&req, AVAILCAST_CFG_A_NODE_ID, "never-applied");
	((struct genlmsghdr *)NLMSG_DATA(&req.nlh))->reserved = 1;
	expect_refused_unchanged(_metadata, self, &req, -EINVAL);

	genl_msg_init(&req, self->sk.family_id, AVAILCAST_CMD_CONFIG_SET,
		      NLM_F_CREATE);
	genl_put_str(&req, AVAILCAST_CFG_A_NODE_ID, "never-applied");
	expect_refused_unchanged(_metadata, self, &req, -EINVAL);
}

TEST_F(availcast, unknown_commands_are_refused)
{
	EXPECT_EQ(-EOPNOTSUPP, genl_simple(&self->sk, AVAILCAST_CMD_MAX + 1,
					   &self->reply));
	/* NOTIFY is what the module multicasts; nobody may send it. */
	EXPECT_EQ(-EOPNOTSUPP, genl_simple(&self->sk, AVAILCAST_CMD_NOTIFY,
					   &self->reply));
}

/*
 * Runs as nobody with no capabilities (setpriv, below): reading must work,
 * changing must fail with EPERM. Exits 0 when both hold.
 */
static int unprivileged_child(void)
{
	struct genl_reply reply;
	struct genl_sock sk;
	int err;

	if (geteuid() == 0) {
		fprintf(stderr, "child still runs as root\n");
		return 1;
	}
	err = genl_open(&sk, AVAILCAST_GENL_NAME);
	if (err) {
		fprintf(stderr, "open: %s\n", strerror(-err));
		return 1;
	}
	err = genl_simple(&sk, AVAILCAST_CMD_GET, &reply);
	if (err) {
		fprintf(stderr, "GET as nobody: %s\n", strerror(-err));
		return 1;
	}
	err = config_set_node_id(&sk, "unprivileged", &reply);
	if (err != -EPERM) {
		fprintf(stderr, "CONFIG_SET as nobody: %s, not EPERM\n",
			strerror(-err));
		return 1;
	}
	return 0;
}

TEST_F(availcast, unprivileged_cannot_change_config)
{
	char id[AVAILCAST_NODE_ID_SIZE];
	char self_path[4096];
	ssize_t len;
	int status;
	pid_t pid;

	/* Resolved now: in the child, /proc/self/exe would be setpriv. */
	len = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);
	ASSERT_LT(0, len);
	self_path[len] = '\0';

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		execlp("setpriv", "setpriv", "--reuid=65534", "--regid=65534",
		       "--clear-groups", "--inh-caps=-all", "--bounding-set=-all",
		       "--no-new-privs", self_path, UNPRIVILEGED_CHILD,
		       (char *)NULL);
		_exit(127);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));

	ASSERT_EQ(0, config_node_id(&self->sk, id, sizeof(id)));
	EXPECT_STREQ(self->saved_node_id, id);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], UNPRIVILEGED_CHILD))
		return unprivileged_child();
	return test_harness_run(argc, argv);
}
