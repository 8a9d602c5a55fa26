// SPDX-License-Identifier: GPL-2.0
/*
 * The availcast family as a netlink client sees it: every command works
 * with valid input, strict policies refuse malformed requests with an
 * extended-ack message and change nothing, and changes need CAP_NET_ADMIN.
 */

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "family.h"
#include "kselftest_harness.h"

/* argv[1] that makes this program the unprivileged half of a test. */
#define UNPRIVILEGED_CHILD "--unprivileged-child"
/* The child's second argument: whether it may read (its namespace's view). */
#define MAY_READ "may-read"
#define MAY_NOT_READ "may-not-read"

FIXTURE(availcast) {
	struct genl_sock sk;
	struct genl_reply reply;
	struct genl_msg saved_config;
	struct ac_snapshot snap;
	struct ac_resource res;
};

FIXTURE_SETUP(availcast)
{
	ASSERT_EQ(0, genl_open(&self->sk, AVAILCAST_GENL_NAME))
		TH_LOG("the availcast family is not registered: is the module loaded?");
	ASSERT_EQ(0, ac_config_save(&self->sk, &self->saved_config));
}

FIXTURE_TEARDOWN(availcast)
{
	static const char *const pools[] = { "t-pool", "t-other", "t-x" };
	unsigned int i;

	for (i = 0; i < sizeof(pools) / sizeof(pools[0]); i++)
		ac_pool_del(&self->sk, pools[i], &self->reply);
	EXPECT_EQ(0, ac_config_restore(&self->sk, &self->saved_config));
	genl_close(&self->sk);
}

/* The configuration as CONFIG_GET reports it. */
static struct genl_msg *config(struct genl_sock *sk)
{
	static struct genl_msg current;

	if (ac_config_save(sk, &current))
		return NULL;
	return &current;
}

static uint32_t config_u32(struct genl_sock *sk, uint16_t attr)
{
	struct genl_msg *cfg = config(sk);
	struct nlattr *value = cfg ? genl_attr(cfg, attr) : NULL;

	return value ? genl_attr_u32(value) : 0xdeadbeef;
}

/*
 * Each refused request must fail with @error, say why, and leave the
 * configuration and the resources as they were.
 */
static void expect_refused(struct __test_metadata *_metadata,
			   FIXTURE_DATA(availcast) *self, struct genl_msg *req,
			   int error, const char *extack)
{
	struct genl_msg before;
	struct genl_msg *after;

	ASSERT_EQ(0, ac_config_save(&self->sk, &before));
	EXPECT_EQ(error, genl_transact(&self->sk, req, &self->reply));
	EXPECT_NE('\0', self->reply.extack[0])
		TH_LOG("refused with no extended-ack message");
	if (extack)
		EXPECT_NE(NULL, strstr(self->reply.extack, extack))
			TH_LOG("extack \"%s\", expected \"%s\"", self->reply.extack, extack);
	after = config(&self->sk);
	ASSERT_NE(NULL, after);
	EXPECT_EQ(before.nlh.nlmsg_len, after->nlh.nlmsg_len);
	EXPECT_EQ(0, memcmp(GENL_MSG_ATTRS(&before), GENL_MSG_ATTRS(after),
			    GENL_MSG_ATTRLEN(&before)))
		TH_LOG("a refused request changed the configuration");
}

static uint32_t lowest_level(const struct ac_snapshot *snap)
{
	uint32_t lowest = AVAILCAST_LEVEL_MAX;
	int i;

	for (i = 0; i < snap->n_resources; i++) {
		if (snap->resources[i].level < lowest)
			lowest = snap->resources[i].level;
	}
	return lowest;
}

TEST_F(availcast, get_reports_a_full_snapshot_with_counters)
{
	uint64_t before = ac_now_ns(), after;
	const struct ac_resource *cpu, *memory;

	ASSERT_EQ(0, ac_get(&self->sk, &self->snap, &self->reply));
	after = ac_now_ns();

	EXPECT_NE('\0', self->snap.node_id[0]);
	EXPECT_LE(before, self->snap.timestamp_ns);
	EXPECT_GE(after, self->snap.timestamp_ns);
	EXPECT_TRUE(self->snap.present & (1u << AVAILCAST_A_LEVEL));
	EXPECT_LE(self->snap.level, AVAILCAST_LEVEL_MAX);
	EXPECT_TRUE(self->snap.present & (1u << AVAILCAST_A_SEQ));
	EXPECT_TRUE(self->snap.present & (1u << AVAILCAST_A_STATS));
	EXPECT_FALSE(self->snap.present & (1u << AVAILCAST_A_REASON))
		TH_LOG("a GET reply is not a broadcast: it has no reason");

	cpu = ac_find(&self->snap, "cpu");
	memory = ac_find(&self->snap, "memory");
	ASSERT_NE(NULL, cpu);
	ASSERT_NE(NULL, memory);
	EXPECT_EQ(AVAILCAST_RESOURCE_BUILTIN, cpu->kind);
	EXPECT_EQ(0, cpu->capacity % 1000) TH_LOG("1000 per online CPU");
	EXPECT_LT(0, memory->capacity);
	EXPECT_LE(memory->used, (int64_t)memory->capacity);
	/* The host level is the lowest resource level by default. */
	EXPECT_EQ(self->snap.level, lowest_level(&self->snap));
}

/* Runs @n busy loops for @ms milliseconds, in child processes. */
static void burn(int n, int ms)
{
	int i;

	for (i = 0; i < n; i++) {
		if (fork() == 0) {
			uint64_t end = ac_now_ns() + ms * 1000000ull;

			while (ac_now_ns() < end)
				;
			_exit(0);
		}
	}
}

/* MemAvailable / MemTotal in per mille, as /proc/meminfo has them. */
static int proc_memory_level(void)
{
	unsigned long long total = 0, available = 0, value;
	char key[64];
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %llu kB", key, &value) == 2) {
		if (!strcmp(key, "MemTotal:"))
			total = value;
		if (!strcmp(key, "MemAvailable:"))
			available = value;
	}
	fclose(f);
	return total ? (int)(available * 1000 / total) : -1;
}

TEST_F(availcast, builtins_follow_the_kernels_accounting)
{
	int cpus = sysconf(_SC_NPROCESSORS_ONLN);
	const struct ac_resource *cpu = NULL, *memory;
	uint64_t deadline;
	int i, builtins;

	/* Every CPU busy twice over: the idle share must fall within a few samples. */
	burn(2 * cpus, 4500);
	deadline = ac_now_ns() + 4000 * 1000000ull;
	do {
		usleep(100000);
		ASSERT_EQ(0, ac_get(&self->sk, &self->snap, &self->reply));
		cpu = ac_find(&self->snap, "cpu");
		ASSERT_NE(NULL, cpu);
	} while (ac_now_ns() < deadline && cpu->level > 100);

	EXPECT_GE(100, cpu->level) TH_LOG("cpu level %u with every CPU busy", cpu->level);
	EXPECT_EQ(cpus * 1000, cpu->capacity);
	memory = ac_find(&self->snap, "memory");
	ASSERT_NE(NULL, memory);
	EXPECT_GE(20, abs((int)memory->level - proc_memory_level()))
		TH_LOG("memory level %u, /proc/meminfo %d", memory->level,
		       proc_memory_level());
	/*
	 * No PSI: the module would have to open files by path to read it,
	 * which depends on userspace's mounts. The relay reads /proc/pressure
	 * (cluster.sh).
	 */
	EXPECT_EQ(NULL, ac_find(&self->snap, "pressure"))
		TH_LOG("the module reports pressure");
	for (i = 0, builtins = 0; i < self->snap.n_resources; i++)
		builtins += self->snap.resources[i].kind == AVAILCAST_RESOURCE_BUILTIN;
	EXPECT_EQ(2, builtins) TH_LOG("built-ins: cpu and memory");
	for (i = 0; i < 2 * cpus; i++)
		wait(NULL);

	/* And rise again once they are idle. */
	deadline = ac_now_ns() + 3000 * 1000000ull;
	do {
		usleep(100000);
		ASSERT_EQ(0, ac_get(&self->sk, &self->snap, &self->reply));
		cpu = ac_find(&self->snap, "cpu");
	} while (ac_now_ns() < deadline && cpu->level < 500);
	EXPECT_LE(500, cpu->level) TH_LOG("cpu level %u once idle", cpu->level);
}

TEST_F(availcast, config_get_reports_every_tunable)
{
	static const uint16_t attrs[] = {
		AVAILCAST_CFG_A_NODE_ID, AVAILCAST_CFG_A_INTERVAL_MIN_MS,
		AVAILCAST_CFG_A_INTERVAL_MAX_MS, AVAILCAST_CFG_A_DELTA,
		AVAILCAST_CFG_A_THRESHOLDS, AVAILCAST_CFG_A_TB_RATE,
		AVAILCAST_CFG_A_TB_BURST, AVAILCAST_CFG_A_AGGREGATION,
		AVAILCAST_CFG_A_SAMPLE_MS, AVAILCAST_CFG_A_ALL_NETNS,
	};
	struct genl_msg *cfg = config(&self->sk);
	unsigned int i;

	ASSERT_NE(NULL, cfg);
	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		EXPECT_NE(NULL, genl_attr(cfg, attrs[i])) TH_LOG("attribute %u", attrs[i]);
}

/* A numeric tunable, a value it takes and the values it refuses. */
static const struct {
	uint16_t attr;
	uint32_t valid;
	uint32_t refused[2];	/* just below and just above the bounds */
	int n_refused;
	bool is_u8;
} tunables[] = {
	{ AVAILCAST_CFG_A_INTERVAL_MIN_MS, 50, { 9, 600001 }, 2, false },
	{ AVAILCAST_CFG_A_INTERVAL_MAX_MS, 5000, { 9, 600001 }, 2, false },
	{ AVAILCAST_CFG_A_DELTA, 250, { 0, 1001 }, 2, false },
	{ AVAILCAST_CFG_A_TB_RATE, 7, { 0, 1001 }, 2, false },
	{ AVAILCAST_CFG_A_TB_BURST, 3, { 0, 1001 }, 2, false },
	{ AVAILCAST_CFG_A_AGGREGATION, AVAILCAST_AGGREGATION_MEAN, { 0, 3 }, 2, false },
	{ AVAILCAST_CFG_A_SAMPLE_MS, 250, { 9, 60001 }, 2, false },
	{ AVAILCAST_CFG_A_ALL_NETNS, 1, { 2 }, 1, true },
};

#define N_TUNABLES (sizeof(tunables) / sizeof(tunables[0]))

static void put_tunable(struct genl_msg *req, unsigned int i, uint32_t value)
{
	if (tunables[i].is_u8)
		genl_put_u8(req, tunables[i].attr, value);
	else
		genl_put_u32(req, tunables[i].attr, value);
}

TEST_F(availcast, config_set_applies_each_tunable)
{
	struct genl_msg req;
	struct nlattr *attr;
	unsigned int i;

	for (i = 0; i < N_TUNABLES; i++) {
		genl_msg_init(&req, self->sk.family_id, AVAILCAST_CMD_CONFIG_SET, 0);
		put_tunable(&req, i, tunables[i].valid);
		ASSERT_EQ(0, genl_transact(&self->sk, &req, &self->reply))
			TH_LOG("attribute %u: %s", tunables[i].attr, self->reply.extack);
		attr = genl_attr(config(&self->sk), tunables[i].attr);
		ASSERT_NE(NULL, attr);
		EXPECT_EQ(tunables[i].valid, tunables[i].is_u8 ?
			  *(uint8_t *)GENL_ATTR_DATA(attr) : genl_attr_u32(attr));
	}
}

TEST_F(availcast, config_set_refuses_out_of_range_values)
{
	struct genl_msg req;
	unsigned int i;
	int j;

	for (i = 0; i < N_TUNABLES; i++) {
		for (j = 0; j < tunables[i].n_refused; j++) {
			genl_msg_init(&req, self->sk.family_id, AVAILCAST_CMD_CONFIG_SET, 0);
			put_tunable(&req, i, tunables[i].refused[j]);
			TH_LOG("attribute %u = %u", tunables[i].attr, tunables[i].refused[j]);
			/* The core's range checks answer ERANGE. */
			expect_refused(_metadata, self, &req, -ERANGE, "out of range");
		}
	}
}

TEST_F(availcast, config_set_is_all_or_nothing)
{
	uint32_t delta = config_u32(&self->sk, AVAILCAST_CFG_A_DELTA);
	struct genl_msg req;

	genl_msg_init(&req, self->sk.family_id, AVAILCAST_CMD_CONFIG_SET, 0);
	genl_put_u32(&req, AVAILCAST_CFG_A_DELTA, delta == 300 ? 301 : 300);
	genl_put_u32(&req, AVAILCAST_CFG_A_INTERVAL_MIN_MS, 5);
	expect_refused(_metadata, self, &req, -ERANGE, NULL);
	EXPECT_EQ(delta, config_u32(&self->sk, AVAILCAST_CFG_A_DELTA));
}

TEST_F(availcast, config_set_refuses_min_interval_above_max)
{
	struct genl_msg req;

	ASSERT_EQ(0, ac_config_set_u32(&self->sk, AVAILCAST_CFG_A_INTERVAL_MAX_MS,
				       400, &self->reply));
	genl_msg_init(&req, self->sk.family_id, AVAILCAST_CMD_CONFIG_SET, 0);
	genl_put_u32(&req, AVAILCAST_CFG_A_INTERVAL_MIN_MS, 500);
	expect_refused(_metadata, self, &req, -EINVAL,
		       "interval_min_ms must not exceed interval_max_ms");

	/* Both at once, in an order that only works as a whole. */
	genl_msg_init(&req, self->sk.family_id, AVAILCAST_CMD_CONFIG_SET, 0);
	genl_put_u32(&req, AVAILCAST_CFG_A_INTERVAL_MIN_MS, 500);
	genl_put_u32(&req, AVAILCAST_CFG_A_INTERVAL_MAX_MS, 800);
	EXPECT_EQ(0, genl_transact(&self->sk, &req, &self->reply)) TH_LOG("%s", self->reply.extack);
	EXPECT_EQ(500, config_u32(&self->sk, AVAILCAST_CFG_A_INTERVAL_MIN_MS));
}

/* The thresholds CONFIG_GET reports, as a count and the levels. */
static int config_thresholds(struct genl_sock *sk, uint32_t *levels)
{
	struct nlattr *nest = genl_attr(config(sk), AVAILCAST_CFG_A_THRESHOLDS);
	const struct nlattr *attr;
	size_t rem;
	int n = 0;

	if (!nest)
		return -1;
	genl_for_each_attr(attr, (const struct nlattr *)GENL_ATTR_DATA(nest),
			   GENL_ATTR_LEN(nest), rem)
		levels[n++] = genl_attr_u32(attr);
	return n;
}

TEST_F(availcast, thresholds_are_set_as_a_list)
{
	static const uint32_t three[] = { 50, 500, 950 };
	uint32_t got[AVAILCAST_THRESHOLDS_MAX];

	ASSERT_EQ(0, ac_config_set_thresholds(&self->sk, three, 3, &self->reply));
	ASSERT_EQ(3, config_thresholds(&self->sk, got));
	EXPECT_EQ(0, memcmp(three, got, sizeof(three)));

	/* An empty nest clears them. */
	ASSERT_EQ(0, ac_config_set_thresholds(&self->sk, NULL, 0, &self->reply));
	EXPECT_EQ(0, config_thresholds(&self->sk, got));
}

TEST_F(availcast, invalid_thresholds_are_refused)
{
	static const uint32_t unsorted[] = { 500, 100 };
	static const uint32_t repeated[] = { 100, 100 };
	static const uint32_t nine[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	static const uint32_t zero[] = { 0 };
	static const uint32_t full[] = { 1000 };
	static const struct { const uint32_t *levels; int n, error; } cases[] = {
		{ unsorted, 2, -EINVAL }, { repeated, 2, -EINVAL }, { nine, 9, -EINVAL },
		{ zero, 1, -ERANGE }, { full, 1, -ERANGE },
	};
	struct genl_msg req;
	unsigned int i;
	int j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		genl_msg_init(&req, self->sk.family_id, AVAILCAST_CMD_CONFIG_SET, 0);
		genl_nest_start(&req, AVAILCAST_CFG_A_THRESHOLDS);
		for (j = 0; j < cases[i].n; j++)
			genl_put_u32(&req, AVAILCAST_THRESHOLD_A_LEVEL, cases[i].levels[j]);
		genl_nest_end(&req);
		TH_LOG("case %u", i);
		expect_refused(_metadata, self, &req, cases[i].error, NULL);
	}
}

TEST_F(availcast, config_set_node_id_is_seen_by_every_reader)
{
	struct nlattr *attr;
	char id[AVAILCAST_NODE_ID_SIZE];
	struct genl_msg req;
	FILE *sysfs;

	genl_msg_init(&req, self->sk.family_id, AVAILCAST_CMD_CONFIG_SET, 0);
	genl_put_str(&req, AVAILCAST_CFG_A_NODE_ID, "selftest-node.1");
	ASSERT_EQ(0, genl_transact(&self->sk, &req, &self->reply));

	attr = genl_attr(config(&self->sk), AVAILCAST_CFG_A_NODE_ID);
	ASSERT_NE(NULL, attr);
	EXPECT_STREQ("selftest-node.1", genl_attr_str(attr));

	ASSERT_EQ(0, ac_get(&self->sk, &self->snap, &self->reply));
	EXPECT_STREQ("selftest-node.1", self->snap.node_id);

	sysfs = fopen("/sys/kernel/availcast/node_id", "r");
	ASSERT_NE(NULL, sysfs);
	ASSERT_NE(NULL, fgets(id, sizeof(id), sysfs));
	fclose(sysfs);
	EXPECT_STREQ("selftest-node.1\n", id);
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
		expect_refused(_metadata, self, &req, -EINVAL, NULL);
	}

	/* A string attribute without its terminating NUL. */
	genl_msg_init(&req, self->sk.family_id, AVAILCAST_CMD_CONFIG_SET, 0);
	genl_put(&req, AVAILCAST_CFG_A_NODE_ID, "abc", 3);
	expect_refused(_metadata, self, &req, -EINVAL, NULL);

	/* The wrong type: a u32 where a string belongs still fails as a string. */
	genl_msg_init(&req, self->sk.family_id, AVAILCAST_CMD_CONFIG_SET, 0);
	genl_put_u32(&req, AVAILCAST_CFG_A_NODE_ID, 0x41414141);
	expect_refused(_metadata, self, &req, -EINVAL, NULL);
}

TEST_F(availcast, unknown_attributes_are_refused)
{
	struct genl_msg req;

	genl_msg_init(&req, self->sk.family_id, AVAILCAST_CMD_CONFIG_SET, 0);
	genl_put_str(&req, AVAILCAST_CFG_A_NODE_ID, "never-applied");
	genl_put_u32(&req, AVAILCAST_CFG_A_MAX + 1, 1);
	expect_refused(_metadata, self, &req, -EINVAL, NULL);

	/* GET takes no attributes at all. */
	genl_msg_init(&req, self->sk.family_id, AVAILCAST_CMD_GET, 0);
	genl_put_u32(&req, AVAILCAST_A_LEVEL, 1);
	expect_refused(_metadata, self, &req, -EINVAL, NULL);

	/* POOL_NEW takes a name and a capacity, not an amount. */
	genl_msg_init(&req, self->sk.family_id, AVAILCAST_CMD_POOL_NEW, 0);
	genl_put_str(&req, AVAILCAST_RES_A_NAME, "t-pool");
	genl_put_u64(&req, AVAILCAST_RES_A_CAPACITY, 10);
	genl_put_u64(&req, AVAILCAST_RES_A_AMOUNT, 1);
	expect_refused(_metadata, self, &req, -EINVAL, NULL);
	EXPECT_EQ(-ENOENT, ac_resource_get(&self->sk, "t-pool", &self->res, &self->reply));
}

TEST_F(availcast, malformed_headers_are_refused)
{
	struct genl_msg req;

	genl_msg_init(&req, self->sk.family_id, AVAILCAST_CMD_CONFIG_SET, 0);
	genl_put_str(&req, AVAILCAST_CFG_A_NODE_ID, "never-applied");
	((struct genlmsghdr *)NLMSG_DATA(&req.nlh))->reserved = 1;
	expect_refused(_metadata, self, &req, -EINVAL, NULL);

	genl_msg_init(&req, self->sk.family_id, AVAILCAST_CMD_CONFIG_SET,
		      NLM_F_CREATE);
	genl_put_str(&req, AVAILCAST_CFG_A_NODE_ID, "never-applied");
	expect_refused(_metadata, self, &req, -EINVAL, NULL);

	/*
	 * A dump's header alike. Before 6.1 the module checks it in the
	 * dump's start, which cannot reach the extended ack: the error
	 * alone is checked (a dump changes nothing anyway).
	 */
	genl_msg_init(&req, self->sk.family_id, AVAILCAST_CMD_RESOURCE_GET, NLM_F_DUMP);
	((struct genlmsghdr *)NLMSG_DATA(&req.nlh))->reserved = 1;
	EXPECT_EQ(-EINVAL, genl_transact(&self->sk, &req, &self->reply));

	genl_msg_init(&req, self->sk.family_id, AVAILCAST_CMD_RESOURCE_GET,
		      NLM_F_DUMP | NLM_F_CREATE);
	EXPECT_EQ(-EINVAL, genl_transact(&self->sk, &req, &self->reply));
}

TEST_F(availcast, unknown_commands_are_refused)
{
	EXPECT_EQ(-EOPNOTSUPP, genl_simple(&self->sk, AVAILCAST_CMD_MAX + 1,
					   &self->reply));
	/* NOTIFY is what the module multicasts; nobody may send it. */
	EXPECT_EQ(-EOPNOTSUPP, genl_simple(&self->sk, AVAILCAST_CMD_NOTIFY,
					   &self->reply));
}

TEST_F(availcast, pool_life_cycle)
{
	struct ac_resource pool;

	ASSERT_EQ(0, ac_pool_new(&self->sk, "t-pool", 1000, &self->reply));
	ASSERT_EQ(0, ac_resource_get(&self->sk, "t-pool", &pool, &self->reply));
	EXPECT_EQ(AVAILCAST_RESOURCE_POOL, pool.kind);
	EXPECT_EQ(1000, pool.capacity);
	EXPECT_EQ(0, pool.used);
	EXPECT_EQ(1000, pool.level);

	ASSERT_EQ(0, ac_pool_add(&self->sk, "t-pool", 300, &self->reply));
	ASSERT_EQ(0, ac_resource_get(&self->sk, "t-pool", &pool, &self->reply));
	EXPECT_EQ(300, pool.used);
	EXPECT_EQ(700, pool.level);

	ASSERT_EQ(0, ac_pool_add(&self->sk, "t-pool", -100, &self->reply));
	ASSERT_EQ(0, ac_resource_get(&self->sk, "t-pool", &pool, &self->reply));
	EXPECT_EQ(200, pool.used);
	EXPECT_EQ(800, pool.level);

	/* Over-charged: the level floors at 0; over-released: used goes negative. */
	ASSERT_EQ(0, ac_pool_add(&self->sk, "t-pool", 900, &self->reply));
	ASSERT_EQ(0, ac_resource_get(&self->sk, "t-pool", &pool, &self->reply));
	EXPECT_EQ(1100, pool.used);
	EXPECT_EQ(0, pool.level);
	ASSERT_EQ(0, ac_pool_add(&self->sk, "t-pool", -1000, &self->reply));
	ASSERT_EQ(0, ac_pool_add(&self->sk, "t-pool", -200, &self->reply));
	ASSERT_EQ(0, ac_resource_get(&self->sk, "t-pool", &pool, &self->reply));
	EXPECT_EQ(-100, pool.used);
	EXPECT_EQ(1000, pool.level);

	ASSERT_EQ(0, ac_get(&self->sk, &self->snap, &self->reply));
	EXPECT_NE(NULL, ac_find(&self->snap, "t-pool"));

	ASSERT_EQ(0, ac_pool_del(&self->sk, "t-pool", &self->reply));
	EXPECT_EQ(-ENOENT, ac_resource_get(&self->sk, "t-pool", &pool, &self->reply));
	ASSERT_EQ(0, ac_get(&self->sk, &self->snap, &self->reply));
	EXPECT_EQ(NULL, ac_find(&self->snap, "t-pool"));
}

TEST_F(availcast, pool_creation_refusals)
{
	struct genl_msg req;

	ASSERT_EQ(0, ac_pool_new(&self->sk, "t-pool", 10, &self->reply));
	EXPECT_EQ(-EEXIST, ac_pool_new(&self->sk, "t-pool", 10, &self->reply));
	EXPECT_STREQ("a resource with that name exists", self->reply.extack);
	EXPECT_EQ(-EEXIST, ac_pool_new(&self->sk, "cpu", 10, &self->reply));
	/* The relay adds a resource of that name to every report. */
	EXPECT_EQ(-EEXIST, ac_pool_new(&self->sk, "pressure", 10, &self->reply));
	EXPECT_NE(NULL, strstr(self->reply.extack, "availctl's relay"));
	EXPECT_EQ(-EINVAL, ac_pool_new(&self->sk, "t pool", 10, &self->reply));
	EXPECT_NE(NULL, strstr(self->reply.extack, "pool name must be"));
	EXPECT_EQ(-EINVAL, ac_pool_new(&self->sk, "", 10, &self->reply));
	/*
	 * ASCII only, as the wire carries names: the kernel's isalnum() takes
	 * Latin-1 letters, and a pool the managers refuse makes its host
	 * unavailable (issue 17).
	 */
	EXPECT_EQ(-EINVAL, ac_pool_new(&self->sk, "t-\xc0\xc9", 10, &self->reply));
	EXPECT_EQ(-EINVAL, ac_pool_new(&self->sk, "t-caf\xc3\xa9", 10, &self->reply));
	EXPECT_EQ(-EINVAL, ac_pool_new(&self->sk, "t-\x7f", 10, &self->reply));
	EXPECT_EQ(0, ac_pool_new(&self->sk, "t-gpu:0", 10, &self->reply));
	EXPECT_EQ(0, ac_pool_del(&self->sk, "t-gpu:0", &self->reply));
	EXPECT_EQ(-ERANGE, ac_pool_new(&self->sk, "t-x", 0, &self->reply));
	EXPECT_EQ(-ERANGE, ac_pool_new(&self->sk, "t-x", 1ull << 63, &self->reply));
	EXPECT_EQ(-EINVAL, ac_pool_new(&self->sk,
				       "t-0123456789012345678901234567890", 10,
				       &self->reply));

	genl_msg_init(&req, self->sk.family_id, AVAILCAST_CMD_POOL_NEW, 0);
	genl_put_str(&req, AVAILCAST_RES_A_NAME, "t-x");
	EXPECT_EQ(-EINVAL, genl_transact(&self->sk, &req, &self->reply));
	EXPECT_STREQ("a capacity is required", self->reply.extack);
	EXPECT_EQ(-ENOENT, ac_resource_get(&self->sk, "t-x", &self->res, &self->reply));
}

TEST_F(availcast, at_most_64_pools)
{
	char name[AVAILCAST_NAME_SIZE];
	int created = 0, i, err = 0;

	for (i = 0; i < 70 && !err; i++) {
		snprintf(name, sizeof(name), "t-many-%d", i);
		err = ac_pool_new(&self->sk, name, 10, &self->reply);
		created += !err;
	}
	EXPECT_EQ(-ENOSPC, err);
	EXPECT_NE(NULL, strstr(self->reply.extack, "64 pools"));
	ASSERT_EQ(0, ac_get(&self->sk, &self->snap, &self->reply));
	for (i = 0, err = 0; i < self->snap.n_resources; i++)
		err += self->snap.resources[i].kind == AVAILCAST_RESOURCE_POOL;
	EXPECT_EQ(64, err) TH_LOG("pools in a snapshot");
	for (i = 0; i < created; i++) {
		snprintf(name, sizeof(name), "t-many-%d", i);
		EXPECT_EQ(0, ac_pool_del(&self->sk, name, &self->reply));
	}
}

TEST_F(availcast, pool_charge_refusals)
{
	struct ac_resource pool;
	struct genl_msg req;

	ASSERT_EQ(0, ac_pool_new(&self->sk, "t-pool", 100, &self->reply));
	EXPECT_EQ(-ENOENT, ac_pool_add(&self->sk, "t-none", 1, &self->reply));
	EXPECT_STREQ("no pool with that name", self->reply.extack);
	EXPECT_EQ(-ENOENT, ac_pool_add(&self->sk, "cpu", 1, &self->reply));
	EXPECT_EQ(-ERANGE, ac_pool_add(&self->sk, "t-pool", 101, &self->reply));
	EXPECT_STREQ("the amount exceeds the pool's capacity", self->reply.extack);
	EXPECT_EQ(-ERANGE, ac_pool_add(&self->sk, "t-pool", -101, &self->reply));
	EXPECT_EQ(-ERANGE, ac_pool_add(&self->sk, "t-pool", 0, &self->reply));

	genl_msg_init(&req, self->sk.family_id, AVAILCAST_CMD_POOL_CHARGE, 0);
	genl_put_str(&req, AVAILCAST_RES_A_NAME, "t-pool");
	EXPECT_EQ(-EINVAL, genl_transact(&self->sk, &req, &self->reply));
	EXPECT_STREQ("an amount is required", self->reply.extack);

	ASSERT_EQ(0, ac_resource_get(&self->sk, "t-pool", &pool, &self->reply));
	EXPECT_EQ(0, pool.used) TH_LOG("no refused charge counted");

	EXPECT_EQ(-ENOENT, ac_pool_del(&self->sk, "t-none", &self->reply));
	EXPECT_EQ(-ENOENT, ac_pool_del(&self->sk, "memory", &self->reply));
}

TEST_F(availcast, resource_get_by_name)
{
	struct ac_resource res;
	struct genl_msg req;

	ASSERT_EQ(0, ac_resource_get(&self->sk, "memory", &res, &self->reply));
	EXPECT_EQ(AVAILCAST_RESOURCE_BUILTIN, res.kind);
	EXPECT_STREQ("memory", res.name);
	EXPECT_EQ(-ENOENT, ac_resource_get(&self->sk, "t-none", &res, &self->reply));
	EXPECT_STREQ("no resource with that name", self->reply.extack);

	genl_msg_init(&req, self->sk.family_id, AVAILCAST_CMD_RESOURCE_GET, 0);
	EXPECT_EQ(-EINVAL, genl_transact(&self->sk, &req, &self->reply));
	EXPECT_STREQ("a resource name is required", self->reply.extack);
	genl_msg_init(&req, self->sk.family_id, AVAILCAST_CMD_RESOURCE_GET, 0);
	genl_put_str(&req, AVAILCAST_RES_A_NAME, "cpu");
	genl_put_u32(&req, AVAILCAST_RES_A_KIND, AVAILCAST_RESOURCE_POOL);
	EXPECT_EQ(-EINVAL, genl_transact(&self->sk, &req, &self->reply));
	EXPECT_STREQ("a kind filters dumps only", self->reply.extack);
}

struct dump_list {
	int n;
	char names[AC_RESOURCES_MAX][AVAILCAST_NAME_SIZE];
	uint32_t kinds[AC_RESOURCES_MAX];
};

static void collect(const struct genl_msg *msg, void *arg)
{
	struct dump_list *list = arg;
	struct ac_resource res;

	if (list->n < AC_RESOURCES_MAX &&
	    !ac_parse_resource(GENL_MSG_ATTRS(msg), GENL_MSG_ATTRLEN(msg), &res)) {
		strcpy(list->names[list->n], res.name);
		list->kinds[list->n++] = res.kind;
	}
}

TEST_F(availcast, resource_dump_lists_every_resource_or_one_kind)
{
	struct dump_list list = { 0 };
	struct genl_msg req;
	bool interrupted;
	int i;

	ASSERT_EQ(0, ac_pool_new(&self->sk, "t-pool", 10, &self->reply));
	ASSERT_EQ(0, ac_pool_new(&self->sk, "t-other", 10, &self->reply));

	genl_msg_init(&req, self->sk.family_id, AVAILCAST_CMD_RESOURCE_GET, 0);
	ASSERT_EQ(0, genl_dump(&self->sk, &req, collect, &list, &self->reply,
			       &interrupted));
	EXPECT_FALSE(interrupted);
	/* The built-ins first, then the pools in the order they were made. */
	ASSERT_LE(4, list.n);
	EXPECT_STREQ("cpu", list.names[0]);
	EXPECT_STREQ("memory", list.names[1]);
	EXPECT_STREQ("t-pool", list.names[list.n - 2]);
	EXPECT_STREQ("t-other", list.names[list.n - 1]);
	for (i = 0; i < list.n - 2; i++)
		EXPECT_EQ(AVAILCAST_RESOURCE_BUILTIN, list.kinds[i]);

	list.n = 0;
	genl_msg_init(&req, self->sk.family_id, AVAILCAST_CMD_RESOURCE_GET, 0);
	genl_put_u32(&req, AVAILCAST_RES_A_KIND, AVAILCAST_RESOURCE_POOL);
	ASSERT_EQ(0, genl_dump(&self->sk, &req, collect, &list, &self->reply,
			       &interrupted));
	ASSERT_EQ(2, list.n);
	EXPECT_EQ(AVAILCAST_RESOURCE_POOL, list.kinds[0]);
	EXPECT_EQ(AVAILCAST_RESOURCE_POOL, list.kinds[1]);

	genl_msg_init(&req, self->sk.family_id, AVAILCAST_CMD_RESOURCE_GET, 0);
	genl_put_str(&req, AVAILCAST_RES_A_NAME, "cpu");
	EXPECT_EQ(-EINVAL, genl_dump(&self->sk, &req, collect, &list, &self->reply,
				     &interrupted));
	EXPECT_STREQ("a dump takes no name: it lists them all", self->reply.extack);
}

TEST_F(availcast, announce_broadcasts_at_once_with_reason_request)
{
	struct genl_sock listener;
	uint64_t asked;

	/* Periodic messages far apart, so that the next one is the answer. */
	ASSERT_EQ(0, ac_config_set_u32(&self->sk, AVAILCAST_CFG_A_INTERVAL_MAX_MS,
				       60000, &self->reply));
	ASSERT_EQ(0, ac_config_set_u32(&self->sk, AVAILCAST_CFG_A_INTERVAL_MIN_MS,
				       60000, &self->reply));
	ASSERT_EQ(0, genl_open(&listener, AVAILCAST_GENL_NAME));
	ASSERT_EQ(0, genl_subscribe(&listener));

	asked = ac_now_ns();
	ASSERT_EQ(0, genl_simple(&self->sk, AVAILCAST_CMD_ANNOUNCE, &self->reply));
	/*
	 * Others may come first: the periodic one the old interval had
	 * already set (seen on a loaded host, where subscribing took over a
	 * second), a threshold crossed. The request's must come within 5 s.
	 */
	do {
		ASSERT_EQ(0, ac_next_broadcast(&listener, &self->snap, 5000));
	} while (self->snap.reason != AVAILCAST_REASON_REQUEST &&
		 ac_now_ns() - asked < 5000000000ull);
	EXPECT_EQ(AVAILCAST_REASON_REQUEST, self->snap.reason);
	EXPECT_LE(asked, self->snap.timestamp_ns);
	genl_close(&listener);
}

static void count_message(const struct genl_msg *msg, void *arg)
{
	(void)msg;
	++*(int *)arg;
}

/*
 * Runs as nobody with no capabilities (setpriv, below): reading must work
 * (@may_read) or fail with EPERM, every change must fail with EPERM.
 * Exits 0 when all of that holds.
 */
static int unprivileged_child(bool may_read)
{
	static const uint8_t admin_cmds[] = {
		AVAILCAST_CMD_CONFIG_SET, AVAILCAST_CMD_POOL_NEW,
		AVAILCAST_CMD_POOL_DEL, AVAILCAST_CMD_POOL_CHARGE,
		AVAILCAST_CMD_POOL_RELEASE, AVAILCAST_CMD_ANNOUNCE,
	};
	static const uint8_t read_cmds[] = {
		AVAILCAST_CMD_GET, AVAILCAST_CMD_CONFIG_GET,
	};
	static struct genl_reply reply;
	struct ac_resource res;
	struct genl_sock sk;
	struct genl_msg req;
	unsigned int i;
	int err, failures = 0, dumped = 0;
	bool interrupted;

	if (geteuid() == 0) {
		fprintf(stderr, "child still runs as root\n");
		return 1;
	}
	err = genl_open(&sk, AVAILCAST_GENL_NAME);
	if (err) {
		fprintf(stderr, "open: %s\n", strerror(-err));
		return 1;
	}
	for (i = 0; i < sizeof(read_cmds); i++) {
		err = genl_simple(&sk, read_cmds[i], &reply);
		if (err != (may_read ? 0 : -EPERM)) {
			fprintf(stderr, "command %u as nobody: %s\n", read_cmds[i],
				strerror(-err));
			failures++;
		}
	}
	err = ac_resource_get(&sk, "cpu", &res, &reply);
	if (err != (may_read ? 0 : -EPERM)) {
		fprintf(stderr, "RESOURCE_GET as nobody: %s\n", strerror(-err));
		failures++;
	}
	genl_msg_init(&req, sk.family_id, AVAILCAST_CMD_RESOURCE_GET, 0);
	err = genl_dump(&sk, &req, count_message, &dumped, &reply, &interrupted);
	if (err != (may_read ? 0 : -EPERM) || (!may_read && dumped)) {
		fprintf(stderr, "RESOURCE_GET dump as nobody: %s, %d resources\n",
			strerror(-err), dumped);
		failures++;
	}
	for (i = 0; i < sizeof(admin_cmds); i++) {
		/* Well-formed, so that only the permission can refuse it. */
		genl_msg_init(&req, sk.family_id, admin_cmds[i], 0);
		if (admin_cmds[i] != AVAILCAST_CMD_CONFIG_SET &&
		    admin_cmds[i] != AVAILCAST_CMD_ANNOUNCE)
			genl_put_str(&req, AVAILCAST_RES_A_NAME, "t-pool");
		if (admin_cmds[i] == AVAILCAST_CMD_POOL_NEW)
			genl_put_u64(&req, AVAILCAST_RES_A_CAPACITY, 10);
		if (admin_cmds[i] == AVAILCAST_CMD_POOL_CHARGE ||
		    admin_cmds[i] == AVAILCAST_CMD_POOL_RELEASE)
			genl_put_u64(&req, AVAILCAST_RES_A_AMOUNT, 1);
		err = genl_transact(&sk, &req, &reply);
		if (err != -EPERM) {
			fprintf(stderr, "command %u as nobody: %s, not EPERM\n",
				admin_cmds[i], strerror(-err));
			failures++;
		}
	}
	return failures ? 1 : 0;
}

/*
 * Runs this program as nobody with no capabilities (setpriv), in a new
 * network namespace when @other_netns; returns its exit status.
 */
static int run_unprivileged(bool other_netns, bool may_read)
{
	char self_path[4096];
	ssize_t len;
	int status;
	pid_t pid;

	/* Resolved now: in the child, /proc/self/exe would be setpriv. */
	len = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);
	if (len <= 0)
		return -1;
	self_path[len] = '\0';
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (other_netns && unshare(CLONE_NEWNET))
			_exit(126);
		execlp("setpriv", "setpriv", "--reuid=65534", "--regid=65534",
		       "--clear-groups", "--inh-caps=-all", "--bounding-set=-all",
		       "--no-new-privs", self_path, UNPRIVILEGED_CHILD,
		       may_read ? MAY_READ : MAY_NOT_READ, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

TEST_F(availcast, unprivileged_can_read_but_not_change)
{
	struct genl_msg *after;

	ASSERT_EQ(0, ac_pool_new(&self->sk, "t-pool", 10, &self->reply));
	EXPECT_EQ(0, run_unprivileged(false, true));

	after = config(&self->sk);
	ASSERT_NE(NULL, after);
	EXPECT_EQ(0, memcmp(GENL_MSG_ATTRS(&self->saved_config), GENL_MSG_ATTRS(after),
			    GENL_MSG_ATTRLEN(after)));
	EXPECT_EQ(0, ac_resource_get(&self->sk, "t-pool", &self->res, &self->reply));
	EXPECT_EQ(0, self->res.used);
}

/*
 * Issue 17, item 8: what other network namespaces (containers) see. The
 * host's availability, node id and pool names are shown there only when
 * all_netns shares them, as it shares the broadcasts; the initial
 * namespace reads them as it reads /proc/loadavg.
 */
/*
 * The error of a GET from a child unshared with @flags (a new network
 * namespace, and a user namespace too with CLONE_NEWUSER: root there, with
 * CAP_NET_ADMIN over its own network namespace only), as root otherwise.
 */
static int get_unshared(int flags)
{
	static struct genl_reply reply;
	struct genl_sock sk;
	int status, err;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (unshare(flags))
			_exit(126);
		err = genl_open(&sk, AVAILCAST_GENL_NAME);
		if (!err)
			err = genl_simple(&sk, AVAILCAST_CMD_GET, &reply);
		_exit(-err);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -ECHILD;
	return -WEXITSTATUS(status);
}

TEST_F(availcast, another_namespace_reads_only_what_all_netns_shares)
{
	ASSERT_EQ(0, ac_config_set_u8(&self->sk, AVAILCAST_CFG_A_ALL_NETNS, 0, &self->reply));
	EXPECT_EQ(0, run_unprivileged(true, false)) TH_LOG("all_netns=0, another namespace");
	EXPECT_EQ(0, run_unprivileged(false, true)) TH_LOG("all_netns=0, the initial one");
	/* CAP_NET_ADMIN in the initial user namespace reads from anywhere... */
	EXPECT_EQ(0, get_unshared(CLONE_NEWNET));
	/* ...not the root of a user namespace of its own (a rootless container). */
	EXPECT_EQ(-EPERM, get_unshared(CLONE_NEWUSER | CLONE_NEWNET));
	ASSERT_EQ(0, ac_config_set_u8(&self->sk, AVAILCAST_CFG_A_ALL_NETNS, 1, &self->reply));
	EXPECT_EQ(0, run_unprivileged(true, true)) TH_LOG("all_netns=1, another namespace");
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], UNPRIVILEGED_CHILD))
		return unprivileged_child(!strcmp(argv[2], MAY_READ));
	return test_harness_run(argc, argv);
}
