// SPDX-License-Identifier: GPL-2.0
/*
 * manager.c's load_state() and setup_arbiter() on real files (helper-89's
 * h95): the state file and its runtime copy merged at a start, as the
 * daemon does.
 * manager.c is included, its static functions called as they are; the
 * daemon's loop is not run (node, sockets and hooks are not set up).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../cluster/manager.c"
#include "kselftest_harness.h"

static const struct arbiter_timing test_timing = {
	.heartbeat_ms = 100, .grace_ms = 500, .lease_ms = 700,
	.drift_ppm = 1000, .margin_ms = 20,
};

FIXTURE(m1) {
	char dir[64];
	char state[80], run[80];
	struct manager *m;
};

FIXTURE_SETUP(m1)
{
	struct conf *c;

	snprintf(self->dir, sizeof(self->dir), "/tmp/manager_state_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->state, sizeof(self->state), "%s/state", self->dir);
	snprintf(self->run, sizeof(self->run), "%s/run", self->dir);
	ASSERT_EQ(0, mkdir(self->state, 0700));
	ASSERT_EQ(0, mkdir(self->run, 0700));
	self->m = calloc(1, sizeof(*self->m));
	ASSERT_NE(NULL, self->m);
	c = &self->m->node.conf;
	snprintf(c->cluster, sizeof(c->cluster), "demo");
	snprintf(c->node, sizeof(c->node), "m1");
	snprintf(c->managers[0].name, sizeof(c->managers[0].name), "m1");
	snprintf(c->managers[1].name, sizeof(c->managers[1].name), "m2");
	c->n_managers = 2;
	c->timing = test_timing;
	ASSERT_EQ(0, durable_file_init(&self->m->state, self->state, "demo.agreed", self->run,
				       "m1@demo.agreed", 0600));
}

FIXTURE_TEARDOWN(m1)
{
	char command[128];

	free(self->m);
	snprintf(command, sizeof(command), "rm -rf %s", self->dir);
	if (system(command))
		abort();
}

/* @state as the state file's text at @path (the file, or its copy). */
static void put(const char *path, const struct arbiter_durable *state)
{
	char text[AGREED_TEXT_SIZE];
	int len = agreed_format(state, text, sizeof(text));

	if (durable_replace_file(path, text, (size_t)len, 0600))
		abort();
}

static struct arbiter_durable at(const char *host, uint64_t epoch, uint64_t generation)
{
	struct arbiter_durable d = { .epoch = epoch, .promise_ms = 500 };

	snprintf(d.agreed.host, sizeof(d.agreed.host), "%s", host);
	d.agreed.epoch = epoch;
	d.agreed.generation = generation;
	return d;
}

/* m1 alone (m2 dead), ticked @ms from @from: whether it asked its witness to hand over. */
static bool asks_to_take_over(struct arbiter *a, uint64_t from, uint64_t ms)
{
	uint64_t t;

	for (t = from; t < from + ms; t += 50) {
		arbiter_tick(a, t);
		a->n_out = 0;	/* nothing is sent: no node */
		if (strstr(a->reason, "asking witness"))
			return true;
	}
	return false;
}

/*
 * h95 v1. The state directory went back (a backup restored over it: the
 * case the runtime copy is kept for): the file holds witness h1 at epoch
 * 3, the copy h1 at epoch 5. At the start the write-back of the newer
 * state fails when @fails (here the file's temporary name is taken by a
 * directory; in life ENOSPC or EIO, once), then the disk heals. Before
 * (c03b76b), load_state() then returned false and setup_arbiter()
 * started the arbiter from nothing: no agreed witness, no epoch claimed,
 * though the file and the copy both held one. The write was never tried
 * again (write_failed_ms is 0 after arbiter_init()), so with m2 dead, m1
 * waited "for the cluster to form" for ever; and its next write of state
 * replaced the file's witness and epoch with none. Now the merged state
 * is kept in memory and the write-back tried again
 * (arbiter_state_unwritten()): m1 asks h1 to hand over once its promise
 * ends, and the file holds epoch 5 or more by then.
 */
static void rolled_back_start(struct __test_metadata *_metadata, struct manager *m, bool fails)
{
	struct arbiter_durable file = at("h1", 3, 1), copy = at("h1", 5, 2);
	uint64_t now;

	put(m->state.path, &file);
	put(m->state.copy_path, &copy);
	if (fails)
		ASSERT_EQ(0, mkdir(m->state.tmp_path, 0700));
	setup_arbiter(m);
	now = m->arbiter.started_ms;
	EXPECT_STREQ("h1", m->arbiter.agreed.host)
		TH_LOG("the arbiter started from nothing: reason \"%s\"", m->arbiter.reason);
	EXPECT_EQ(5, m->arbiter.durable.epoch);
	if (fails)
		ASSERT_EQ(0, rmdir(m->state.tmp_path));
	EXPECT_TRUE(asks_to_take_over(&m->arbiter, now, 10000))
		TH_LOG("m1 alone, never takes over: %s", m->arbiter.reason);
	EXPECT_TRUE(load_copy(m, false, &file));
	EXPECT_LE(5, file.epoch) TH_LOG("the file was not written back");
}

TEST_F(m1, a_start_whose_write_back_fails_keeps_what_file_and_copy_hold)
{
	rolled_back_start(_metadata, self->m, true);
}

/* The control: the same start with the write-back taken (passed before too). */
TEST_F(m1, a_start_whose_write_back_works_takes_over_alone)
{
	rolled_back_start(_metadata, self->m, false);
}

/*
 * The file went back to before a no m1 said to m2's move (a backup
 * restored), the runtime copy holds it: the start writes the no back
 * too, not only a newer witness, epoch or promise (helper-89: a reboot
 * before m1's next write lost it, and a late copy of the proposal could
 * then get a yes). Failed before: the file kept no refusal.
 */
TEST_F(m1, a_start_writes_back_a_refusal_the_file_lost)
{
	struct arbiter_durable file = at("h1", 3, 1), copy = file, now_on_disk;
	struct manager *m = self->m;

	copy.refused_epoch = 4;
	copy.refused_generation = 2;
	put(m->state.path, &file);
	put(m->state.copy_path, &copy);
	setup_arbiter(m);
	ASSERT_TRUE(load_copy(m, false, &now_on_disk));
	EXPECT_EQ(4, now_on_disk.refused_epoch);
	EXPECT_EQ(2, now_on_disk.refused_generation);
	EXPECT_EQ(4, m->arbiter.durable.refused_epoch);
}

/* Fails the steps numbered in @fail (counted across calls, from 0). */
struct step_faults {
	unsigned int n;
	unsigned int fail[4];
	unsigned int n_fail;
};

static int fail_steps(void *ctx, enum durable_step step)
{
	struct step_faults *f = ctx;
	unsigned int i, n = f->n++;

	(void)step;
	for (i = 0; i < f->n_fail; i++)
		if (f->fail[i] == n)
			return EIO;
	return 0;
}

/*
 * h95 v2. m1 (agreed witness h1) writes down an offer of h2 to m2
 * before sending it; the rename is done but the directory's fsync fails,
 * and putting the old state back fails too (persist-failed
 * old_state=unsure): durable.h says the file may then hold either, and
 * the caller must not trust it. The arbiter does not: the offer was not
 * written, so it was never sent, and m2 cannot have said yes. The
 * runtime copy still holds the state before the offer (no copy is
 * written on a failure). m2 dies and m1 restarts: load_state() merges
 * the file, which still holds the offer, with the copy, and
 * arbiter_durable_newer() keeps "a move offered in either"; the check
 * for a write-back looks at the witness, epoch and promise only, so the
 * offer is taken as m1's own and m1 is in doubt, with no peer left to
 * settle it: no active manager for ever, though m1 could safely take
 * over through h1 (nothing was offered to anyone).
 * Now the move offered is the copy's (arbiter_durable_newer()), and the
 * copy's state is written back over the file's.
 * Failed before: m1 started with the offer open.
 */
TEST_F(m1, an_offer_whose_write_failed_unsure_is_not_found_again_at_a_restart)
{
	struct arbiter_durable before = at("h1", 3, 1), offer;
	struct step_faults faults = { .fail = { 4, 5 }, .n_fail = 2 };
	struct durable_faults hook = { .ctx = &faults, .before = fail_steps };
	struct manager *m = self->m, *again;
	uint64_t now;

	ASSERT_EQ(0, persist(m, &before));
	offer = before;
	snprintf(offer.proposed.host, sizeof(offer.proposed.host), "h2");
	offer.proposed.epoch = 3;
	offer.proposed.generation = 2;
	/* Steps: open, write, fsync, rename, fsync_dir (fails); restore's open (fails). */
	m->state.faults = &hook;
	ASSERT_EQ(-1, persist(m, &offer));
	m->state.faults = NULL;
	/* The restart, m2 dead: a new daemon on the same files. */
	again = calloc(1, sizeof(*again));
	ASSERT_NE(NULL, again);
	again->node.conf = m->node.conf;
	again->state = m->state;
	setup_arbiter(again);
	now = again->arbiter.started_ms;
	EXPECT_FALSE(again->arbiter.proposal.open)
		TH_LOG("m1 starts with the offer of %s open, never sent", again->arbiter.proposal.ref.host);
	EXPECT_TRUE(asks_to_take_over(&again->arbiter, now, 10000))
		TH_LOG("m1 alone, never takes over: %s", again->arbiter.reason);
	EXPECT_TRUE(load_copy(again, false, &offer));
	EXPECT_EQ(0, offer.proposed.host[0]) TH_LOG("the file still offers %s", offer.proposed.host);
	free(again);
}

TEST_HARNESS_MAIN
