// SPDX-License-Identifier: GPL-2.0
/*
 * The arbiter under every row of the failure table, deterministically: two
 * real arbiters and three real witness stores (on temporary directories)
 * in a simulated network with injected time. Each node has its own clock,
 * running fast or slow within the configured drift; messages take 1 to
 * 30 ms, or are lost where links are cut. After every 5 ms step the
 * simulation checks the invariant: at most one manager may act as active
 * (role active and its hold not run out), one manager per epoch, and no
 * store accepts a write from an epoch older than one it already holds.
 */

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arbiter.h"
#include "node.h"
#include "witness.h"
#include "kselftest_harness.h"

#define MANAGERS 2
#define HOSTS 3
#define NODES (MANAGERS + HOSTS)
#define STEP_MS 5
#define QUEUE 4096

static const char *const names[NODES] = { "m1", "m2", "h1", "h2", "h3" };

struct flight {
	uint64_t at;
	int from, to;
	struct wire_message msg;
};

struct sim {
	uint64_t now;			/* true time, ms */
	int64_t rate_ppm[NODES];	/* each node's clock error */
	uint64_t offset[NODES];		/* and its origin */
	bool link[NODES][NODES];	/* from can reach to */
	bool dead[NODES];		/* managers: daemon killed; hosts: relay and store down */
	bool paused[NODES];
	bool suspended[NODES];		/* the whole host sleeps: see suspend_clock() */
	bool busy[NODES];		/* inside a slow call: handles nothing else */
	unsigned int loss_pct;		/* random loss on working links */
	unsigned int seed;

	/* Disks. A manager's persist fails (ENOSPC, EIO, EROFS are alike to
	 * the arbiter), or takes this long; a store's write fails at a step,
	 * or its answer comes this much later. */
	bool disk_fails[MANAGERS];
	unsigned int disk_delay_ms[MANAGERS];
	struct store_fault {
		enum durable_step step;
		int error;		/* 0: none */
	} store_fault[HOSTS];
	struct durable_faults store_hook[HOSTS];
	unsigned int store_delay_ms[HOSTS];

	struct arbiter m[MANAGERS];
	struct arbiter_durable persisted[MANAGERS];
	struct witness_store store[HOSTS];
	char dir[HOSTS][64];

	struct flight queue[QUEUE];
	unsigned int n_queue;

	/* What the checker saw. */
	int epoch_owner[64];
	uint64_t store_max_epoch[HOSTS];
	unsigned int violations;
	char violation[256];
	uint64_t active_since[MANAGERS];	/* true time it last became active */
};

struct view {
	struct sim *sim;
	int self;
};

static struct view views[MANAGERS];

static uint64_t clock_of(const struct sim *s, int node)
{
	return s->offset[node] + s->now + (uint64_t)((int64_t)s->now * s->rate_ppm[node] / 1000000);
}

static unsigned int next_random(struct sim *s)
{
	s->seed = s->seed * 1103515245u + 12345u;
	return (s->seed >> 16) & 0x7fff;
}

/* A manager sees a host available while its relay's reports reach it. */
static bool host_available(void *ctx, const char *host)
{
	struct view *v = ctx;
	int h;

	for (h = MANAGERS; h < NODES; h++)
		if (!strcmp(names[h], host))
			return !v->sim->dead[h] && v->sim->link[h][v->self];
	return false;
}

static bool host_pick(void *ctx, const char *exclude, char host[WIRE_NAME_SIZE])
{
	int h;

	for (h = MANAGERS; h < NODES; h++) {
		if (strcmp(names[h], exclude) && host_available(ctx, names[h])) {
			snprintf(host, WIRE_NAME_SIZE, "%s", names[h]);
			return true;
		}
	}
	return false;
}

static void run_for(struct sim *s, uint64_t ms);

/* Node @i is inside a call that takes @ms: the world goes on without it. */
static void busy_for(struct sim *s, int i, unsigned int ms)
{
	bool was = s->busy[i];

	s->busy[i] = true;
	run_for(s, ms);
	s->busy[i] = was;
}

static int sim_persist(void *ctx, const struct arbiter_durable *state)
{
	struct view *v = ctx;
	struct sim *s = v->sim;

	if (s->disk_delay_ms[v->self])
		busy_for(s, v->self, s->disk_delay_ms[v->self]);
	if (s->disk_fails[v->self])
		return -1;
	s->persisted[v->self] = *state;
	return 0;
}

static uint64_t sim_now(void *ctx)
{
	struct view *v = ctx;

	return clock_of(v->sim, v->self);
}

static int store_fault_before(void *ctx, enum durable_step step)
{
	struct store_fault *f = ctx;

	return f->error && step == f->step ? f->error : 0;
}

static const struct arbiter_timing timing = {
	.heartbeat_ms = 100, .grace_ms = 500, .lease_ms = 700,
	.drift_ppm = 1000, .margin_ms = 20,
};

static void start_manager(struct sim *s, int i)
{
	struct arbiter *a = &s->m[i];

	memset(a, 0, sizeof(*a));
	snprintf(a->cluster, sizeof(a->cluster), "demo");
	snprintf(a->self, sizeof(a->self), "%s", names[i]);
	snprintf(a->peer, sizeof(a->peer), "%s", names[1 - i]);
	a->preferred = i == 0;
	a->timing = timing;
	views[i].sim = s;
	views[i].self = i;
	a->io = (struct arbiter_io){ .ctx = &views[i], .available = host_available,
				     .pick = host_pick, .persist = sim_persist, .now = sim_now };
	arbiter_init(a, clock_of(s, i),
		     s->persisted[i].agreed.host[0] ? &s->persisted[i].agreed : NULL);
	s->dead[i] = false;
	s->paused[i] = false;
}

static struct sim *sim_new(unsigned int seed)
{
	struct sim *s = calloc(1, sizeof(*s));
	char error[128];
	int i, j;

	if (!s)
		abort();
	s->seed = seed;
	s->now = 1000;
	for (i = 0; i < NODES; i++) {
		/* Clocks within +-900 ppm of true: inside the 1000 ppm bound. */
		s->rate_ppm[i] = (int64_t)(next_random(s) % 1801) - 900;
		s->offset[i] = 1000000ull * (unsigned int)(i + 1);
		for (j = 0; j < NODES; j++)
			s->link[i][j] = true;
	}
	for (i = 0; i < 64; i++)
		s->epoch_owner[i] = -1;
	for (i = 0; i < HOSTS; i++) {
		snprintf(s->dir[i], sizeof(s->dir[i]), "/tmp/arbiter_test.XXXXXX");
		if (!mkdtemp(s->dir[i]))
			abort();
		if (witness_store_init(&s->store[i], s->dir[i], "demo",
				       clock_of(s, MANAGERS + i), error, sizeof(error)))
			abort();
		s->store_hook[i] = (struct durable_faults){ .ctx = &s->store_fault[i],
							    .before = store_fault_before };
		s->store[i].file.faults = &s->store_hook[i];
	}
	for (i = 0; i < MANAGERS; i++)
		start_manager(s, i);
	return s;
}

static void sim_free(struct sim *s)
{
	int i;

	for (i = 0; i < HOSTS; i++) {
		unlink(s->store[i].file.path);
		rmdir(s->dir[i]);
	}
	free(s);
}

static int node_of(const char *name)
{
	int i;

	for (i = 0; i < NODES; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

static void sim_send(struct sim *s, int from, int to, const struct wire_message *msg)
{
	struct flight *f;

	if (to < 0 || !s->link[from][to] || s->n_queue == QUEUE)
		return;
	if (s->loss_pct && next_random(s) % 100 < s->loss_pct)
		return;
	f = &s->queue[s->n_queue++];
	f->at = s->now + 1 + next_random(s) % 30;
	f->from = from;
	f->to = to;
	f->msg = *msg;
	snprintf(f->msg.sender, sizeof(f->msg.sender), "%s", names[from]);
}

static void violation(struct sim *s, const char *what, int a, int b, uint64_t x)
{
	if (!s->violations++)
		snprintf(s->violation, sizeof(s->violation),
			 "at %llu ms: %s (%s, %s, %llu)", (unsigned long long)s->now,
			 what, names[a], names[b], (unsigned long long)x);
}

static void drain(struct sim *s, int i)
{
	struct arbiter *a = &s->m[i];
	unsigned int k;

	for (k = 0; k < a->n_out; k++) {
		struct arbiter_out *out = &a->out[k];

		switch (out->kind) {
		case ARBITER_SEND_PEER:
		case ARBITER_SEND_HOST:
			sim_send(s, i, node_of(out->to), &out->msg);
			break;
		case ARBITER_ROLE_CHANGED:
			/* The role entered, not a->role: it may have moved on. */
			if (out->role == ARBITER_ACTIVE) {
				s->active_since[i] = s->now;
				if (clock_of(s, i) >= out->hold_until_ms)
					violation(s, "entered active with its hold over", i, i,
						  out->epoch);
				if (out->epoch >= 64)
					break;
				if (s->epoch_owner[out->epoch] >= 0 &&
				    s->epoch_owner[out->epoch] != i)
					violation(s, "two managers active in one epoch", i,
						  s->epoch_owner[out->epoch], out->epoch);
				s->epoch_owner[out->epoch] = i;
			}
			break;
		}
	}
	a->n_out = 0;
}

static void serve(struct sim *s, struct flight *f)
{
	int h = f->to - MANAGERS;
	struct wire_message reply = { .type = WIRE_WITNESS_REPLY };
	struct wire_witness *w = &reply.witness;
	uint64_t now = clock_of(s, f->to);
	struct wire_record before = s->store[h].truth;
	uint64_t restored = s->store[h].restored;

	w->op = f->msg.witness.op;
	w->token = f->msg.witness.token;
	if (f->msg.type == WIRE_WITNESS_READ) {
		w->status = witness_store_read(&s->store[h], now, &w->record,
					       &w->lease_left_ms);
	} else {
		const struct wire_record *p = &f->msg.witness.record;

		w->status = witness_store_cas(&s->store[h], names[f->from], now,
					      f->msg.witness.expect_epoch,
					      f->msg.witness.expect_generation,
					      p, &w->record, &w->lease_left_ms);
		if (w->status == WITNESS_DONE) {
			if (p->epoch < s->store_max_epoch[h])
				violation(s, "a store accepted an older epoch", f->from,
					  f->to, p->epoch);
			s->store_max_epoch[h] = p->epoch;
		}
	}
	if (!w->record.cluster[0])
		snprintf(w->record.cluster, sizeof(w->record.cluster), "demo");
	/* A slow disk: what wrote answers late, and the store is busy till then. */
	if (s->store_delay_ms[h] && (memcmp(&before, &s->store[h].truth, sizeof(before)) ||
				     restored != s->store[h].restored))
		busy_for(s, f->to, s->store_delay_ms[h]);
	sim_send(s, f->to, f->from, &reply);
}

static bool running(const struct sim *s, int node)
{
	return !s->dead[node] && !s->paused[node] && !s->suspended[node] && !s->busy[node];
}

/* A suspended host's services sleep with it: it acts again once it wakes. */
static bool acting(const struct sim *s, int i)
{
	return !s->dead[i] && !s->suspended[i] && s->m[i].role == ARBITER_ACTIVE &&
	       clock_of(s, i) < arbiter_hold_until(&s->m[i]);
}

/*
 * While a host is suspended, the clock the daemons count on goes on only
 * if it counts suspended time (CLOCK_BOOTTIME does, CLOCK_MONOTONIC does
 * not): the simulated clock follows whatever node.h chose.
 */
static void suspend_clock(struct sim *s)
{
	int i;

	for (i = 0; i < NODES; i++)
		if (s->suspended[i] && NODE_CLOCK != CLOCK_BOOTTIME)
			s->offset[i] -= STEP_MS;
}

static void step(struct sim *s)
{
	unsigned int k;
	int i;

	s->now += STEP_MS;
	suspend_clock(s);
	/* A daemon handles its timers first, then what arrived. */
	for (i = 0; i < MANAGERS; i++) {
		if (running(s, i) && clock_of(s, i) >= arbiter_next_ms(&s->m[i])) {
			arbiter_tick(&s->m[i], clock_of(s, i));
			drain(s, i);
		}
	}
	for (k = 0; k < s->n_queue;) {
		struct flight f = s->queue[k];

		if (f.at > s->now || s->paused[f.to] || s->busy[f.to]) {
			k++;
			continue;
		}
		s->queue[k] = s->queue[--s->n_queue];
		/* A sleeping host's network card hears nothing either. */
		if (s->dead[f.to] || s->suspended[f.to])
			continue;
		if (f.to >= MANAGERS) {
			serve(s, &f);
		} else {
			arbiter_receive(&s->m[f.to], clock_of(s, f.to), &f.msg);
			drain(s, f.to);
		}
	}
	if (acting(s, 0) && acting(s, 1))
		violation(s, "two managers act as active at once", 0, 1, s->m[0].epoch);
}

static void run_for(struct sim *s, uint64_t ms)
{
	uint64_t end = s->now + ms;

	while (s->now < end)
		step(s);
}

/* Runs until @i is active, or @limit ms; returns the time it took. */
static uint64_t run_until_active(struct sim *s, int i, uint64_t limit)
{
	uint64_t start = s->now;

	while (s->now - start < limit && !acting(s, i))
		step(s);
	return s->now - start;
}

static void cut(struct sim *s, int a, int b)
{
	s->link[a][b] = s->link[b][a] = false;
}

static void isolate(struct sim *s, int a)
{
	int i;

	for (i = 0; i < NODES; i++)
		if (i != a)
			cut(s, a, i);
}

static int witness_node(const struct sim *s, int i)
{
	return node_of(s->m[i].agreed.host);
}

/* Both formed: m1 active, m2 standby, one witness written by both's agreement. */
static void formed(struct __test_metadata *_metadata, struct sim *s)
{
	run_until_active(s, 0, 5000);
	run_for(s, 1000);
	ASSERT_TRUE(acting(s, 0)) TH_LOG("%s", s->m[0].reason);
	ASSERT_EQ(ARBITER_STANDBY, s->m[1].role) TH_LOG("%s", s->m[1].reason);
	ASSERT_EQ(1, s->m[0].epoch);
	ASSERT_STREQ(s->m[0].agreed.host, s->m[1].agreed.host);
	ASSERT_EQ(s->m[0].agreed.generation, s->m[1].agreed.generation);
}

#define NO_VIOLATION(s) EXPECT_EQ(0, (s)->violations) TH_LOG("%s", (s)->violation)

TEST(both_start_and_the_preferred_becomes_active)
{
	struct sim *s = sim_new(1);
	formed(_metadata, s);
	EXPECT_EQ(1, s->m[0].agreed.generation);
	/* Both wrote down the witness they agreed on. */
	EXPECT_STREQ(s->m[0].agreed.host, s->persisted[0].agreed.host);
	EXPECT_STREQ(s->m[0].agreed.host, s->persisted[1].agreed.host);
	NO_VIOLATION(s);
	sim_free(s);
}

TEST(a_lone_manager_without_a_witness_never_becomes_active)
{
	struct sim *s = sim_new(2);
	s->dead[1] = true;
	run_for(s, 10000);
	EXPECT_EQ(ARBITER_FAULT, s->m[0].role) TH_LOG("%s", s->m[0].reason);
	NO_VIOLATION(s);
	sim_free(s);
}

TEST(active_dies_and_the_standby_takes_over_at_the_next_epoch)
{
	struct sim *s = sim_new(3);
	uint64_t took;

	formed(_metadata, s);
	s->dead[0] = true;
	took = run_until_active(s, 1, 5000);
	ASSERT_TRUE(acting(s, 1)) TH_LOG("%s", s->m[1].reason);
	EXPECT_EQ(2, s->m[1].epoch);
	/* Not before the lease could have run out at the witness-> */
	EXPECT_GE(took, timing.lease_ms - 100);
	EXPECT_LE(took, timing.lease_ms + timing.grace_ms + 300);
	TH_LOG("failover took %llu ms", (unsigned long long)took);
	NO_VIOLATION(s);
	sim_free(s);
}

TEST(standby_dies_and_the_active_stays)
{
	struct sim *s = sim_new(4);
	formed(_metadata, s);
	s->dead[1] = true;
	run_for(s, 10000);
	EXPECT_TRUE(acting(s, 0)) TH_LOG("%s", s->m[0].reason);
	EXPECT_EQ(1, s->m[0].epoch);
	NO_VIOLATION(s);
	sim_free(s);
}

TEST(witness_dies_and_both_agree_on_a_new_one)
{
	struct sim *s = sim_new(5);
	int old;

	formed(_metadata, s);
	old = witness_node(s, 0);
	s->dead[old] = true;
	run_for(s, 3000);
	EXPECT_TRUE(acting(s, 0)) TH_LOG("%s", s->m[0].reason);
	EXPECT_NE(old, witness_node(s, 0));
	EXPECT_STREQ(s->m[0].agreed.host, s->m[1].agreed.host);
	EXPECT_EQ(2, s->m[0].agreed.generation);
	EXPECT_TRUE(s->m[0].agreed_written);
	/* And the new witness carries a failover. */
	s->dead[0] = true;
	run_until_active(s, 1, 5000);
	EXPECT_TRUE(acting(s, 1)) TH_LOG("%s", s->m[1].reason);
	NO_VIOLATION(s);
	sim_free(s);
}

TEST(partition_between_managers_keeps_the_active_by_its_lease)
{
	struct sim *s = sim_new(6);
	formed(_metadata, s);
	cut(s, 0, 1);
	run_for(s, 10000);
	EXPECT_TRUE(acting(s, 0)) TH_LOG("%s", s->m[0].reason);
	EXPECT_NE(ARBITER_ACTIVE, s->m[1].role) TH_LOG("%s", s->m[1].reason);
	NO_VIOLATION(s);
	sim_free(s);
}

TEST(partition_between_active_and_witness_moves_the_witness)
{
	struct sim *s = sim_new(7);
	int old;

	formed(_metadata, s);
	old = witness_node(s, 0);
	cut(s, 0, old);
	run_for(s, 5000);
	EXPECT_TRUE(acting(s, 0)) TH_LOG("%s", s->m[0].reason);
	EXPECT_NE(old, witness_node(s, 0));
	EXPECT_STREQ(s->m[0].agreed.host, s->m[1].agreed.host);
	NO_VIOLATION(s);
	sim_free(s);
}

TEST(partition_between_standby_and_witness_changes_nothing)
{
	struct sim *s = sim_new(8);
	int old;

	formed(_metadata, s);
	old = witness_node(s, 0);
	cut(s, 1, old);
	run_for(s, 5000);
	EXPECT_TRUE(acting(s, 0));
	EXPECT_EQ(ARBITER_STANDBY, s->m[1].role);
	EXPECT_EQ(1, s->m[0].epoch);
	NO_VIOLATION(s);
	sim_free(s);
}

TEST(isolated_active_steps_down_before_the_standby_takes_over)
{
	struct sim *s = sim_new(9);
	formed(_metadata, s);
	isolate(s, 0);
	run_until_active(s, 1, 5000);
	EXPECT_TRUE(acting(s, 1)) TH_LOG("%s", s->m[1].reason);
	EXPECT_EQ(ARBITER_FAULT, s->m[0].role) TH_LOG("%s", s->m[0].reason);
	EXPECT_EQ(2, s->m[1].epoch);
	NO_VIOLATION(s);
	sim_free(s);
}

TEST(isolated_standby_leaves_the_active_alone)
{
	struct sim *s = sim_new(10);
	formed(_metadata, s);
	isolate(s, 1);
	run_for(s, 5000);
	EXPECT_TRUE(acting(s, 0));
	EXPECT_EQ(ARBITER_FAULT, s->m[1].role);
	NO_VIOLATION(s);
	sim_free(s);
}

TEST(all_links_cut_leaves_no_active)
{
	struct sim *s = sim_new(11);
	int i;

	formed(_metadata, s);
	for (i = 0; i < NODES; i++)
		isolate(s, i);
	run_for(s, 5000);
	EXPECT_FALSE(acting(s, 0)) TH_LOG("%s", s->m[0].reason);
	EXPECT_FALSE(acting(s, 1)) TH_LOG("%s", s->m[1].reason);
	NO_VIOLATION(s);
	sim_free(s);
}

TEST(old_active_returns_and_rejoins_as_standby)
{
	struct sim *s = sim_new(12);
	formed(_metadata, s);
	s->dead[0] = true;
	run_until_active(s, 1, 5000);
	ASSERT_TRUE(acting(s, 1));
	start_manager(s, 0);	/* restarts with what it persisted */
	run_for(s, 3000);
	EXPECT_EQ(ARBITER_STANDBY, s->m[0].role) TH_LOG("%s", s->m[0].reason);
	EXPECT_EQ(2, s->m[0].epoch);
	EXPECT_TRUE(acting(s, 1));
	NO_VIOLATION(s);
	sim_free(s);
}

TEST(paused_active_wakes_after_its_lease_and_steps_down)
{
	struct sim *s = sim_new(13);
	formed(_metadata, s);
	s->paused[0] = true;
	run_until_active(s, 1, 5000);
	ASSERT_TRUE(acting(s, 1));
	run_for(s, 2000);
	s->paused[0] = false;
	run_for(s, 2000);
	EXPECT_EQ(ARBITER_STANDBY, s->m[0].role) TH_LOG("%s", s->m[0].reason);
	EXPECT_TRUE(acting(s, 1));
	EXPECT_EQ(2, s->m[0].epoch);
	NO_VIOLATION(s);
	sim_free(s);
}

/*
 * A host suspended while active (a laptop lid, a VM paused by its
 * hypervisor's suspend) wakes with its old hold: counted on a clock that
 * stopped while it slept, the hold would still look valid beside the new
 * active. Counted on CLOCK_BOOTTIME it has run out, and the daemon steps
 * down before it acts.
 */
TEST(a_host_suspended_while_active_wakes_with_its_hold_over)
{
	struct sim *s = sim_new(16);

	formed(_metadata, s);
	s->suspended[0] = true;
	run_until_active(s, 1, 5000);
	ASSERT_TRUE(acting(s, 1)) TH_LOG("%s", s->m[1].reason);
	run_for(s, 2000);
	s->suspended[0] = false;
	run_for(s, 2000);
	NO_VIOLATION(s);
	EXPECT_TRUE(acting(s, 1));
	EXPECT_NE(ARBITER_ACTIVE, s->m[0].role) TH_LOG("%s", s->m[0].reason);
	sim_free(s);
}

/*
 * The standby's disk fills up while the witness moves. Its yes to the new
 * witness is a promise to fail over only through it, restarts included:
 * not written, not given. Had it said yes anyway, the active would stop
 * counting the old witness's lease, and the standby, restarted cut off
 * from the active, would take over through the old one beside it.
 */
TEST(a_standby_that_cannot_write_down_a_new_witness_does_not_agree)
{
	struct sim *s = sim_new(17);
	int old;

	formed(_metadata, s);
	old = witness_node(s, 0);
	s->disk_fails[1] = true;
	s->dead[old] = true;
	run_for(s, 3000);
	EXPECT_TRUE(acting(s, 0)) TH_LOG("on the standby's promise: %s", s->m[0].reason);
	EXPECT_EQ(old, witness_node(s, 1)) TH_LOG("%s", s->m[1].reason);
	EXPECT_LT(0, s->m[1].persist_failed);
	/* The standby restarts cut off from the active; the old witness is
	 * back, and the active renews its lease there again. */
	cut(s, 0, 1);
	run_for(s, 40);
	s->dead[1] = true;
	start_manager(s, 1);
	s->dead[old] = false;
	run_for(s, 5000);
	NO_VIOLATION(s);
	EXPECT_TRUE(acting(s, 0)) TH_LOG("%s", s->m[0].reason);
	EXPECT_FALSE(acting(s, 1)) TH_LOG("%s", s->m[1].reason);
	sim_free(s);
}

/*
 * A witness store whose fsync takes 800 ms answers the takeover after the
 * hold it grants (counted from the request's send) has run out. The new
 * active must not act on it; renewing the record, which writes nothing,
 * then gives it a hold it can act on.
 */
TEST(a_takeover_answered_after_its_hold_is_not_acted_on)
{
	struct sim *s = sim_new(18);

	formed(_metadata, s);
	s->store_delay_ms[witness_node(s, 0) - MANAGERS] = 800;
	s->dead[0] = true;
	run_until_active(s, 1, 10000);
	NO_VIOLATION(s);
	EXPECT_TRUE(acting(s, 1)) TH_LOG("%s", s->m[1].reason);
	EXPECT_EQ(2, s->m[1].epoch);
	sim_free(s);
}

/*
 * Both managers' disks take a second per write while the witness moves,
 * the active dies, and the cluster forms again: nothing a manager does
 * after a slow write may happen outside its hold. (Safe, not live: with
 * writes slower than grace-ms, a witness cannot move; see
 * Documentation/arbitration.rst.)
 */
TEST(a_manager_on_a_slow_disk_never_acts_outside_its_hold)
{
	struct sim *s = sim_new(19);

	formed(_metadata, s);
	s->disk_delay_ms[0] = s->disk_delay_ms[1] = 1000;
	s->dead[witness_node(s, 0)] = true;
	run_for(s, 5000);
	s->dead[0] = true;
	run_for(s, 5000);
	start_manager(s, 0);
	run_for(s, 10000);
	NO_VIOLATION(s);
	sim_free(s);
}

TEST(a_corrupt_witness_file_is_never_a_way_to_take_over)
{
	struct sim *s = sim_new(14);
	int w;
	FILE *f;

	formed(_metadata, s);
	w = witness_node(s, 0) - MANAGERS;
	f = fopen(s->store[w].file.path, "r+");
	ASSERT_NE(NULL, f);
	fseek(f, 30, SEEK_SET);
	fputc('X', f);
	fclose(f);
	/* Both managers still talk: the active moves to a sound witness-> */
	run_for(s, 3000);
	EXPECT_TRUE(acting(s, 0)) TH_LOG("%s", s->m[0].reason);
	EXPECT_NE(w + MANAGERS, witness_node(s, 0));
	NO_VIOLATION(s);
	sim_free(s);
}

/*
 * Found by spin: the active holds on the standby's promise alone (it lost
 * the witness, and no other host is left to move to), when the standby
 * crashes, restarts, and hears nothing more from it. The restarted standby
 * must keep the promise it no longer remembers: grace-ms from its start.
 */
TEST(a_restarted_standby_keeps_the_promise_it_forgot)
{
	struct sim *s = sim_new(15);
	int w, h;

	formed(_metadata, s);
	w = witness_node(s, 0);
	for (h = MANAGERS; h < NODES; h++)
		if (h != w)
			s->dead[h] = true;
	cut(s, 0, w);
	run_for(s, 2000);
	ASSERT_TRUE(acting(s, 0)) TH_LOG("on the standby's promise: %s", s->m[0].reason);
	/* Cut first, and let what is in flight land, so that the restarted
	 * standby never hears the active. */
	cut(s, 0, 1);
	run_for(s, 40);
	ASSERT_TRUE(acting(s, 0));
	s->dead[1] = true;
	start_manager(s, 1);
	run_for(s, 3000);
	NO_VIOLATION(s);
	EXPECT_TRUE(acting(s, 1)) TH_LOG("and then it takes over: %s", s->m[1].reason);
	sim_free(s);
}

TEST(random_faults_never_give_two_actives)
{
	unsigned int seed, actives = 0;
	int round, a, b;

	for (seed = 100; seed < 140; seed++) {
		struct sim *s = sim_new(seed);

		s->loss_pct = 5;
		for (round = 0; round < 40; round++) {
			a = (int)(next_random(s) % NODES);
			b = (int)(next_random(s) % NODES);
			switch (next_random(s) % 6) {
			case 0:
				if (a != b)
					s->link[a][b] = !s->link[a][b];
				break;
			case 1:
				if (a < MANAGERS && s->dead[a])
					start_manager(s, a);
				else
					s->dead[a] = !s->dead[a];
				break;
			case 2:
				s->paused[a] = !s->paused[a];
				break;
			default:
				/* Heal everything now and then. */
				if (next_random(s) % 3 == 0) {
					memset(s->link, 1, sizeof(s->link));
					for (a = 0; a < NODES; a++) {
						s->paused[a] = false;
						if (s->dead[a] && a < MANAGERS)
							start_manager(s, a);
						s->dead[a] = false;
					}
				}
			}
			run_for(s, 100 + next_random(s) % 1500);
			actives += acting(s, 0) + acting(s, 1);
		}
		EXPECT_EQ(0, s->violations) TH_LOG("seed %u: %s", seed, s->violation);
		sim_free(s);
	}
	/* The faults must not have kept everyone passive all along. */
	EXPECT_GT(actives, 100);
}

/*
 * A daemon drains after each call, but one call (a tick, then a datagram
 * in the same pass) can change the role twice: each change must say the
 * role it entered, or a hook and the log hear "standby" twice and a brief
 * "active" could go unrecorded.
 */
TEST(each_role_change_reports_the_role_it_entered)
{
	struct wire_message hb = { .type = WIRE_HEARTBEAT };
	static struct arbiter a;
	unsigned int i, n = 0;
	enum arbiter_role seen[ARBITER_OUTBOX];

	snprintf(a.self, sizeof(a.self), "m2");
	snprintf(a.peer, sizeof(a.peer), "m1");
	a.timing = timing;
	arbiter_init(&a, 1000, NULL);
	snprintf(hb.sender, sizeof(hb.sender), "m1");
	hb.heartbeat.role = ARBITER_STANDBY;
	hb.heartbeat.token = 1;
	arbiter_receive(&a, 1000, &hb);			/* startup -> standby */
	a.n_out = 0;
	arbiter_tick(&a, 1000 + timing.grace_ms + 1);	/* peer silent: fault */
	hb.heartbeat.token = 2;
	arbiter_receive(&a, 1000 + timing.grace_ms + 2, &hb);	/* standby again */

	for (i = 0; i < a.n_out; i++)
		if (a.out[i].kind == ARBITER_ROLE_CHANGED)
			seen[n++] = a.out[i].role;
	ASSERT_EQ(2, n);
	EXPECT_EQ(ARBITER_FAULT, seen[0]);
	EXPECT_EQ(ARBITER_STANDBY, seen[1]);
	EXPECT_EQ(ARBITER_STANDBY, a.role);
}

TEST(timing_is_checked_against_its_rules)
{
	struct arbiter_timing t = timing;
	char why[200];

	EXPECT_EQ(0, arbiter_timing_check(&t, why, sizeof(why)));
	t.lease_ms = 200;
	EXPECT_EQ(-1, arbiter_timing_check(&t, why, sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "lease-ms 200"));
	t = timing;
	t.grace_ms = 150;
	EXPECT_EQ(-1, arbiter_timing_check(&t, why, sizeof(why)));
	t = timing;
	t.drift_ppm = 200000;
	EXPECT_EQ(-1, arbiter_timing_check(&t, why, sizeof(why)));
	t = timing;
	t.heartbeat_ms = 0;
	EXPECT_EQ(-1, arbiter_timing_check(&t, why, sizeof(why)));
	/* 700 ms shrunk by 2 x 1000 ppm and 20 ms-> */
	EXPECT_EQ(678, arbiter_hold_ms(&timing, 700));
}

TEST_HARNESS_MAIN
