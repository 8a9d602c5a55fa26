// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation failures, injected by the kernel's own fault injection
 * (failslab and fail_page_alloc) and aimed at the module by call stack.
 *
 * Loading and every request are swept with /proc/thread-self/fail-nth:
 * the first run fails the module's first allocation, the next its second,
 * and so on until a run reaches none, so every allocation on those paths
 * fails once. Each failure must come back to the caller as ENOMEM and
 * change nothing; the module must keep answering and still unload.
 * Broadcasts are built in a workqueue, where fail-nth does not reach: they
 * are failed by probability instead, and must be counted as failed and
 * resume once the failures stop.
 *
 * Needs a kernel with CONFIG_FAULT_INJECTION_STACKTRACE_FILTER and
 * CONFIG_FAILSLAB (the debug kernel of selftests/debug-kernel/); on any
 * other kernel every test is skipped. Starts and ends with the module
 * loaded from $AVAILCAST_KO.
 */

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "family.h"
#include "kselftest_harness.h"

#define FAILSLAB "/sys/kernel/debug/failslab"
#define FAIL_PAGE_ALLOC "/sys/kernel/debug/fail_page_alloc"
#define SWEEP_MAX 10000		/* more failure points than this is a runaway */

static const char *const fault_dirs[] = { FAILSLAB, FAIL_PAGE_ALLOC };

static int write_file(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY);
	ssize_t len = strlen(value);
	ssize_t written;

	if (fd < 0)
		return -errno;
	written = write(fd, value, len);
	close(fd);
	return written == len ? 0 : -EIO;
}

static int fault_set(const char *dir, const char *attr, const char *value)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	return write_file(path, value);
}

/*
 * The kernel image ends at _end; everything above it that runs code is a
 * module, and on the debug kernel (everything built in) the only modules
 * are ours. 0 when kallsyms hides addresses.
 */
static unsigned long kernel_end(void)
{
	unsigned long addr = 0, found = 0;
	char type, name[256];
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return 0;
	while (fscanf(f, "%lx %c %255s%*[^\n]", &addr, &type, name) == 3) {
		if (!strcmp(name, "_end")) {
			found = addr;
			break;
		}
	}
	fclose(f);
	return found;
}

/*
 * Aims both fault types at calls made from module code, in any context and
 * with any GFP flags, silently (the traces would read as kernel reports),
 * and with nothing failing until a test asks.
 */
static int fault_aim_at_modules(void)
{
	unsigned long start = kernel_end();
	char value[32];
	size_t i;

	if (!start)
		return -ENOENT;
	for (i = 0; i < sizeof(fault_dirs) / sizeof(fault_dirs[0]); i++) {
		const char *dir = fault_dirs[i];

		snprintf(value, sizeof(value), "%#lx", start);
		if (fault_set(dir, "probability", "0") ||
		    fault_set(dir, "verbose", "0") ||
		    fault_set(dir, "task-filter", "N") ||
		    fault_set(dir, "ignore-gfp-wait", "N") ||
		    fault_set(dir, "times", "-1") ||
		    fault_set(dir, "interval", "1") ||
		    fault_set(dir, "space", "0") ||
		    fault_set(dir, "stacktrace-depth", "32") ||
		    fault_set(dir, "require-start", value) ||
		    fault_set(dir, "require-end", "0xffffffffffffffff") ||
		    fault_set(dir, "reject-start", "0") ||
		    fault_set(dir, "reject-end", "0"))
			return -EIO;
	}
	if (fault_set(FAIL_PAGE_ALLOC, "ignore-gfp-highmem", "N") ||
	    fault_set(FAIL_PAGE_ALLOC, "min-order", "0"))
		return -EIO;
	return 0;
}

/* Every allocation from module code fails (@percent 100) or none does. */
static int fault_fail_all(int percent)
{
	char value[8];

	snprintf(value, sizeof(value), "%d", percent);
	return fault_set(FAILSLAB, "probability", value) ?:
	       fault_set(FAIL_PAGE_ALLOC, "probability", value);
}

/* Makes this thread's @n-th allocation from module code fail. */
static void fail_nth_arm(struct __test_metadata *_metadata, unsigned int n)
{
	char value[16];

	snprintf(value, sizeof(value), "%u", n);
	ASSERT_EQ(0, write_file("/proc/thread-self/fail-nth", value));
}

/* Disarms fail-nth; returns whether the failure was injected. */
static bool fail_nth_disarm(struct __test_metadata *_metadata)
{
	char buf[16] = "";
	ssize_t len;
	int fd;

	fd = open("/proc/thread-self/fail-nth", O_RDWR);
	EXPECT_LE(0, fd);
	len = read(fd, buf, sizeof(buf) - 1);
	EXPECT_LT(0, len);
	EXPECT_EQ(1, write(fd, "0", 1));
	close(fd);
	return strtoul(buf, NULL, 10) == 0;
}

static bool module_loaded(void)
{
	char line[256];
	bool found = false;
	FILE *f = fopen("/proc/modules", "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, "availcast ", strlen("availcast "));
	fclose(f);
	return found;
}

static bool family_registered(void)
{
	struct genl_sock sk;

	if (genl_open(&sk, AVAILCAST_GENL_NAME))
		return false;
	genl_close(&sk);
	return true;
}

static int entries_seen;

static int count_entry(const char *path, const struct stat *st, int type,
		       struct FTW *ftw)
{
	(void)path, (void)st, (void)type, (void)ftw;
	entries_seen++;
	return 0;
}

/* Entries of a directory tree (sysfs here), or -1. */
static int count_files(const char *dir)
{
	entries_seen = 0;
	return nftw(dir, count_entry, 8, FTW_PHYS) ? -1 : entries_seen;
}

static int module_load(const char *ko)
{
	int fd = open(ko, O_RDONLY | O_CLOEXEC);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, "", 0))
		err = -errno;
	close(fd);
	return err;
}

static int module_unload(void)
{
	return syscall(SYS_delete_module, "availcast", O_NONBLOCK) ? -errno : 0;
}

FIXTURE(fault) {
	struct genl_sock sk;
	struct genl_reply reply;
	struct genl_msg config;
};

FIXTURE_SETUP(fault)
{
	int err;

	if (access(FAILSLAB, W_OK) || access(FAIL_PAGE_ALLOC, W_OK) ||
	    access("/proc/thread-self/fail-nth", W_OK))
		SKIP(return, "no failslab or fail_page_alloc (a debug kernel has them)");
	err = fault_aim_at_modules();
	if (err == -ENOENT)
		SKIP(return, "kallsyms hides the kernel's end");
	ASSERT_EQ(0, err);
	ASSERT_EQ(0, genl_open(&self->sk, AVAILCAST_GENL_NAME));
	ASSERT_EQ(0, ac_config_save(&self->sk, &self->config));
	ac_pool_del(&self->sk, "t-fault", &self->reply);
}

FIXTURE_TEARDOWN(fault)
{
	if (access(FAILSLAB, W_OK))
		return;
	fault_fail_all(0);
	if (!module_loaded())
		module_load(getenv("AVAILCAST_KO"));
	if (self->sk.fd > 0) {
		ac_config_restore(&self->sk, &self->config);
		ac_pool_del(&self->sk, "t-fault", &self->reply);
		genl_close(&self->sk);
	}
}

/*
 * Every allocation the module makes while loading fails in turn: the load
 * is refused with ENOMEM and leaves no module, family or sysfs directory,
 * or, where the module can do without, it loads and works.
 */
/* Each load under KASAN in TCG takes a good part of a second. */
TEST_F_TIMEOUT(fault, load_fails_cleanly_at_every_allocation, 900)
{
	const char *ko = getenv("AVAILCAST_KO");
	unsigned int n, refused = 0;
	int sysfs_files = count_files("/sys/kernel/availcast");

	ASSERT_NE(NULL, ko);
	ASSERT_LT(0, sysfs_files);
	genl_close(&self->sk);
	self->sk.fd = -1;
	ASSERT_EQ(0, module_unload());

	for (n = 1; n < SWEEP_MAX; n++) {
		bool injected;
		int err;

		fail_nth_arm(_metadata, n);
		err = module_load(ko);
		injected = fail_nth_disarm(_metadata);
		if (!err && !injected)
			break;		/* loading reached no n-th allocation */
		if (err) {
			EXPECT_TRUE(injected) TH_LOG("load %u failed on its own: %s",
						     n, strerror(-err));
			EXPECT_EQ(-ENOMEM, err) TH_LOG("allocation %u: %s", n, strerror(-err));
			EXPECT_FALSE(module_loaded()) TH_LOG("allocation %u", n);
			EXPECT_FALSE(family_registered()) TH_LOG("allocation %u", n);
			EXPECT_NE(0, access("/sys/kernel/availcast", F_OK))
				TH_LOG("allocation %u", n);
			refused++;
			continue;
		}
		/* A failure the load got over must not have cost it a part. */
		EXPECT_TRUE(family_registered()) TH_LOG("allocation %u", n);
		EXPECT_EQ(sysfs_files, count_files("/sys/kernel/availcast"))
			TH_LOG("allocation %u", n);
		ASSERT_EQ(0, module_unload());
	}
	ASSERT_LT(n, SWEEP_MAX);
	TH_LOG("%u allocation points while loading, %u refused the load", n - 1, refused);
	EXPECT_LT(0, refused);

	/* The last try reached no failure point: the module is loaded. */
	ASSERT_TRUE(module_loaded());
	ASSERT_EQ(0, genl_open(&self->sk, AVAILCAST_GENL_NAME));
	EXPECT_EQ(0, ac_get(&self->sk, &(struct ac_snapshot){}, &self->reply));
}

/* A request and what it must leave unchanged when it fails. */
struct request {
	const char *name;
	int (*prepare)(struct genl_sock *sk);	/* before each try */
	int (*send)(struct genl_sock *sk, struct genl_reply *reply);
	int (*undo)(struct genl_sock *sk);	/* after a try that succeeded */
	bool changes_pool;	/* else it may change only the configuration */
};

static struct genl_reply scratch;	/* replies that only need a home */
static struct ac_snapshot snap;

static int pool_create(struct genl_sock *sk)
{
	return ac_pool_new(sk, "t-fault", 1000, &scratch);
}

static int pool_delete(struct genl_sock *sk)
{
	return ac_pool_del(sk, "t-fault", &scratch);
}

static int pool_release_10(struct genl_sock *sk)
{
	return ac_pool_add(sk, "t-fault", -10, &scratch);
}

static int pool_charge_10(struct genl_sock *sk)
{
	return ac_pool_add(sk, "t-fault", 10, &scratch);
}

static int send_pool_new(struct genl_sock *sk, struct genl_reply *reply)
{
	return ac_pool_new(sk, "t-fault", 1000, reply);
}

static int send_pool_del(struct genl_sock *sk, struct genl_reply *reply)
{
	return ac_pool_del(sk, "t-fault", reply);
}

static int send_pool_charge(struct genl_sock *sk, struct genl_reply *reply)
{
	return ac_pool_add(sk, "t-fault", 10, reply);
}

static int send_pool_release(struct genl_sock *sk, struct genl_reply *reply)
{
	return ac_pool_add(sk, "t-fault", -10, reply);
}

static int send_get(struct genl_sock *sk, struct genl_reply *reply)
{
	return ac_get(sk, &snap, reply);
}

static int send_resource_get(struct genl_sock *sk, struct genl_reply *reply)
{
	struct ac_resource res;

	return ac_resource_get(sk, "t-fault", &res, reply);
}

static void count_message(const struct genl_msg *msg, void *arg)
{
	(void)msg;
	(*(int *)arg)++;
}

static int send_resource_dump(struct genl_sock *sk, struct genl_reply *reply)
{
	struct genl_msg req;
	int messages = 0;
	bool interrupted;

	genl_msg_init(&req, sk->family_id, AVAILCAST_CMD_RESOURCE_GET, 0);
	return genl_dump(sk, &req, count_message, &messages, reply, &interrupted);
}

static int send_config_get(struct genl_sock *sk, struct genl_reply *reply)
{
	return genl_simple(sk, AVAILCAST_CMD_CONFIG_GET, reply);
}

static int send_config_set(struct genl_sock *sk, struct genl_reply *reply)
{
	static const uint32_t levels[] = { 150, 550, 850 };

	return ac_config_set_thresholds(sk, levels, 3, reply);
}

static int send_announce(struct genl_sock *sk, struct genl_reply *reply)
{
	return genl_simple(sk, AVAILCAST_CMD_ANNOUNCE, reply);
}

static const struct request requests[] = {
	{ "POOL_NEW", pool_delete, send_pool_new, pool_delete, true },
	{ "POOL_DEL", pool_create, send_pool_del, pool_create, true },
	{ "POOL_CHARGE", pool_create, send_pool_charge, pool_release_10, true },
	{ "POOL_RELEASE", pool_create, send_pool_release, pool_charge_10, true },
	{ "GET", pool_create, send_get, NULL, true },
	{ "RESOURCE_GET", pool_create, send_resource_get, NULL, true },
	{ "RESOURCE_GET dump", pool_create, send_resource_dump, NULL, true },
	{ "CONFIG_GET", NULL, send_config_get, NULL, false },
	{ "CONFIG_SET", NULL, send_config_set, NULL, false },
	{ "ANNOUNCE", NULL, send_announce, NULL, false },
};

/* What a failed request must leave as it was: the pool and the config. */
struct state {
	bool pool_exists;
	int64_t pool_used;
	struct genl_msg config;
};

static void state_read(struct __test_metadata *_metadata, struct genl_sock *sk,
		       struct state *state)
{
	struct ac_resource pool;
	int err = ac_resource_get(sk, "t-fault", &pool, &scratch);

	ASSERT_TRUE(err == 0 || err == -ENOENT) TH_LOG("%s", strerror(-err));
	state->pool_exists = !err;
	state->pool_used = err ? 0 : pool.used;
	ASSERT_EQ(0, ac_config_save(sk, &state->config));
}

static bool state_equal(const struct state *a, const struct state *b)
{
	return a->pool_exists == b->pool_exists && a->pool_used == b->pool_used &&
	       a->config.nlh.nlmsg_len == b->config.nlh.nlmsg_len &&
	       !memcmp(NLMSG_DATA(&a->config.nlh), NLMSG_DATA(&b->config.nlh),
		       a->config.nlh.nlmsg_len - NLMSG_HDRLEN);
}

/*
 * Every request, with each allocation the module makes for it failing in
 * turn: ENOMEM comes back, the pool and the configuration are unchanged,
 * and the same request then succeeds.
 */
TEST_F(fault, every_request_fails_cleanly_at_every_allocation)
{
	static struct state before, after;
	size_t i;

	for (i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
		const struct request *req = &requests[i];
		unsigned int n, failed = 0;

		for (n = 1; n < SWEEP_MAX; n++) {
			bool injected;
			int err;

			if (req->prepare)
				req->prepare(&self->sk);
			state_read(_metadata, &self->sk, &before);
			fail_nth_arm(_metadata, n);
			err = req->send(&self->sk, &self->reply);
			injected = fail_nth_disarm(_metadata);
			if (!injected) {
				EXPECT_EQ(0, err) TH_LOG("%s: %s %s", req->name,
							 strerror(-err), self->reply.extack);
				break;
			}
			if (!err) {
				/* The module did without the allocation. */
				if (req->undo)
					req->undo(&self->sk);
				continue;
			}
			failed++;
			EXPECT_EQ(-ENOMEM, err) TH_LOG("%s, allocation %u: %s", req->name,
						       n, strerror(-err));
			state_read(_metadata, &self->sk, &after);
			EXPECT_TRUE(state_equal(&before, &after))
				TH_LOG("%s, allocation %u changed the %s", req->name, n,
				       req->changes_pool ? "pool" : "configuration");
		}
		ASSERT_LT(n, SWEEP_MAX);
		TH_LOG("%s: %u allocation points, %u failed the request",
		       req->name, n - 1, failed);
		if (req->undo)
			req->undo(&self->sk);
		ac_config_restore(&self->sk, &self->config);
	}
}

static uint64_t failed_broadcasts(struct __test_metadata *_metadata,
				  struct genl_sock *sk)
{
	struct genl_reply reply;

	EXPECT_EQ(0, ac_get(sk, &snap, &reply));
	return snap.failed;
}

/*
 * With every allocation from the module failing, broadcasts cannot be
 * built: they are counted as failed, none is sent, nothing breaks, and
 * they resume as soon as allocations succeed again.
 */
TEST_F(fault, broadcasts_count_failures_and_resume)
{
	struct ac_snapshot heard;
	struct genl_sock sub;
	uint64_t failed_before;
	int i;

	ASSERT_EQ(0, genl_open(&sub, AVAILCAST_GENL_NAME));
	ASSERT_EQ(0, genl_subscribe(&sub));
	/* The shortest period, so that broadcasts fall due while failing. */
	ASSERT_EQ(0, ac_config_set_u32(&self->sk, AVAILCAST_CFG_A_INTERVAL_MIN_MS, 10,
				       &self->reply));
	ASSERT_EQ(0, ac_config_set_u32(&self->sk, AVAILCAST_CFG_A_INTERVAL_MAX_MS, 10,
				       &self->reply));
	ASSERT_EQ(0, ac_next_broadcast(&sub, &heard, 2000));
	failed_before = failed_broadcasts(_metadata, &self->sk);

	ASSERT_EQ(0, fault_fail_all(100));
	/*
	 * What was sent before may still be queued: read it, then a
	 * subscriber must hear nothing, though one falls due every 10 ms.
	 */
	for (i = 0; i < 100 && ac_next_broadcast(&sub, &heard, 300) == 0; i++)
		;
	EXPECT_EQ(-ETIMEDOUT, ac_next_broadcast(&sub, &heard, 500));
	/* Requests that build messages fail too. */
	EXPECT_EQ(-ENOMEM, send_get(&self->sk, &self->reply));
	ASSERT_EQ(0, fault_fail_all(0));

	EXPECT_LT(failed_before, failed_broadcasts(_metadata, &self->sk));
	/*
	 * They resume on their own: periodic, or a threshold crossing of
	 * the built-in cpu resource, which a busy debug kernel can make.
	 */
	ASSERT_EQ(0, ac_next_broadcast(&sub, &heard, 2000));
	EXPECT_TRUE(heard.reason == AVAILCAST_REASON_PERIODIC ||
		    heard.reason == AVAILCAST_REASON_THRESHOLD)
		TH_LOG("resumed with reason %u", heard.reason);
	genl_close(&sub);
}

/*
 * The kernel's reports of a task that sleeps where it must not: in an
 * atomic context, or in an RCU read-side section (CONFIG_DEBUG_ATOMIC_SLEEP
 * and CONFIG_PROVE_RCU, both in the debug kernel that has failslab).
 */
static const char *const sleep_reports[] = {
	"sleeping function called from invalid context",
	"Illegal context switch in RCU",
	"Voluntary context switch within RCU",
};

/* How many records of the kernel log from @fd on are sleep reports. */
static int sleep_reports_since(int fd)
{
	char record[4096];
	ssize_t len;
	size_t i;
	int found = 0;

	while ((len = read(fd, record, sizeof(record) - 1)) > 0 || (len < 0 && errno == EPIPE)) {
		if (len <= 0)
			continue;	/* EPIPE: records were overwritten */
		record[len] = '\0';
		for (i = 0; i < sizeof(sleep_reports) / sizeof(sleep_reports[0]); i++)
			found += !!strstr(record, sleep_reports[i]);
	}
	return found;
}

static void charge_across(struct __test_metadata *_metadata, struct genl_sock *sk,
			  struct genl_reply *reply, const char *pool)
{
	ASSERT_EQ(0, ac_pool_add(sk, pool, 900, reply));
	ASSERT_EQ(0, ac_pool_add(sk, pool, -900, reply));
}

/*
 * The way to a broadcast's deadline never sleeps: the emitter reads the
 * resources, builds the message and multicasts it inside an RCU read-side
 * section, so the kernel reports any sleep there. Every path is taken:
 * periodic, threshold and requested messages, to one namespace and to
 * all, with several listeners (the multicast clones) and many pools; a
 * crossing while nobody listens; and the last message, at unload.
 */
TEST_F(fault, broadcasts_are_built_without_sleeping)
{
	static const uint32_t thresholds[] = { 500 };
	const char *ko = getenv("AVAILCAST_KO");
	struct genl_sock subs[3];
	struct ac_snapshot heard;
	char names[8][16];
	int kmsg, all, i, j;

	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, kmsg);
	ASSERT_LE(0, lseek(kmsg, 0, SEEK_END));
	ASSERT_EQ(0, ac_config_set_u32(&self->sk, AVAILCAST_CFG_A_INTERVAL_MIN_MS, 10,
				       &self->reply));
	ASSERT_EQ(0, ac_config_set_thresholds(&self->sk, thresholds, 1, &self->reply));
	for (i = 0; i < 8; i++) {
		snprintf(names[i], sizeof(names[i]), "t-sleep-%d", i);
		ac_pool_del(&self->sk, names[i], &self->reply);
		ASSERT_EQ(0, ac_pool_new(&self->sk, names[i], 1000, &self->reply));
	}

	/* Nobody listens: a crossing is marked as heard, not sent. */
	charge_across(_metadata, &self->sk, &self->reply, names[0]);

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, genl_open(&subs[i], AVAILCAST_GENL_NAME));
		ASSERT_EQ(0, genl_subscribe(&subs[i]));
	}
	for (all = 0; all < 2; all++) {
		ASSERT_EQ(0, ac_config_set_u8(&self->sk, AVAILCAST_CFG_A_ALL_NETNS, all,
					      &self->reply));
		for (i = 0; i < 8; i++) {
			charge_across(_metadata, &self->sk, &self->reply, names[i]);
			ASSERT_EQ(0, send_announce(&self->sk, &self->reply));
		}
		for (i = 0; i < 3; i++) {
			ASSERT_EQ(0, ac_next_broadcast(&subs[i], &heard, 2000));
			for (j = 0; j < 100 && !ac_next_broadcast(&subs[i], &heard, 0); j++)
				;
		}
	}
	for (i = 0; i < 8; i++)
		EXPECT_EQ(0, ac_pool_del(&self->sk, names[i], &self->reply));

	/* The last message goes out as the module unloads. */
	genl_close(&self->sk);
	EXPECT_EQ(0, module_unload());
	heard.reason = 0;
	for (j = 0; j < 1000 && heard.reason != AVAILCAST_REASON_SHUTDOWN; j++) {
		if (ac_next_broadcast(&subs[0], &heard, 2000))
			break;
	}
	EXPECT_EQ(AVAILCAST_REASON_SHUTDOWN, heard.reason);
	for (i = 0; i < 3; i++)
		genl_close(&subs[i]);
	ASSERT_EQ(0, module_load(ko));
	ASSERT_EQ(0, genl_open(&self->sk, AVAILCAST_GENL_NAME));

	EXPECT_EQ(0, sleep_reports_since(kmsg))
		TH_LOG("the kernel log reports a sleep on the way to a broadcast");
	close(kmsg);
}

TEST_HARNESS_MAIN
