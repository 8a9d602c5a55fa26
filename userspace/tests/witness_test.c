// SPDX-License-Identifier: GPL-2.0
/*
 * The witness store on a real directory: its compare-and-swap rules, the
 * lease it enforces by its own clock, durability through restarts, torn,
 * truncated or edited files reported and never used, writes that fail at
 * each step answered as failed and leaving the record as it was, and
 * files rolled back under it put back to what it promised.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arbiter.h"
#include "witness.h"
#include "kselftest_harness.h"

static const struct arbiter_timing lease_500 = { .lease_ms = 500, .drift_ppm = 1000 };
static const struct arbiter_timing lease_3000 = { .lease_ms = 3000, .drift_ppm = 1000 };

FIXTURE(store) {
	char dir[64];
	char run[80];			/* the runtime directory (a tmpfs, in life) */
	struct witness_store store;
	struct wire_record cur;
	uint32_t left, granted;
	char error[128];
};

FIXTURE_SETUP(store)
{
	char error[128];

	snprintf(self->dir, sizeof(self->dir), "/tmp/witness_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->run, sizeof(self->run), "%s/run", self->dir);
	ASSERT_EQ(0, mkdir(self->run, 0700));
	ASSERT_EQ(0, witness_store_init(&self->store, self->dir, self->run, "demo", "h1", &lease_500,
					1000, error, sizeof(error)));
}

/* A store started again on the same directory, as after a restart. */
static void restart(struct __test_metadata *_metadata, FIXTURE_DATA(store) *self,
		    uint64_t now_ms)
{
	ASSERT_EQ(0, witness_store_init(&self->store, self->dir, self->run, "demo", "h1", &lease_500,
					now_ms, self->error, sizeof(self->error)));
}

FIXTURE_TEARDOWN(store)
{
	char command[128];

	snprintf(command, sizeof(command), "rm -rf %s", self->dir);
	if (system(command))
		abort();
}

static struct wire_record record(const char *active, uint64_t epoch, uint64_t generation)
{
	struct wire_record r = { .epoch = epoch, .generation = generation, .lease_ms = 500 };

	snprintf(r.cluster, sizeof(r.cluster), "demo");
	snprintf(r.active, sizeof(r.active), "%s", active);
	return r;
}

#define CAS(who, now, ee, eg, rec) \
	witness_store_cas(&self->store, who, now, ee, eg, rec, &self->cur, &self->left, \
			  &self->granted)

TEST_F(store, compare_and_swap_follows_its_rules)
{
	struct wire_record m1 = record("m1", 1, 1), m2 = record("m2", 2, 2);

	EXPECT_EQ(WITNESS_EMPTY, witness_store_read(&self->store, 1000, &self->cur, &self->left));
	EXPECT_EQ(WITNESS_CONFLICT, CAS("m1", 1000, 1, 1, &m1)) TH_LOG("nothing to expect yet");
	EXPECT_EQ(WITNESS_BAD_REQUEST, CAS("m2", 1000, 0, 0, &m1)) TH_LOG("m2 naming m1");
	EXPECT_EQ(WITNESS_DONE, CAS("m1", 1000, 0, 0, &m1));
	EXPECT_EQ(500, self->left);
	EXPECT_EQ(WITNESS_DONE, CAS("m1", 1200, 1, 1, &m1)) TH_LOG("a renewal");
	EXPECT_EQ(500, self->left);
	EXPECT_EQ(WITNESS_LEASE_HELD, CAS("m2", 1600, 1, 1, &m2));
	EXPECT_EQ(100, self->left);
	EXPECT_STREQ("m1", self->cur.active);
	EXPECT_EQ(WITNESS_CONFLICT, CAS("m2", 1800, 1, 0, &m2));
	EXPECT_EQ(WITNESS_DONE, CAS("m2", 1700, 1, 1, &m2)) TH_LOG("the lease ran out");
	EXPECT_EQ(WITNESS_STALE_EPOCH, CAS("m1", 1800, 1, 1, &m1));
	EXPECT_EQ(WITNESS_STALE_EPOCH, CAS("m1", 1800, 2, 2, &m1));
	EXPECT_STREQ("m2", self->cur.active);
	EXPECT_EQ(2, self->cur.epoch);

	m2.generation = 2;
	m2.epoch = 2;
	EXPECT_EQ(WITNESS_DONE, CAS("m2", 1900, 2, 2, &m2));
	m2.generation = 1;
	EXPECT_EQ(WITNESS_BAD_REQUEST, CAS("m2", 1900, 2, 2, &m2)) TH_LOG("generation going back");
	m2 = record("m2", 2, 2);
	snprintf(m2.cluster, sizeof(m2.cluster), "other");
	EXPECT_EQ(WITNESS_WRONG_CLUSTER, CAS("m2", 1900, 2, 2, &m2));
	EXPECT_EQ(1, self->store.counts[WITNESS_LEASE_HELD]);
}

/*
 * A takeover is sent every heartbeat-ms until answered: the copies after
 * the one that wrote the record expect the record before it. Asking for
 * the record as it already is, they are renewals (issue 15, kind 3);
 * anything else they would change is still a conflict.
 */
TEST_F(store, a_takeover_sent_again_after_it_was_written_is_a_renewal)
{
	struct wire_record m1 = record("m1", 1, 1), m2 = record("m2", 2, 2);

	EXPECT_EQ(WITNESS_DONE, CAS("m1", 1000, 0, 0, &m1));
	EXPECT_EQ(WITNESS_DONE, CAS("m2", 1600, 1, 1, &m2)) TH_LOG("the lease ran out");
	EXPECT_EQ(WITNESS_DONE, CAS("m2", 1900, 1, 1, &m2)) TH_LOG("its copy");
	EXPECT_EQ(500, self->left) TH_LOG("the lease counts from the copy");
	EXPECT_EQ(500 * 1000000u / 1001000u, self->granted);
	EXPECT_EQ(WITNESS_STALE_EPOCH, CAS("m1", 1900, 0, 0, &m1)) TH_LOG("m1's, older");
	m2.generation = 3;
	EXPECT_EQ(WITNESS_DONE, CAS("m2", 2000, 2, 2, &m2));
	m2.generation = 2;
	EXPECT_EQ(WITNESS_CONFLICT, CAS("m2", 2100, 1, 1, &m2))
		TH_LOG("a copy of the takeover after a move: the record is not the one it asks for");
	EXPECT_EQ(3, self->cur.generation);
}

TEST_F(store, records_survive_a_restart_with_a_full_lease)
{
	struct wire_record m1 = record("m1", 4, 9), m2 = record("m2", 5, 10);
	char error[128];

	ASSERT_EQ(WITNESS_DONE, CAS("m1", 1000, 0, 0, &m1));
	ASSERT_EQ(0, witness_store_init(&self->store, self->dir, self->run, "demo", "h1", &lease_500, 50,
					error, sizeof(error)));
	ASSERT_EQ(WITNESS_DONE, witness_store_read(&self->store, 50, &self->cur, &self->left));
	EXPECT_EQ(9, self->cur.generation);
	EXPECT_EQ(500, self->left) TH_LOG("counted from the restart");
	EXPECT_EQ(WITNESS_LEASE_HELD, CAS("m2", 300, 4, 9, &m2));
	EXPECT_EQ(WITNESS_DONE, CAS("m2", 550, 4, 9, &m2));
}

static void damage(const char *path, long at, const char *with, bool truncate_there)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0)
		abort();
	if (truncate_there) {
		if (ftruncate(fd, at))
			abort();
	} else if (pwrite(fd, with, strlen(with), at) < 0) {
		abort();
	}
	close(fd);
}

TEST_F(store, damaged_files_are_reported_and_never_used)
{
	struct wire_record m1 = record("m1", 1, 1), m2 = record("m2", 2, 2);
	long cuts[] = { 0, 10, 40, 100, 150 };
	unsigned int i;

	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		unlink(self->store.file.path);
		unlink(self->store.file.copy_path);
		restart(_metadata, self, 1000);
		ASSERT_EQ(WITNESS_DONE, CAS("m1", 1000, 0, 0, &m1));
		damage(self->store.file.path, cuts[i], NULL, true);
		EXPECT_EQ(WITNESS_CORRUPT, witness_store_read(&self->store, 5000, &self->cur, &self->left))
			TH_LOG("truncated at %ld", cuts[i]);
		EXPECT_EQ(WITNESS_CORRUPT, CAS("m2", 5000, 1, 1, &m2));
		EXPECT_EQ(0, self->cur.epoch) TH_LOG("nothing of it is reported as the record");
	}
	unlink(self->store.file.path);
	unlink(self->store.file.copy_path);
	restart(_metadata, self, 1000);
	ASSERT_EQ(WITNESS_DONE, CAS("m1", 1000, 0, 0, &m1));
	damage(self->store.file.path, 49, "9", false);	/* "epoch 1" becomes "epoch 9" */
	EXPECT_EQ(WITNESS_CORRUPT, witness_store_read(&self->store, 5000, &self->cur, &self->left));
	EXPECT_NE(NULL, strstr(self->store.last_problem, "checksum")) TH_LOG("%s", self->store.last_problem);
}

/* Fails the steps listed, each the next time it comes, with an error. */
struct faults {
	enum durable_step steps[2];
	unsigned int n, done;
	int error;
};

static int fail_step(void *ctx, enum durable_step step)
{
	struct faults *f = ctx;

	if (f->done == f->n || step != f->steps[f->done])
		return 0;
	f->done++;
	return f->error;
}

/*
 * Every step of a write can fail: the disk full (ENOSPC at the write),
 * an I/O error (EIO at the fsync), a read-only remount (EROFS at the
 * open), and worst, the directory's fsync after the rename, when the new
 * record is already visible. Each is answered io_error, the answer shows
 * the record as it was, and the next read (and a restarted store) finds
 * that record, with its lease: a failed write never stands as made.
 */
TEST_F(store, a_failed_write_is_answered_as_failed_and_changes_nothing)
{
	struct wire_record m1 = record("m1", 1, 1), m2 = record("m2", 2, 2);
	static const struct { enum durable_step step; int error; } cases[] = {
		{ DURABLE_OPEN, EROFS }, { DURABLE_WRITE, ENOSPC }, { DURABLE_FSYNC, EIO },
		{ DURABLE_RENAME, EIO }, { DURABLE_FSYNC_DIR, EIO },
	};
	struct faults f;
	struct durable_faults hook = { .ctx = &f, .before = fail_step };
	unsigned int i;

	ASSERT_EQ(WITNESS_DONE, CAS("m1", 1000, 0, 0, &m1));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t t = 10000 * (i + 1);

		f = (struct faults){ .steps = { cases[i].step }, .n = 1, .error = cases[i].error };
		self->store.file.faults = &hook;
		/* m1's lease ran out: m2 may take over, but the write fails. */
		EXPECT_EQ(WITNESS_IO_ERROR, CAS("m2", t, 1, 1, &m2)) TH_LOG("step %u", cases[i].step);
		EXPECT_STREQ("m1", self->cur.active) TH_LOG("the answer shows the record as it is");
		EXPECT_EQ(1, self->cur.epoch);
		EXPECT_EQ(WITNESS_DONE, witness_store_read(&self->store, t, &self->cur, &self->left));
		EXPECT_STREQ("m1", self->cur.active) TH_LOG("step %u: the next read", cases[i].step);
		EXPECT_EQ(1, self->cur.epoch);
		self->store.file.faults = NULL;
		restart(_metadata, self, t + 1000);
		EXPECT_EQ(WITNESS_DONE, witness_store_read(&self->store, t + 1000, &self->cur,
							   &self->left));
		EXPECT_STREQ("m1", self->cur.active) TH_LOG("step %u: after a restart", cases[i].step);
		EXPECT_EQ(500, self->left) TH_LOG("and a restarted store counts its lease again");
	}
	/* The fsync of the directory fails, and so does putting m1 back: the
	 * file holds m2's record, which was never granted. The store notices
	 * at the next request, and writes m1's again. */
	f = (struct faults){ .steps = { DURABLE_FSYNC_DIR, DURABLE_WRITE }, .n = 2, .error = EIO };
	self->store.file.faults = &hook;
	EXPECT_EQ(WITNESS_IO_ERROR, CAS("m2", 90000, 1, 1, &m2));
	self->store.file.faults = NULL;
	EXPECT_EQ(WITNESS_DONE, witness_store_read(&self->store, 90000, &self->cur, &self->left));
	EXPECT_STREQ("m1", self->cur.active);
	EXPECT_EQ(1, self->store.restored);
	EXPECT_EQ(WITNESS_DONE, CAS("m2", 90000, 1, 1, &m2)) TH_LOG("and the disk well again, it works");
}

/*
 * A file that goes back under a running store (a backup restored over it,
 * a write the disk lost, the file removed) does not take back what the
 * store promised: it writes its last record again before it answers, and
 * refuses what the old file would have allowed.
 */
/* The text of the file at @path into @text: a backup. */
static ssize_t back_up(const char *path, char *text, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t len;

	if (fd < 0)
		abort();
	len = read(fd, text, size);
	close(fd);
	return len;
}

/* The backup @text put back over the file at @path. */
static void put_back(const char *path, const char *text, ssize_t len)
{
	int fd = open(path, O_WRONLY | O_TRUNC);

	if (fd < 0 || write(fd, text, (size_t)len) != len)
		abort();
	close(fd);
}

TEST_F(store, a_rolled_back_file_is_put_back_to_what_the_store_promised)
{
	struct wire_record m1 = record("m1", 1, 1), m2 = record("m2", 2, 2);
	struct wire_record m1_again = record("m1", 3, 3);
	char backup[WITNESS_FILE_MAX];
	ssize_t len;

	ASSERT_EQ(WITNESS_DONE, CAS("m1", 1000, 0, 0, &m1));
	len = back_up(self->store.file.path, backup, sizeof(backup));
	ASSERT_EQ(WITNESS_DONE, CAS("m2", 2000, 1, 1, &m2));
	/* The backup of m1's record comes back. */
	put_back(self->store.file.path, backup, len);
	/* m1 asks to take over from the record it last knew: refused. */
	EXPECT_EQ(WITNESS_CONFLICT, CAS("m1", 2100, 1, 1, &m1_again));
	EXPECT_STREQ("m2", self->cur.active);
	EXPECT_EQ(2, self->cur.epoch);
	EXPECT_EQ(1, self->store.restored);
	EXPECT_NE(NULL, strstr(self->store.last_problem, "not the record this store wrote"));
	/* Removed: the same. */
	unlink(self->store.file.path);
	EXPECT_EQ(WITNESS_DONE, witness_store_read(&self->store, 2200, &self->cur, &self->left));
	EXPECT_STREQ("m2", self->cur.active);
	EXPECT_EQ(2, self->store.restored);
}

/*
 * The store restarts on a file that went back while it was down (a backup
 * restored, a write the disk lost): the runtime copy it kept since boot
 * holds the newer record, which it writes back and keeps to. After a
 * reboot there is no copy: then the store cannot know, but it counts any
 * record it finds as leased from its start, for the longest lease it
 * grants (its own lease-ms, if the record says less), so that no lease it
 * granted before can overlap what it grants next.
 */
TEST_F(store, a_restart_on_a_rolled_back_file_keeps_what_the_store_promised)
{
	struct wire_record m1 = record("m1", 1, 1), m2 = record("m2", 2, 2);
	struct wire_record m1_again = record("m1", 3, 2);
	char backup[WITNESS_FILE_MAX];
	ssize_t len;

	ASSERT_EQ(WITNESS_DONE, CAS("m1", 1000, 0, 0, &m1));
	len = back_up(self->store.file.path, backup, sizeof(backup));
	m2.lease_ms = 3000;
	ASSERT_EQ(WITNESS_DONE, CAS("m2", 2000, 1, 1, &m2));
	/* Stopped; m1's record restored over the file; started again. */
	put_back(self->store.file.path, backup, len);
	restart(_metadata, self, 2100);
	EXPECT_EQ(WITNESS_CONFLICT, CAS("m1", 9000, 1, 1, &m1_again));
	EXPECT_STREQ("m2", self->cur.active) TH_LOG("the copy since boot wins");
	EXPECT_EQ(1, self->store.restored);

	/* The same after a reboot: no copy; the lease counts from the start,
	 * for the longer of the record's (500) and lease-ms (now 3000). */
	put_back(self->store.file.path, backup, len);
	unlink(self->store.file.copy_path);
	ASSERT_EQ(0, witness_store_init(&self->store, self->dir, self->run, "demo", "h1", &lease_3000,
					10000, self->error, sizeof(self->error)));
	EXPECT_EQ(WITNESS_LEASE_HELD, CAS("m2", 12500, 1, 1, &m2)) TH_LOG("no holder change");
	EXPECT_EQ(WITNESS_DONE, CAS("m2", 13000, 1, 1, &m2));
}

/*
 * A store grants no longer a lease than its own lease-ms, whatever a
 * manager asks (its configuration may be ahead in a rolling change), and
 * its record keeps the longest lease that may still run while the holder
 * stays: what a restart counts from its start.
 */
TEST_F(store, leases_are_no_longer_than_the_store_keeps)
{
	struct wire_record m1 = record("m1", 1, 1);

	m1.lease_ms = 2000;
	ASSERT_EQ(WITNESS_DONE, CAS("m1", 1000, 0, 0, &m1));
	EXPECT_EQ(500, self->cur.lease_ms);
	EXPECT_EQ(499, self->granted) TH_LOG("500 ms of this clock, within 1000 ppm: 499 true");
	EXPECT_EQ(500, self->left);
	self->store.lease_max_ms = 3000;
	ASSERT_EQ(WITNESS_DONE, CAS("m1", 1100, 1, 1, &m1));
	EXPECT_EQ(2000, self->cur.lease_ms);
	EXPECT_EQ(1998, self->granted);
	m1.lease_ms = 300;
	ASSERT_EQ(WITNESS_DONE, CAS("m1", 1200, 1, 1, &m1));
	EXPECT_EQ(2000, self->cur.lease_ms) TH_LOG("the 2000 ms granted may still run");
	EXPECT_EQ(1900, self->left) TH_LOG("and a shorter renewal does not cut it short");
	restart(_metadata, self, 5000);
	EXPECT_EQ(WITNESS_DONE, witness_store_read(&self->store, 5000, &self->cur, &self->left));
	EXPECT_EQ(2000, self->left) TH_LOG("lease-ms is 500 again, the record says 2000");
}

/*
 * A write that waited its whole asked lease in the store's socket is not
 * answered; one that waited less is, whatever the store's own lease-ms.
 */
TEST(a_write_that_waited_its_whole_lease_is_void)
{
	struct wire_witness q = { .op = WITNESS_OP_CAS, .record = { .lease_ms = 700 } };

	EXPECT_FALSE(witness_cas_expired(&q, 0));
	EXPECT_FALSE(witness_cas_expired(&q, 699));
	EXPECT_TRUE(witness_cas_expired(&q, 700));
	EXPECT_TRUE(witness_cas_expired(&q, 86400000));
	/* No lease asked: the store answers it (bad_request), however late. */
	q.record.lease_ms = 0;
	EXPECT_FALSE(witness_cas_expired(&q, 86400000));
}

TEST(the_file_format_is_strict)
{
	struct wire_record r = { .cluster = "demo", .active = "m1", .epoch = 3, .generation = 4,
				 .lease_ms = 700 }, back;
	char text[WITNESS_FILE_MAX];
	const char *why;
	size_t len;

	len = witness_format(&r, 123, text, sizeof(text));
	ASSERT_GT(len, 0);
	ASSERT_EQ(0, witness_parse(text, len, &back, &why)) TH_LOG("%s", why);
	EXPECT_EQ(4, back.generation);
	EXPECT_EQ(-1, witness_parse(text, len - 1, &back, &why));
	text[len] = 'x';
	EXPECT_EQ(-1, witness_parse(text, len + 1, &back, &why)) TH_LOG("trailing bytes");
	/* Found by fuzz_witness: NUL padding after the checksum, as a torn
	 * write leaves it, compared equal as a C string. */
	len = witness_format(&r, 123, text, sizeof(text));
	memmove(text + len - 1 + 4, text + len - 1, 1);
	memset(text + len - 1, 0, 4);
	EXPECT_EQ(-1, witness_parse(text, len + 4, &back, &why));
	r.epoch = 0;
	len = witness_format(&r, 123, text, sizeof(text));
	EXPECT_EQ(-1, witness_parse(text, len, &back, &why)) TH_LOG("epoch 0 is never written");
}

TEST_HARNESS_MAIN
