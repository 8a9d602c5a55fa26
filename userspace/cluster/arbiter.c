// SPDX-License-Identifier: GPL-2.0
/*
 * The arbiter's decisions. Documentation/arbitration.rst states the rules
 * this file implements, rule by rule; the comments here say which.
 */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "arbiter.h"
#include "witness.h"

const char *arbiter_role_name(enum arbiter_role role)
{
	static const char *const names[ARBITER_ROLES] = {
		[ARBITER_STARTUP] = "startup",
		[ARBITER_STANDBY] = "standby",
		[ARBITER_ACTIVE] = "active",
		[ARBITER_FAULT] = "fault",
	};

	return role < ARBITER_ROLES ? names[role] : "unknown";
}

uint32_t arbiter_true_ms(const struct arbiter_timing *t, uint32_t ms)
{
	return (uint32_t)((uint64_t)ms * 1000000 / (1000000 + t->drift_ppm));
}

uint64_t arbiter_hold_ms(const struct arbiter_timing *t, uint32_t true_ms)
{
	uint64_t shrunk = (uint64_t)true_ms * (1000000 - t->drift_ppm) / 1000000;

	return shrunk > t->margin_ms ? shrunk - t->margin_ms : 0;
}

/* Whether a promise of @promised_ms (the key @name) holds the active too briefly. */
static bool hold_too_short(const struct arbiter_timing *t, const char *name,
			   uint32_t promised_ms, char *why, size_t why_size)
{
	uint64_t hold = arbiter_hold_ms(t, arbiter_true_ms(t, promised_ms));

	if (hold > 2ull * t->heartbeat_ms)
		return false;
	snprintf(why, why_size,
		 "%s %u leaves the active %llu ms after drift and margin: it must be more than 2 x heartbeat-ms (%u)",
		 name, promised_ms, (unsigned long long)hold, 2 * t->heartbeat_ms);
	return true;
}

int arbiter_timing_check(const struct arbiter_timing *t, char *why,
			 size_t why_size)
{
	if (!t->heartbeat_ms || !t->grace_ms || !t->lease_ms || !t->margin_ms) {
		snprintf(why, why_size, "heartbeat-ms, grace-ms, lease-ms and margin-ms must be above 0");
		return -1;
	}
	if (t->drift_ppm > 100000) {
		snprintf(why, why_size, "drift-ppm %u is above 100000 (10%%)", t->drift_ppm);
		return -1;
	}
	if (t->lease_ms > WITNESS_LEASE_MS_MAX) {
		snprintf(why, why_size, "lease-ms %u is above %u", t->lease_ms,
			 WITNESS_LEASE_MS_MAX);
		return -1;
	}
	/*
	 * Each promise, shrunk for drift and margin, must outlast two
	 * heartbeats: one lost renewal or heartbeat must not demote the
	 * active. Safety itself comes from the shrinking, whatever the values.
	 */
	if (hold_too_short(t, "lease-ms", t->lease_ms, why, why_size) ||
	    hold_too_short(t, "grace-ms", t->grace_ms, why, why_size))
		return -1;
	return 0;
}

static void because(struct arbiter *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void because(struct arbiter *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->reason, sizeof(a->reason), fmt, ap);
	va_end(ap);
}

static struct arbiter_out *emit(struct arbiter *a, enum arbiter_out_kind kind,
				const char *to, uint8_t type)
{
	struct arbiter_out *out;

	if (a->n_out == ARBITER_OUTBOX)
		return NULL;	/* the daemon drains after every call; never full */
	out = &a->out[a->n_out++];
	memset(out, 0, sizeof(*out));
	out->kind = kind;
	snprintf(out->to, sizeof(out->to), "%s", to ? to : "");
	out->msg.type = type;
	return out;
}

/* Changes the role, the reason (a->reason) said before: it goes with the change. */
static void set_role(struct arbiter *a, uint64_t now_ms, enum arbiter_role role)
{
	struct arbiter_out *out;

	if (a->role == role)
		return;
	a->role = role;
	a->role_since_ms = now_ms;
	out = emit(a, ARBITER_ROLE_CHANGED, NULL, 0);
	if (out) {
		out->role = role;
		out->epoch = a->epoch;
		out->hold_until_ms = arbiter_hold_until(a);
		memcpy(out->reason, a->reason, sizeof(out->reason));
	}
}

static bool newer(const struct wire_witness_ref *a, uint64_t epoch, uint64_t generation)
{
	return epoch > a->epoch || (epoch == a->epoch && generation > a->generation);
}

bool arbiter_same_witness(const struct wire_witness_ref *a, const struct wire_witness_ref *b)
{
	return !strcmp(a->host, b->host) && a->epoch == b->epoch && a->generation == b->generation;
}

/*
 * Our disk failed the last write we tried, and no write succeeded since
 * (probe_disk() tries again), or one failed within ARBITER_DISK_FAULT_MS.
 * Meanwhile we can claim no epoch and promise nothing at the peer's claim,
 * and say so by the role in our heartbeats (fault, arbiter_tick()), so
 * that the peer does not wait on us (peer_in_fault()). A disk that fails
 * now and then stays in fault between: the peer, back to claiming each
 * time it took a write, claimed again and again at rising epochs.
 */
static bool disk_failing(const struct arbiter *a, uint64_t now_ms)
{
	return a->write_failed_ms ||
	       (a->disk_failed_ms && now_ms - a->disk_failed_ms < ARBITER_DISK_FAULT_MS);
}

/* Our role while in contact with the peer and not active. */
static enum arbiter_role in_contact_role(const struct arbiter *a, uint64_t now_ms)
{
	return disk_failing(a, now_ms) ? ARBITER_FAULT : ARBITER_STANDBY;
}

/*
 * Writes @next down before anything that depends on it is sent or acted
 * on. Returns false, with nothing changed, when it could not be written.
 * What the disk already holds is not written again: a write blocks the
 * daemon, and a proposal asked again (its yes lost or late) would block
 * the standby once more each time, its heartbeats unanswered meanwhile.
 * A write that failed is tried again a heartbeat-ms after it ended, not
 * at every datagram: a slow, failing disk must not hold up every answer
 * (each datagram that asked for a write would block the daemon that long
 * again, and the datagrams behind it would never be read in time).
 */
bool arbiter_durable_same(const struct arbiter_durable *a, const struct arbiter_durable *b)
{
	return arbiter_same_witness(&a->agreed, &b->agreed) && a->epoch == b->epoch &&
	       a->promise_ms == b->promise_ms && arbiter_same_witness(&a->proposed, &b->proposed) &&
	       a->refused_epoch == b->refused_epoch &&
	       a->refused_generation == b->refused_generation;
}

static void send_heartbeat(struct arbiter *a, uint64_t now_ms, bool answer);
static void renew_lease(struct arbiter *a, uint64_t now_ms);

/* @next written to disk, even when it is what the disk holds already. */
static bool write_state(struct arbiter *a, const struct arbiter_durable *next)
{
	uint64_t now_ms = a->io.now(a->io.ctx);

	if (a->write_failed_ms && now_ms - a->write_failed_ms < a->timing.heartbeat_ms)
		return false;
	/*
	 * An active asks for its holds before the write blocks the daemon,
	 * and sends at once: the answers wait for it when the write ends.
	 * Asked after, they come a write, a beat and a round trip after the
	 * last, and a disk slow enough (250 ms at 60 ms one way) costs the
	 * role. Nothing asked depends on the write.
	 */
	if (a->role == ARBITER_ACTIVE && a->io.send) {
		unsigned int first = a->n_out, k;

		send_heartbeat(a, now_ms, false);
		renew_lease(a, now_ms);
		for (k = first; k < a->n_out; k++)
			a->io.send(a->io.ctx, &a->out[k]);
		a->n_out = first;
	}
	if (a->io.persist(a->io.ctx, next)) {
		a->persist_failed++;
		a->write_failed_ms = a->io.now(a->io.ctx);
		a->disk_failed_ms = a->write_failed_ms;
		return false;
	}
	a->write_failed_ms = 0;
	a->disk_wrote_ms = a->io.now(a->io.ctx);
	a->durable = *next;
	return true;
}

static bool write_down(struct arbiter *a, const struct arbiter_durable *next)
{
	return arbiter_durable_same(next, &a->durable) || write_state(a, next);
}

/*
 * A failed write is tried again only while what it wrote is still wanted;
 * once nothing is, disk_failing() would say so for good. What is on disk
 * is written again every ARBITER_DISK_PROBE_MS instead (each failure is
 * logged: not every heartbeat-ms), until the disk takes it.
 */
static void probe_disk(struct arbiter *a, uint64_t now_ms)
{
	if (!a->write_failed_ms || now_ms - a->write_failed_ms < ARBITER_DISK_PROBE_MS)
		return;
	if (a->io.persist(a->io.ctx, &a->durable)) {
		a->write_failed_ms = a->io.now(a->io.ctx);
		a->disk_failed_ms = a->write_failed_ms;
	} else {
		a->write_failed_ms = 0;
		a->disk_wrote_ms = a->io.now(a->io.ctx);
	}
}

/*
 * Adopts @host at (@epoch, @generation) as the agreed witness, once it is
 * on disk: what the peer is told or what is acted on next depends on it.
 * Returns false, with nothing changed, when it could not be written.
 */
static bool offered(const struct arbiter_proposal *p);

static bool agree(struct arbiter *a, const char *host, uint64_t epoch,
		  uint64_t generation)
{
	struct arbiter_durable next = a->durable;

	snprintf(next.agreed.host, sizeof(next.agreed.host), "%s", host);
	next.agreed.epoch = epoch;
	next.agreed.generation = generation;
	/*
	 * A move we offered and a no we gave are settled by an agreement as
	 * new: the peer agrees to nothing older than what it agreed.
	 */
	if (next.proposed.host[0] && !newer(&next.agreed, next.proposed.epoch,
					    next.proposed.generation))
		memset(&next.proposed, 0, sizeof(next.proposed));
	if (next.refused_epoch && !newer(&next.agreed, next.refused_epoch,
					 next.refused_generation))
		next.refused_epoch = next.refused_generation = 0;
	if (!write_down(a, &next))
		return false;
	/*
	 * Settled in memory too: a move of an earlier life left open there
	 * blocks every takeover (inactive_step()), though neither the disk
	 * nor a restart holds it (helper-81: the peer dead, no active ever).
	 */
	if (offered(&a->proposal) &&
	    !newer(&next.agreed, a->proposal.ref.epoch, a->proposal.ref.generation))
		a->proposal.open = false;
	if (strcmp(a->agreed.host, host))
		a->witness_replied_ms = 0;	/* answers came from another host */
	a->agreed = next.agreed;
	a->agreed_written = false;
	a->write_timeouts = 0;
	return true;
}

/*
 * The round trip of what was sent at @sent_ms, answered now. Not one we
 * were stopped in the middle of (arbiter_resumed()): that stop is ours,
 * not the path's, and noted as the slowest lately it would refuse the
 * fast answers after it (may_take_up()).
 */
static void note_round_trip(const struct arbiter *a, struct arbiter_round_trips *r,
			    uint64_t now_ms, uint64_t sent_ms)
{
	uint64_t ms = now_ms - sent_ms;

	if (sent_ms < a->resumed_ms)
		return;
	r->ms[r->next] = ms < UINT32_MAX ? (uint32_t)ms : UINT32_MAX;
	r->at_ms[r->next] = now_ms;
	r->next = (r->next + 1) % ARBITER_ROUND_TRIPS;
}

/* Whether @r's round trip @i was measured within @window_ms of @now_ms. */
static bool measured_within(const struct arbiter_round_trips *r, unsigned int i,
			    uint64_t now_ms, uint64_t window_ms)
{
	return r->at_ms[i] && r->at_ms[i] + window_ms > now_ms;
}

static uint64_t slowest_within(const struct arbiter_round_trips *r, uint64_t now_ms,
			       uint64_t window_ms)
{
	uint64_t slowest = 0;
	unsigned int i;

	for (i = 0; i < ARBITER_ROUND_TRIPS; i++)
		if (measured_within(r, i, now_ms, window_ms) && r->ms[i] > slowest)
			slowest = r->ms[i];
	return slowest;
}

static uint64_t lately_ms(const struct arbiter *a)
{
	return (uint64_t)ARBITER_ROUND_TRIPS * a->timing.heartbeat_ms;
}

uint64_t arbiter_slowest_round_trip(const struct arbiter *a, const struct arbiter_round_trips *r,
				    uint64_t now_ms)
{
	return slowest_within(r, now_ms, lately_ms(a));
}

bool arbiter_round_trip_lately(const struct arbiter *a, const struct arbiter_round_trips *r,
			       uint64_t now_ms)
{
	unsigned int i;

	for (i = 0; i < ARBITER_ROUND_TRIPS; i++)
		if (measured_within(r, i, now_ms, lately_ms(a)))
			return true;
	return false;
}

/* What a lease of our lease-ms holds us: the longest a witness answer can still hold. */
static uint64_t lease_hold_ms(const struct arbiter *a)
{
	return arbiter_hold_ms(&a->timing, arbiter_true_ms(&a->timing, a->timing.lease_ms));
}

/*
 * How long a witness request may go unanswered before it is taken for
 * lost: the longest round trip whose answer could still hold us (its
 * lease's hold), never less than grace-ms, and twice the slowest answer
 * from a witness host within ARBITER_SLOW_ANSWER_MS. A slow round trip is
 * not a lost one: a witness farther than its lease allows still answers,
 * and taking each of its answers for lost would move the witness on and
 * on among hosts no nearer, never written.
 */
static uint64_t witness_wait_ms(const struct arbiter *a, uint64_t now_ms)
{
	uint64_t hold = lease_hold_ms(a);
	uint64_t answers = 2 * slowest_within(&a->witness_round_trips, now_ms,
					      ARBITER_SLOW_ANSWER_MS);
	uint64_t wait = hold > a->timing.grace_ms ? hold : a->timing.grace_ms;

	return answers > wait ? answers : wait;
}

/* What a hold taken up must outlast: heartbeat-ms and a quarter. */
static uint64_t take_up_spare_ms(const struct arbiter_timing *t)
{
	return t->heartbeat_ms + t->heartbeat_ms / 4;
}

/*
 * And half a heartbeat-ms more for each role lost to a hold that ran out
 * since a role was last held ARBITER_LAPSE_MS (ARBITER_LAPSES_MAX): round
 * trips that swing, or datagrams lost on slow links, are not caught by
 * the slowest round trip alone; and time alone, with nothing changed,
 * is no reason to try again.
 */
static uint64_t lapse_spare_ms(const struct arbiter *a)
{
	if (!a->lapses)
		return 0;
	return (uint64_t)a->lapses * (a->timing.heartbeat_ms / 2);
}

/*
 * Whether a hold until @until, from a promise that came back
 * @round_trip_ms after its request, may be taken up at @now_ms. Keeping a
 * role needs each renewal or promise to come before the hold of the one
 * before ran out: a heartbeat-ms later. Taking one up needs more, had
 * this answer been as slow as the slowest lately on its @path: a
 * quarter of a heartbeat-ms to spare. Round trips near the edge, some in
 * time and some not, then leave the role untaken rather than taken and
 * lost again at a new epoch each time (Documentation/arbitration.rst,
 * "Timing").
 */
static bool may_take_up(const struct arbiter *a, uint64_t now_ms, uint64_t until,
			uint64_t round_trip_ms, const struct arbiter_round_trips *path)
{
	uint64_t slowest = arbiter_slowest_round_trip(a, path, now_ms);
	uint64_t later = slowest > round_trip_ms ? slowest - round_trip_ms : 0;
	uint64_t spare = take_up_spare_ms(&a->timing) + lapse_spare_ms(a);
	/* The lapses' share never past half the promise: fast links always do. */
	uint64_t hold = until + round_trip_ms > now_ms ? until + round_trip_ms - now_ms : 0;
	uint64_t most = hold / 2 > take_up_spare_ms(&a->timing) ? hold / 2 :
								   take_up_spare_ms(&a->timing);

	return until > now_ms + later + (spare < most ? spare : most);
}

uint64_t arbiter_take_up_round_trip_ms(const struct arbiter_timing *t, uint32_t promise_ms)
{
	uint64_t hold = arbiter_hold_ms(t, arbiter_true_ms(t, promise_ms));

	return hold > take_up_spare_ms(t) + 1 ? hold - take_up_spare_ms(t) - 1 : 0;
}

/* Our claim, while no newer epoch than it is known. */
static bool claim_stands(const struct arbiter *a)
{
	return a->claim_epoch && a->claim_epoch >= a->epoch;
}

static bool peer_alive(const struct arbiter *a, uint64_t now_ms)
{
	return a->peer_heard_ms &&
	       now_ms - a->peer_heard_ms < a->timing.grace_ms + a->peer_deaf_ms;
}

/* A move offered to the peer and not answered: it may have said yes (rule 6). */
static bool offered(const struct arbiter_proposal *p)
{
	return p->open && p->written && !p->agreed;
}

/*
 * The hold the witness gives: the agreed one's lease; while a move is
 * offered, that and the new one's, both. The peer, if it said yes, fails
 * over through the new one only, once its lease ran out; if it did not,
 * through the old one.
 */
static uint64_t witness_hold(const struct arbiter *a)
{
	const struct arbiter_proposal *p = &a->proposal;

	if (offered(p) && p->hold_until_ms < a->witness_hold_until_ms)
		return p->hold_until_ms;
	return a->witness_hold_until_ms;
}

static uint64_t hold_until(const struct arbiter *a)
{
	return a->standby_hold_until_ms > witness_hold(a) ?
		a->standby_hold_until_ms : witness_hold(a);
}

uint64_t arbiter_hold_until(const struct arbiter *a)
{
	return a->role == ARBITER_ACTIVE ? hold_until(a) : 0;
}

struct arbiter_durable arbiter_durable_newer(const struct arbiter_durable *file,
					     const struct arbiter_durable *copy)
{
	struct arbiter_durable out = *file;

	if (newer(&file->agreed, copy->agreed.epoch, copy->agreed.generation))
		out.agreed = copy->agreed;
	if (copy->epoch > out.epoch)
		out.epoch = copy->epoch;
	if (copy->promise_ms > out.promise_ms)
		out.promise_ms = copy->promise_ms;
	/*
	 * The move offered is the copy's, unless the agreed one settles it.
	 * A move is offered only once its write was done, and the copy is
	 * the last write done (durable.h); the file also holds moves never
	 * offered: a write that failed after its rename and could not be
	 * undone, or one a crash cut short before the copy. Taken from
	 * either, such a move left its manager in doubt for good once the
	 * peer was gone (h95 v2), as a move let go of did from a copy left
	 * stale (h94 v3b).
	 */
	out.proposed = copy->proposed;
	if (out.proposed.host[0] && !newer(&out.agreed, out.proposed.epoch, out.proposed.generation))
		memset(&out.proposed, 0, sizeof(out.proposed));
	if (copy->refused_epoch > out.refused_epoch ||
	    (copy->refused_epoch == out.refused_epoch &&
	     copy->refused_generation > out.refused_generation)) {
		out.refused_epoch = copy->refused_epoch;
		out.refused_generation = copy->refused_generation;
	}
	return out;
}

void arbiter_init(struct arbiter *a, uint64_t now_ms,
		  const struct arbiter_durable *state)
{
	uint32_t promised = a->timing.grace_ms;

	a->role = ARBITER_STARTUP;
	a->role_since_ms = now_ms;
	a->started_ms = now_ms;
	a->odd_epochs = strcmp(a->self, a->peer) < 0;
	if (state) {
		a->durable = *state;
		a->agreed = state->agreed;
		a->epoch = state->agreed.epoch;
		if (state->proposed.host[0]) {
			/* Offered again until the peer's answer settles it; it holds us no more. */
			a->proposal.open = true;
			a->proposal.written = true;
			a->proposal.ref = state->proposed;
		}
		if (state->promise_ms > promised)
			promised = state->promise_ms;
	}
	/*
	 * Before a restart we may have promised the active to keep still,
	 * and we forgot when: as long as the longest promise we may have
	 * made, from now (spin found this; see arbitration.rst).
	 */
	a->promised_until_ms = now_ms + promised;
	a->next_heartbeat_ms = now_ms;
	a->next_witness_ms = now_ms + a->timing.heartbeat_ms;
	because(a, "starting: listening for %s", a->peer);
}

void arbiter_state_unwritten(struct arbiter *a, uint64_t now_ms)
{
	a->persist_failed++;
	a->write_failed_ms = a->disk_failed_ms = now_ms;
}

/*
 * The epoch we take next, above @known: the manager whose name sorts
 * first takes odd epochs, the other even ones. Two managers can then
 * never take the same epoch, even when one of them, or a witness, has
 * lost what it knew (a restored backup): a fenced resource that saw one
 * manager's epoch refuses the other's older one.
 */
static uint64_t next_epoch(const struct arbiter *a, uint64_t known)
{
	uint64_t epoch;

	/* Above what it ever claimed, too: a claim may never have been granted. */
	if (a->durable.epoch > known)
		known = a->durable.epoch;
	epoch = known + 1;
	return (epoch % 2 == 1) == a->odd_epochs ? epoch : epoch + 1;
}

/* Rule 5: an active without either promise steps down at once. */
static void demote(struct arbiter *a, uint64_t now_ms)
{
	a->standby_hold_until_ms = 0;
	a->witness_hold_until_ms = 0;
	a->agreed_written = false;
	/* A move offered stays open until the peer answers: it may have said yes. */
	a->proposal.open = offered(&a->proposal);
	a->proposal.hold_until_ms = 0;
	a->takeover_epoch = 0;
	a->claim_epoch = 0;
	set_role(a, now_ms, peer_alive(a, now_ms) ? in_contact_role(a, now_ms) : ARBITER_FAULT);
}

/*
 * A peer in fault, in contact, cannot promise: it hears nothing of us, or
 * its disk cannot write down our claim (disk_failing()). Nor can it claim
 * an epoch itself. While it says so, rule 1 cannot give an active and the
 * agreed witness decides (rule 4, inactive_step()); we promise it nothing
 * more (promise()), so that the takeover waits only for our last promise.
 */
static bool peer_in_fault(const struct arbiter *a, uint64_t now_ms)
{
	return peer_alive(a, now_ms) && a->peer_role == ARBITER_FAULT;
}

/*
 * The promise our next heartbeat makes on the peer's last token (0: none):
 * no takeover before grace-ms (ours, as it is now) after we received it.
 * A longer promise than the one on disk is written down first, so that a
 * restart keeps it; if that fails, we promise what the disk holds. So is
 * an epoch that no witness we agreed on holds (the peer claimed it on our
 * promise alone): a restart must claim above it, and until it is on disk
 * we promise nothing at it. While a failed write waits to be tried
 * again (write_down()), we promise what the disk holds.
 */
static uint32_t promise(struct arbiter *a, uint64_t now_ms)
{
	struct arbiter_durable next = a->durable;
	uint32_t ms = a->timing.grace_ms;
	bool epoch_unsaved = a->epoch > a->durable.epoch && a->epoch > a->durable.agreed.epoch;
	uint64_t until;

	if (!a->peer_token || a->role == ARBITER_ACTIVE || peer_in_fault(a, now_ms))
		return 0;
	next.promise_ms = ms;
	if (epoch_unsaved)
		next.epoch = a->epoch;
	if ((ms > a->durable.promise_ms || epoch_unsaved) && !write_down(a, &next)) {
		if (epoch_unsaved)
			return 0;
		ms = a->durable.promise_ms;
	}
	until = a->peer_heard_ms + ms;
	if (until > a->promised_until_ms)
		a->promised_until_ms = until;
	return arbiter_true_ms(&a->timing, ms);
}

static uint64_t witness_wait_ms(const struct arbiter *a, uint64_t now_ms);

/*
 * How long a store's last answer says we reach it: the answer to each
 * heartbeat-ms's request may be lost twice more, and come as late as the
 * slowest lately, twice over; never longer than witness_wait_ms(). Not
 * the whole wait: a dead witness host is to be left as soon as its reports
 * stop and it has not answered for that long (a takeover through it may
 * be needed soon).
 */
static uint64_t answer_seen_ms(const struct arbiter *a, uint64_t now_ms)
{
	uint64_t ms = 3 * (uint64_t)a->timing.heartbeat_ms +
		      2 * slowest_within(&a->witness_round_trips, now_ms, ARBITER_SLOW_ANSWER_MS);
	uint64_t wait = witness_wait_ms(a, now_ms);

	return ms < wait ? ms : wait;
}

/*
 * How long what a store said of its writes is believed: ARBITER_HEALTH_MS,
 * and at least three heartbeat-ms, so that an answer to a read is still
 * believed at the next step (a helper's find: at a heartbeat-ms of 6 s no
 * witness was ever chosen, each answer aged by the next step).
 */
static uint64_t health_ms(const struct arbiter *a)
{
	uint64_t beats = 3 * (uint64_t)a->timing.heartbeat_ms;

	return beats > ARBITER_HEALTH_MS ? beats : ARBITER_HEALTH_MS;
}

/* Until when the answer or the refusal in @e is believed. */
static uint64_t believed_until(const struct arbiter_host_note *e)
{
	return e->refused_until_ms > e->health_until_ms ? e->refused_until_ms : e->health_until_ms;
}

/* Whether @e holds an answer or a refusal still believed, not only requests. */
static bool note_answered(const struct arbiter_host_note *e, uint64_t now_ms)
{
	return believed_until(e) > now_ms;
}

static bool note_live(const struct arbiter_host_note *e, uint64_t now_ms)
{
	return e->host[0] && (note_answered(e, now_ms) ||
			      (e->asked_ms && now_ms - e->last_asked_ms < ARBITER_UNANSWERED_MS));
}

/* @host's entry, or NULL. */
static const struct arbiter_host_note *find_note(const struct arbiter *a, const char *host)
{
	const struct arbiter_host_note *e;

	for (e = a->known; e < a->known + ARBITER_HOSTS_KNOWN; e++)
		if (e->host[0] && !strcmp(e->host, host))
			return e;
	return NULL;
}

/*
 * Whether @e is believed of less than @than: it holds only requests that
 * went unanswered where @than holds an answer or a refusal; else, of
 * requests alone, the one asked longer ago; of answers and refusals, the
 * one believed until sooner.
 */
static bool less_believed(const struct arbiter_host_note *e, const struct arbiter_host_note *than,
			  uint64_t now_ms)
{
	bool answered = note_answered(e, now_ms);

	if (answered != note_answered(than, now_ms))
		return !answered;
	if (!answered)
		return e->last_asked_ms < than->last_asked_ms;
	return believed_until(e) < believed_until(than);
}

/*
 * @host's entry, made if there is none in a slot nothing is believed of
 * any more; else in the slot believed of least (less_believed()): for an
 * answer or a refusal, any; for a request (@asking), one that holds only
 * requests, the one asked longest ago. Never that of a host whose silence
 * counts (sees_host()): the agreed witness, or the one proposed. So hosts
 * asked in a scan (choose_witness()) never keep one that answers from
 * being known, nor a standby's request to a proposed host from being
 * noted, which would leave its silence never counted, and the proposal
 * unanswered (on_propose()). NULL when no slot may be taken (what is
 * known stands).
 */
static struct arbiter_host_note *note_of(struct arbiter *a, uint64_t now_ms, const char *host,
					 bool asking)
{
	struct arbiter_host_note *e, *free_slot = NULL, *least = NULL;

	for (e = a->known; e < a->known + ARBITER_HOSTS_KNOWN; e++) {
		if (e->host[0] && !strcmp(e->host, host))
			return e;
		if (!free_slot && !note_live(e, now_ms))
			free_slot = e;
		if ((!asking || !note_answered(e, now_ms)) && strcmp(e->host, a->agreed.host) &&
		    !(a->proposal.open && !strcmp(e->host, a->proposal.ref.host)) &&
		    (!least || less_believed(e, least, now_ms)))
			least = e;
	}
	if (!free_slot)
		free_slot = least;
	if (!free_slot)
		return NULL;
	memset(free_slot, 0, sizeof(*free_slot));
	snprintf(free_slot->host, sizeof(free_slot->host), "%s", host);
	return free_slot;
}

/*
 * A request to @host's store is out. The first since its last answer
 * starts the count of store_overdue(), and so does one after a pause as
 * long as that count: what went unanswered then says nothing of now.
 */
static void note_asked(struct arbiter *a, uint64_t now_ms, const char *host)
{
	struct arbiter_host_note *e = note_of(a, now_ms, host, true);

	if (!e)
		return;
	if (!e->asked_ms || now_ms - e->last_asked_ms >= 2 * witness_wait_ms(a, now_ms))
		e->asked_ms = now_ms;
	e->last_asked_ms = now_ms;
}

/* @host's store answered us within answer_seen_ms(). */
static bool store_answered(const struct arbiter *a, uint64_t now_ms, const char *host)
{
	const struct arbiter_host_note *e = find_note(a, host);

	return e && e->answered_ms && now_ms - e->answered_ms < answer_seen_ms(a, now_ms);
}

/*
 * What we have been asking @host's store has gone unanswered for twice
 * the wait for an answer, and we still ask (note_asked()).
 */
static bool store_overdue(const struct arbiter *a, uint64_t now_ms, const char *host)
{
	const struct arbiter_host_note *e = find_note(a, host);
	uint64_t count_ms = 2 * witness_wait_ms(a, now_ms);

	return e && e->asked_ms && now_ms - e->asked_ms >= count_ms &&
	       now_ms - e->last_asked_ms < count_ms;
}

/*
 * The slowest round trip to @e's store a takeover through it could take
 * up, with no role lost lately (may_take_up(), arbiter_take_up_round_trip_ms():
 * 552 ms at the default timing): on the lease it grants, our lease-ms or
 * its own if shorter (witness.c), as the lease in its record shows.
 */
static uint64_t far_round_trip_ms(const struct arbiter *a, const struct arbiter_host_note *e)
{
	uint32_t lease = a->timing.lease_ms;

	if (e->lease_ms && e->lease_ms < lease)
		lease = e->lease_ms;
	return arbiter_take_up_round_trip_ms(&a->timing, lease);
}

/*
 * @host's store has answered us too slowly for a takeover through it for
 * ARBITER_SLOW_MS (note_store()): as a slow store is left (fitness()), not
 * at one late answer.
 */
static bool far_host(const struct arbiter *a, uint64_t now_ms, const char *host)
{
	const struct arbiter_host_note *e = find_note(a, host);

	return e && e->far_since_ms && now_ms - e->far_since_ms >= ARBITER_SLOW_MS;
}

/*
 * Whether we reach @host: its availability reports come, or its store
 * answered us within answer_seen_ms(). The answers count too: a relay
 * that falls behind on broadcasts (a starved one) answers witness
 * requests first, and a witness moved for late reports alone leaves each
 * move's generation unwritten for a while, when a lone manager could not
 * take over through it. And reports count only while the store answers
 * what we ask (store_overdue()): reports can come while our requests are
 * lost (a firewall dropping one direction).
 */
static bool sees_host(const struct arbiter *a, uint64_t now_ms, const char *host)
{
	return (a->io.available(a->io.ctx, host) && !store_overdue(a, now_ms, host)) ||
	       store_answered(a, now_ms, host);
}

static bool sees_agreed(const struct arbiter *a, uint64_t now_ms)
{
	return a->agreed.host[0] && sees_host(a, now_ms, a->agreed.host);
}

/*
 * What a standby tells the active of the agreed witness: whether it could
 * take over through it. Seen, and not too far for a takeover's round trip
 * (far_host()): told it is not, the active moves the witness to a host we
 * could fail over through, if there is one (rule 6, too_far_to_agree()).
 * When there is none (far_kept_until_ms), it counts as seen for a while,
 * so that the active stops offering. And one that turns far too within
 * ARBITER_FAR_MOVES_MS of our leaving a far one counts as seen: the paths
 * to both swing alike (a round trip that swings across the bound looks
 * near in the few answers a yes is given on), and moving on would only
 * move the witness on and on.
 */
static bool could_take_over_through_agreed(const struct arbiter *a, uint64_t now_ms)
{
	return sees_agreed(a, now_ms) &&
	       (!far_host(a, now_ms, a->agreed.host) || now_ms < a->far_kept_until_ms ||
		(a->left_far_ms && now_ms - a->left_far_ms < ARBITER_FAR_MOVES_MS));
}

/*
 * The witness our heartbeat names. A manager started less than grace-ms
 * ago that has heard nothing of the agreed witness yet (its host's
 * reports, its store's answer) names none: it has nothing to say of it
 * yet, and the peer neither starts nor stops counting the time we do not
 * see it (on_heartbeat()). A standby dying again and again, each death
 * shorter than the grace-ms the active needs to notice it, would
 * otherwise say "not seen" from every new life before it could know, and
 * the active, seeing one peer throughout, would add those up to a witness
 * lost; or, had it said "seen", hide one truly lost.
 */
static struct wire_witness_ref named_witness(const struct arbiter *a, uint64_t now_ms)
{
	static const struct wire_witness_ref none;

	if (now_ms - a->started_ms < a->timing.grace_ms && !sees_agreed(a, now_ms))
		return none;
	return a->agreed;
}

/* A heartbeat now (@answer: at once, to one of the peer's); the next one a heartbeat-ms later. */
static void send_heartbeat(struct arbiter *a, uint64_t now_ms, bool answer)
{
	uint32_t promised = promise(a, now_ms);
	struct arbiter_out *out = emit(a, ARBITER_SEND_PEER, a->peer, WIRE_HEARTBEAT);

	if (!out)
		return;
	out->msg.heartbeat.role = (uint8_t)a->role;
	out->msg.heartbeat.epoch = claim_stands(a) ? a->claim_epoch : a->epoch;
	out->msg.heartbeat.witness = named_witness(a, now_ms);
	out->msg.heartbeat.token = now_ms;
	out->msg.heartbeat.echo = a->peer_token;
	out->msg.heartbeat.promise_ms = promised;
	if (could_take_over_through_agreed(a, now_ms))
		out->msg.heartbeat.flags |= WIRE_HEARTBEAT_SEES_WITNESS;
	/* We say no to moves from below it (on_propose()): the active goes above it. */
	if (a->role != ARBITER_ACTIVE && a->durable.epoch > out->msg.heartbeat.epoch)
		out->msg.heartbeat.flags |= WIRE_HEARTBEAT_CLAIMED_ABOVE;
	/*
	 * An answer leaves our own heartbeats on their beat: their answers
	 * are our fresh promises, and a claimant that only answered would
	 * take up a role whose next promise is a heartbeat-ms and a round
	 * trip away.
	 */
	if (answer)
		out->msg.heartbeat.flags |= WIRE_HEARTBEAT_ANSWER;
	else
		a->next_heartbeat_ms = now_ms + a->timing.heartbeat_ms;
}

/*
 * Every witness request is remembered until answered, so that only an
 * answer to one still outstanding counts (a host's root cannot make up a
 * token, and a late duplicate gives nothing), and the lease it asked for
 * bounds the one the answer says it granted. A full table forgets the
 * oldest: its answer would come too late to hold anything.
 */
static void remember_request(struct arbiter *a, uint64_t now_ms, const char *host,
			     uint8_t op, uint32_t lease_ms)
{
	struct arbiter_request *slot = &a->requests[0];
	unsigned int i;

	for (i = 0; i < ARBITER_REQUESTS; i++) {
		if (!a->requests[i].host[0]) {
			slot = &a->requests[i];
			break;
		}
		if (a->requests[i].token < slot->token)
			slot = &a->requests[i];
	}
	snprintf(slot->host, sizeof(slot->host), "%s", host);
	slot->op = op;
	slot->token = now_ms;
	slot->lease_ms = lease_ms;
}

/* The request @w answers, taken off the table; false when none is outstanding. */
static bool answered_request(struct arbiter *a, const char *host,
			     const struct wire_witness *w, struct arbiter_request *req)
{
	unsigned int i;

	for (i = 0; i < ARBITER_REQUESTS; i++) {
		struct arbiter_request *r = &a->requests[i];

		if (r->host[0] && r->op == w->op && r->token == w->token && !strcmp(r->host, host)) {
			*req = *r;
			r->host[0] = '\0';
			return true;
		}
	}
	return false;
}

/*
 * The hold a granted lease gives, counted from the request's send: as
 * long as the store said it keeps the lease (in true time), but never
 * longer than we asked for.
 */
static uint64_t lease_hold_until(const struct arbiter *a, const struct arbiter_request *req,
				 const struct wire_witness *w)
{
	uint32_t granted = w->granted_ms < req->lease_ms ? w->granted_ms : req->lease_ms;

	return req->token + arbiter_hold_ms(&a->timing, granted);
}

static void send_witness(struct arbiter *a, uint64_t now_ms, const char *host,
			 uint8_t op, uint64_t expect_epoch,
			 uint64_t expect_generation, uint64_t epoch,
			 uint64_t generation)
{
	struct arbiter_out *out = emit(a, ARBITER_SEND_HOST, host,
				       op == WITNESS_OP_READ ? WIRE_WITNESS_READ :
							       WIRE_WITNESS_CAS);
	struct wire_witness *w;

	if (!out)
		return;
	remember_request(a, now_ms, host, op, a->timing.lease_ms);
	note_asked(a, now_ms, host);
	w = &out->msg.witness;
	w->op = op;
	w->token = now_ms;
	w->expect_epoch = expect_epoch;
	w->expect_generation = expect_generation;
	snprintf(w->record.cluster, sizeof(w->record.cluster), "%s", a->cluster);
	snprintf(w->record.active, sizeof(w->record.active), "%s", a->self);
	w->record.epoch = epoch;
	w->record.generation = generation;
	w->record.lease_ms = a->timing.lease_ms;
}

static bool both_see_agreed(const struct arbiter *a, uint64_t now_ms);

static bool has_bit(const uint64_t *bits, unsigned int id)
{
	return (bits[id / 64] >> (id % 64)) & 1;
}

static void set_bit_to(uint64_t *bits, unsigned int id, bool on)
{
	if (on)
		bits[id / 64] |= 1ull << (id % 64);
	else
		bits[id / 64] &= ~(1ull << (id % 64));
}

/* Host number @id, @host, is read in the scan: unanswered until it answers. */
static void scan_read(struct arbiter *a, const char *host, unsigned int id)
{
	struct arbiter_scout *out = &a->scouts[a->next_scout++ % ARBITER_SCOUTS];

	set_bit_to(a->unanswered, id, true);
	snprintf(out->host, sizeof(out->host), "%s", host);
	out->id = id;
	snprintf(a->scout, sizeof(a->scout), "%s", host);
}

/*
 * @host answered a read: once what it said ages (health_ms()), it may be
 * read again in the same scan, and so reach its turn however long those
 * above it take. An answer to a read pushed out of ARBITER_SCOUTS by
 * later ones leaves the host unanswered until the scan begins anew.
 */
static void scan_answered(struct arbiter *a, const char *host)
{
	struct arbiter_scout *e;

	for (e = a->scouts; e < a->scouts + ARBITER_SCOUTS; e++) {
		if (e->host[0] && !strcmp(e->host, host)) {
			set_bit_to(a->unanswered, e->id, false);
			e->host[0] = '\0';
		}
	}
}

/*
 * @host said no (the peer does not see it), failed (its store could not
 * be read or written) or did not answer a write: not chosen as the
 * witness, nor written again, for ARBITER_REFUSED_MS, nor in the rest of
 * the scan that chose it. An answer or a refusal always finds a note
 * (note_of()). A proposal that only went unanswered is made again: the
 * peer may be waiting for the store's answer to its own read.
 */
static void refuse(struct arbiter *a, uint64_t now_ms, const char *host)
{
	struct arbiter_host_note *e = note_of(a, now_ms, host, false);

	if (e)
		e->refused_until_ms = now_ms + ARBITER_REFUSED_MS;
	if (a->proposal.scan_id && !strcmp(host, a->proposal.ref.host))
		set_bit_to(a->refused, a->proposal.scan_id - 1, true);
}

/* The witness just agreed on, refused before, may be written. */
static void forget_refusal_of(struct arbiter *a, const char *host)
{
	const struct arbiter_host_note *e = find_note(a, host);

	if (e)
		a->known[e - a->known].refused_until_ms = 0;
}

static bool refused(struct arbiter *a, uint64_t now_ms, const char *host)
{
	const struct arbiter_host_note *e = find_note(a, host);

	return e && e->refused_until_ms > now_ms;
}

/* Every host may be read and proposed again, from the most available (choose_witness()). */
static void start_scan(struct arbiter *a)
{
	memset(a->unanswered, 0, sizeof(a->unanswered));
	memset(a->refused, 0, sizeof(a->refused));
	memset(a->scouts, 0, sizeof(a->scouts));
}

/*
 * A new witness written (the active), or agreed (the standby), or none
 * left to choose: every host may be tried and offered anew. Not at the
 * active's agreement: a store that then cannot be written would have the
 * refusals of those before it forgotten, and take turns with them.
 */
static void forget_refusals(struct arbiter *a)
{
	unsigned int i;

	start_scan(a);
	for (i = 0; i < ARBITER_HOSTS_KNOWN; i++) {
		a->known[i].refused_until_ms = 0;
		a->known[i].far_refused_ms = 0;
	}
}

/*
 * The longest a store's write may take for a takeover there to be of
 * use: its answer must leave more than heartbeat-ms of the lease's hold
 * (became_active()).
 */
static uint32_t write_budget_ms(const struct arbiter *a)
{
	uint64_t hold = arbiter_hold_ms(&a->timing, a->timing.lease_ms);

	return hold > a->timing.heartbeat_ms ? (uint32_t)(hold - a->timing.heartbeat_ms) : 0;
}

/*
 * A store's fitness as the witness, by what it last said; better first.
 * The bounds differ by a factor of two, so that write times around one
 * bound do not move the witness back and forth.
 */
enum store_fitness {
	STORE_FIT,		/* writes in half the budget: one to move to */
	STORE_UNKNOWN,		/* said nothing lately */
	STORE_ADEQUATE,		/* writes within the budget, or not for long beyond it */
	STORE_SLOW,		/* beyond the budget for ARBITER_SLOW_MS: one to leave */
	STORE_FAILING,		/* cannot write */
};

static enum store_fitness fitness(struct arbiter *a, uint64_t now_ms, const char *host)
{
	const struct arbiter_host_note *e = find_note(a, host);

	if (!e || e->health_until_ms <= now_ms)
		return STORE_UNKNOWN;
	if (e->writes_failing)
		return STORE_FAILING;
	if (e->slow_since_ms && now_ms - e->slow_since_ms >= ARBITER_SLOW_MS)
		return STORE_SLOW;
	return e->write_ms <= write_budget_ms(a) / 2 ? STORE_FIT : STORE_ADEQUATE;
}

/*
 * What @host's answer, @round_trip_ms after its request, says of its
 * store's writes (wire.h: store_flags, write_ms) and of the path to it.
 */
static void note_store(struct arbiter *a, uint64_t now_ms, const char *host,
		       const struct wire_witness *w, uint64_t sent_ms)
{
	struct arbiter_host_note *e = note_of(a, now_ms, host, false);
	uint64_t slowest;

	scan_answered(a, host);
	if (!e)
		return;
	if (w->status != WITNESS_EMPTY && w->status != WITNESS_CORRUPT && w->record.lease_ms)
		e->lease_ms = w->record.lease_ms;
	note_round_trip(a, &e->round_trips, now_ms, sent_ms);
	slowest = slowest_within(&e->round_trips, now_ms, lately_ms(a));
	if (slowest <= far_round_trip_ms(a, e))
		e->far_since_ms = 0;
	else if (!e->far_since_ms)
		e->far_since_ms = now_ms;
	e->health_until_ms = now_ms + health_ms(a);
	e->answered_ms = now_ms;
	e->asked_ms = 0;
	e->writes_failing = w->store_flags & WITNESS_WRITES_FAILING;
	e->write_ms = w->write_ms;
	if (w->write_ms <= write_budget_ms(a))
		e->slow_since_ms = 0;
	else if (!e->slow_since_ms)
		e->slow_since_ms = now_ms;
}

/* What may be picked as the next witness (may_pick()). */
struct witness_filter {
	struct arbiter *a;
	uint64_t now_ms;
	enum store_fitness fitness;
};

/*
 * Whether host @host, number @id, may be the next witness: not the
 * agreed one (it is being replaced), not refused lately nor in this scan
 * (refuse()), of the filter's fitness, and, if its store said nothing
 * lately, not read in this scan without an answer. So each is refused
 * once, and read in vain once, a scan, however many there are and
 * whatever their levels do meanwhile.
 */
static bool may_pick(void *arg, const char *host, unsigned int id)
{
	const struct witness_filter *f = arg;
	struct arbiter *a = f->a;

	if (id >= ARBITER_SCAN_HOSTS || has_bit(a->refused, id) ||
	    (f->fitness == STORE_UNKNOWN && has_bit(a->unanswered, id)) ||
	    !strcmp(host, a->agreed.host) || refused(a, f->now_ms, host))
		return false;
	return fitness(a, f->now_ms, host) == f->fitness;
}

enum choice {
	CHOSEN,		/* @host is one to propose */
	ASKING,		/* a host not heard from is asked first */
	NONE,
};

/*
 * A host to move the witness to, of a fitness no worse than @worst,
 * better first, of equal fitness the more available. Before a host of a
 * store only adequate, those whose stores said nothing lately are asked
 * how they write (a read, whose answer note_store() keeps): one more at
 * each call. In a scan, a host is read in vain once, read again only
 * once what it answered aged, and refused once; once none is left, the
 * scan begins anew. A good host ranked below any number of hosts that
 * never answer is so reached within a call per host above it; below
 * hosts the peer says no to, within a proposal per host.
 */
static enum choice choose_witness(struct arbiter *a, uint64_t now_ms, enum store_fitness worst,
				  char host[WIRE_NAME_SIZE])
{
	struct witness_filter f = { .a = a, .now_ms = now_ms };
	unsigned int id;

	for (f.fitness = STORE_FIT; f.fitness <= worst; f.fitness++) {
		if (!a->io.pick(a->io.ctx, may_pick, &f, host, &id))
			continue;
		if (f.fitness != STORE_UNKNOWN) {
			a->chosen_id = id + 1;
			return CHOSEN;
		}
		scan_read(a, host, id);
		send_witness(a, now_ms, host, WITNESS_OP_READ, 0, 0, 0, 0);
		return ASKING;
	}
	start_scan(a);
	return NONE;
}

/*
 * A witness in place of one lost or not yet ours: at a new epoch, the
 * agreed host itself when both see it and its store may do (its record
 * is to be written at our epoch anyway); else a store known to write in
 * time, else one asked first, else a slower one; never one known not to
 * write (an agreed witness there could carry no takeover, not even once
 * the old one is back). When none is left, the refusals are forgotten,
 * so that the next try starts over from what is available then.
 */
static enum choice choose_replacement(struct arbiter *a, uint64_t now_ms,
				      char host[WIRE_NAME_SIZE])
{
	enum choice choice;

	if (a->agreed.host[0] && a->agreed.epoch < a->epoch && both_see_agreed(a, now_ms) &&
	    !refused(a, now_ms, a->agreed.host) &&
	    fitness(a, now_ms, a->agreed.host) <= STORE_ADEQUATE) {
		snprintf(host, WIRE_NAME_SIZE, "%s", a->agreed.host);
		a->chosen_id = 0;
		return CHOSEN;
	}
	choice = choose_witness(a, now_ms, STORE_SLOW, host);
	if (choice == NONE)
		forget_refusals(a);
	return choice;
}

/* The open proposal to the standby: sent, and sent again each heartbeat-ms until answered. */
static void send_proposal(struct arbiter *a)
{
	struct arbiter_proposal *p = &a->proposal;
	struct arbiter_out *out = emit(a, ARBITER_SEND_PEER, a->peer, WIRE_PROPOSE);

	if (out) {
		snprintf(out->msg.propose.host, sizeof(out->msg.propose.host), "%s", p->ref.host);
		out->msg.propose.epoch = p->ref.epoch;
		out->msg.propose.generation = p->ref.generation;
	}
}

/*
 * The standby following us claimed an epoch above ours (its heartbeat
 * says so): a claim, or a takeover, while cut from us, refused by our
 * lease or never answered. It says no to every move from an older epoch
 * (it cannot know that claim was not granted): so before a move we take
 * our next epoch, on disk first, as a claim is, and again before the
 * next should its claim be above that one too. Only when a move is due:
 * the new epoch is then soon on the new witness, in our record there,
 * and no write of ours, blocking for longer than grace-ms on a slow
 * disk, has the standby claim again while all is well. Our holds are
 * times, whatever the epoch, and stand, and our record on the agreed
 * witness is renewed as it is (a takeover through it goes above our new
 * epoch, which the standby writes down before it promises at it). Not
 * from a standby in fault: it could neither write that epoch down nor
 * promise at it. True when the move must wait for the standby to follow.
 */
static bool go_above_standbys_claim(struct arbiter *a)
{
	struct arbiter_durable next = a->durable;

	if (a->peer_role != ARBITER_STANDBY || a->peer_epoch != a->epoch ||
	    !a->peer_claimed_above)
		return false;
	next.epoch = next_epoch(a, a->epoch);
	if (!write_down(a, &next)) {
		because(a, "%s claimed an epoch above ours, and we could not write down epoch %llu to go above it before a move",
			a->peer, (unsigned long long)next.epoch);
		return true;
	}
	because(a, "%s claimed an epoch above ours (%llu): active at epoch %llu now, for a move it can agree to",
		a->peer, (unsigned long long)a->epoch, (unsigned long long)next.epoch);
	a->epoch = next.epoch;
	return true;
}

/*
 * Rule 6: the active proposes @host to the standby, in place of the agreed
 * witness, for the reason @why (said in the status and the log); nothing
 * is written yet.
 */
static void propose(struct arbiter *a, uint64_t now_ms, const char *host, const char *why)
{
	struct arbiter_proposal *p = &a->proposal;
	struct wire_witness_ref *b = &a->move_begun;
	uint64_t generation = a->agreed.generation;

	if (go_above_standbys_claim(a))
		return;

	/*
	 * Only while our disk takes a write: our last write succeeded within
	 * ARBITER_DISK_PROBE_MS (a write blocks the loop: a claim or an
	 * agreement just written is answer enough), or our state written
	 * again now does (at most once a heartbeat-ms after a failure:
	 * write_state()). The peer writes its yes down; were ours then
	 * refused, the peer would stay agreed on a witness never written,
	 * through which no takeover can go (rule 4), and every new proposal
	 * would leave it on another. Not proposing leaves it on the witness
	 * that holds our record; a disk that writes again, even now and then,
	 * has the witness moved.
	 */
	if ((a->write_failed_ms || a->disk_wrote_ms + ARBITER_DISK_PROBE_MS <= now_ms) &&
	    !write_state(a, &a->durable)) {
		because(a, "witness %s kept (%s): our disk does not take a write, so no other can be agreed on",
			a->agreed.host[0] ? a->agreed.host : "(none)", why);
		return;
	}

	/*
	 * An (epoch, generation) names one host: a record at those numbers
	 * on one would otherwise settle the move to another, or lend it its
	 * lease (helper-82: two actives). So never the same generation
	 * twice at one epoch once offered (the peer may have said yes to
	 * it), nor on another host (its write may have landed). One never
	 * offered (its write was not answered in time) is begun again at its
	 * generation on its host, so that the late answer to that write
	 * still counts (late_move_write()).
	 */
	if (b->epoch == a->epoch && b->generation > generation)
		generation = a->move_begun_offered || strcmp(b->host, host) ?
			     b->generation : b->generation - 1;
	p->open = true;
	p->agreed = false;
	p->written = false;
	p->cas_sent = false;
	p->refused = false;
	p->hold_until_ms = 0;
	p->why = why;
	snprintf(p->ref.host, sizeof(p->ref.host), "%s", host);
	p->ref.epoch = a->epoch;
	p->ref.generation = generation + 1;
	*b = p->ref;
	a->move_begun_offered = false;
	p->sent_ms = now_ms;
	p->begun_ms = now_ms;
	p->scan_id = a->chosen_id;
	a->chosen_id = 0;
	/*
	 * Our record on it first (a read, then a write: on_proposal_reply()),
	 * and only then offered: the peer's yes makes it the one witness it
	 * fails over through, and should we die before its yes reaches us,
	 * a takeover there must find our record, not an older one, which is
	 * never acted on (rule 4).
	 */
	send_witness(a, now_ms, host, WITNESS_OP_READ, 0, 0, 0, 0);
	because(a, "writing our record on %s (generation %llu) before proposing it as the witness in place of %s (%s)",
		host, (unsigned long long)p->ref.generation,
		a->agreed.host[0] ? a->agreed.host : "none", why);
}

/*
 * Our record is on the proposed host, its lease holding us until
 * @hold_until: offered to the peer until it answers, never withdrawn
 * before (its yes may be lost), and on our disk first, so that a restart
 * knows the peer may fail over through that host only.
 */
static void offer(struct arbiter *a, uint64_t now_ms, uint64_t hold_until)
{
	struct arbiter_proposal *p = &a->proposal;
	struct arbiter_durable next = a->durable;

	next.proposed = p->ref;
	if (!write_down(a, &next)) {
		p->open = false;
		because(a, "could not write down the move to witness %s: not proposing it",
			p->ref.host);
		return;
	}
	p->open = true;
	p->written = true;
	if (arbiter_same_witness(&a->move_begun, &p->ref))
		a->move_begun_offered = true;
	p->hold_until_ms = hold_until;
	p->renewed_ms = now_ms;
	p->sent_ms = now_ms;
	send_proposal(a);
	because(a, "proposed %s as the witness (generation %llu) in place of %s (%s); waiting for %s to confirm",
		p->ref.host, (unsigned long long)p->ref.generation,
		a->agreed.host[0] ? a->agreed.host : "none", p->why ? p->why : "a restart",
		a->peer);
}

/*
 * The move we offered is settled by the peer's no, which is final (or
 * by what shows it never said yes, settle_offered()): let go of it, on
 * disk first. Returns false when that write failed: still offered.
 */
static bool withdraw(struct arbiter *a)
{
	struct arbiter_durable next = a->durable;

	a->proposal.open = false;
	memset(&next.proposed, 0, sizeof(next.proposed));
	/*
	 * A withdrawal not written down is none: the disk, and a->durable,
	 * which every later write starts from, still hold the offer, and a
	 * restart would be in doubt again, with no peer left, perhaps, to
	 * settle it (h93 v3). In doubt until it is written, and tried again
	 * every heartbeat-ms (witness_step()): the peer that settled it may
	 * be dead by then, and say nothing more (h94 v1, v3).
	 */
	if (!write_down(a, &next)) {
		a->proposal.open = true;
		a->proposal.refused = true;
		return false;
	}
	a->proposal.refused = false;
	return true;
}

/*
 * The peer agreed to the move we offered (its yes, or its heartbeat
 * naming it): the new host is the agreed witness, its lease our hold.
 * Until that is on our disk, the move stays offered: both leases hold us.
 */
static void take_offered(struct arbiter *a)
{
	struct arbiter_proposal *p = &a->proposal;

	if (!agree(a, p->ref.host, p->ref.epoch, p->ref.generation)) {
		because(a, "%s agreed on witness %s, but it could not be written down here: holding on both witnesses",
			a->peer, p->ref.host);
		return;
	}
	p->open = false;
	forget_refusals(a);
	if (a->role != ARBITER_ACTIVE || p->ref.epoch != a->epoch) {
		because(a, "%s agreed on witness %s (generation %llu), which holds our record",
			a->peer, p->ref.host, (unsigned long long)p->ref.generation);
		return;
	}
	a->agreed_written = true;
	a->witness_hold_until_ms = p->hold_until_ms;
	a->witness_renewed_ms = p->renewed_ms;
	because(a, "active at epoch %llu: our record written on witness %s (generation %llu), which %s agreed to",
		(unsigned long long)a->epoch, p->ref.host, (unsigned long long)p->ref.generation,
		a->peer);
}

/*
 * What the peer's heartbeat names settles the move we offered: that
 * move, agreed (our yes lost); or a newer witness, which the peer agreed
 * to or took over through, so that it never agrees to ours. The newer
 * one settles it only once it is on our disk as the agreed witness: the
 * peer may have taken over through our move and fail over only through
 * the newer one now, and the one we had agreed is then free for a
 * takeover of ours the peer never sees (spin found two actives so, a
 * write failing here; arbiter_test.c:
 * a_move_settled_by_a_newer_witness_not_written_down_stays_in_doubt).
 */
static void settle_offered(struct arbiter *a, uint64_t now_ms, const struct wire_heartbeat *hb)
{
	const struct wire_witness_ref *w = &hb->witness;
	struct arbiter_proposal *p = &a->proposal;

	if (!offered(p) || !w->host[0])
		return;
	if (arbiter_same_witness(w, &p->ref)) {
		take_offered(a);
		return;
	}
	if (!newer(&p->ref, w->epoch, w->generation)) {
		/*
		 * An older witness, named by the peer at an epoch above our
		 * move's that is on its disk: it is active at it (claimed, or
		 * gone above, on disk first), or it promises at it (promise()
		 * writes it down first, unless the witness it agreed holds it,
		 * and that one would be newer than our move). It says no to
		 * any move from below that epoch, after a restart too
		 * (on_propose()); had it said yes to ours, the witness it
		 * agreed, on its disk too, would be ours or a newer one. So it
		 * never will: the move is settled as refused (helper-85: a move
		 * offered unheard, or whose no was lost, kept us from any
		 * takeover for good once that peer died). So too when a
		 * non-active's disk holds a claim above the epoch it names
		 * (WIRE_HEARTBEAT_CLAIMED_ABOVE), and that one is at least our
		 * move's (h93 v4): on_propose() says no below the claim.
		 */
		bool above = (hb->epoch > p->ref.epoch &&
			      (hb->role == ARBITER_ACTIVE || hb->promise_ms)) ||
			     (hb->role != ARBITER_ACTIVE && hb->epoch >= p->ref.epoch &&
			      (hb->flags & WIRE_HEARTBEAT_CLAIMED_ABOVE));

		if (above && withdraw(a))
			because(a, "%s is above epoch %llu on its disk and names witness %s (generation %llu), older than %s, which we offered at that epoch: it never agreed to it",
				a->peer, (unsigned long long)p->ref.epoch, w->host,
				(unsigned long long)w->generation, p->ref.host);
		else if (above)
			because(a, "%s never agreed to witness %s, which we offered, but letting go of it could not be written down: in doubt until it is",
				a->peer, p->ref.host);
		return;
	}
	/*
	 * Newer than our move: a newer epoch, whose witness the peer may
	 * have reached through ours. No lease of ours holds us any more, the
	 * old witness's least of all (spin found an active back on it alone).
	 */
	if (a->role == ARBITER_ACTIVE) {
		a->epoch = w->epoch > a->epoch ? w->epoch : a->epoch;
		demote(a, now_ms);
	}
	if (!agree(a, w->host, w->epoch, w->generation)) {
		because(a, "%s names witness %s (epoch %llu generation %llu), newer than %s, which we offered, but it could not be written down: no takeover until it is",
			a->peer, w->host, (unsigned long long)w->epoch,
			(unsigned long long)w->generation, p->ref.host);
		return;
	}
	because(a, "%s names witness %s (epoch %llu generation %llu), newer than %s, which we offered: let go of it",
		a->peer, w->host, (unsigned long long)w->epoch,
		(unsigned long long)w->generation, p->ref.host);
}

/*
 * The move's write: our record on the agreed witness over the one its
 * read found. Sent again every heartbeat-ms until answered (witness_step()),
 * as the read is: on a lossy path one write and one answer are each a
 * gamble. A copy that comes after the first wrote it is answered as a
 * renewal (witness.c: decide()).
 */
static void send_move(struct arbiter *a, uint64_t now_ms)
{
	struct arbiter_proposal *p = &a->proposal;

	send_witness(a, now_ms, p->ref.host, WITNESS_OP_CAS, p->read_epoch, p->read_generation,
		     p->ref.epoch, p->ref.generation);
}

/*
 * The agreed witness, on disk on both sides, is to carry our record: read
 * it, then write it (on_proposal_reply()). From now on the standby fails
 * over only through it, so a lease on the old one no longer counts.
 */
static void write_agreed(struct arbiter *a, uint64_t now_ms)
{
	struct arbiter_proposal *p = &a->proposal;

	a->witness_hold_until_ms = 0;
	p->open = true;
	p->agreed = true;
	p->cas_sent = false;
	p->ref = a->agreed;
	p->sent_ms = now_ms;
	send_witness(a, now_ms, p->ref.host, WITNESS_OP_READ, 0, 0, 0, 0);
}

/*
 * Rule 4: through the agreed witness only, with the epoch raised. When
 * the record there is already ours (a takeover granted, whose answer came
 * too late to act on), renewing it is enough: a renewal writes nothing,
 * so its answer comes back in time even from a slow store.
 */
static bool take_over(struct arbiter *a, uint64_t now_ms)
{
	uint64_t known = a->epoch > a->agreed.epoch ? a->epoch : a->agreed.epoch;
	struct arbiter_durable next = a->durable;
	/* Asked again while unanswered: the same epoch. */
	uint64_t epoch = a->takeover_epoch > known ? a->takeover_epoch : next_epoch(a, known);

	if (a->takeover_epoch < known)
		a->takeover_epoch = 0;	/* a newer epoch is known: that claim is void */
	if (a->takeover_epoch && a->takeover_epoch == a->agreed.epoch) {
		send_witness(a, now_ms, a->agreed.host, WITNESS_OP_CAS, a->agreed.epoch,
			     a->agreed.generation, a->agreed.epoch, a->agreed.generation);
		return true;
	}
	/* Claimed on disk first: a restart must never take it again. */
	next.epoch = epoch;
	if (epoch > a->durable.epoch && !write_down(a, &next)) {
		because(a, "could not write down epoch %llu before claiming it: no takeover",
			(unsigned long long)epoch);
		return false;
	}
	a->takeover_epoch = epoch;
	send_witness(a, now_ms, a->agreed.host, WITNESS_OP_CAS, a->agreed.epoch,
		     a->agreed.generation, epoch, a->agreed.generation + 1);
	return true;
}

/*
 * Whether both managers see the agreed witness: we do, and the peer has
 * not said otherwise of it (it could not fail over through it) in its
 * heartbeats over grace-ms: a standby just started says so until its
 * first availability report, or its first answer from the witness, comes
 * (sees_agreed()), and a flag lost with a heartbeat or two is not a
 * witness lost.
 */
static bool both_see_agreed(const struct arbiter *a, uint64_t now_ms)
{
	return sees_agreed(a, now_ms) &&
	       !(peer_alive(a, now_ms) && arbiter_same_witness(&a->peer_witness, &a->agreed) &&
		 a->peer_blind_since_ms &&
		 a->peer_heard_ms - a->peer_blind_since_ms >= a->timing.grace_ms);
}

/*
 * Rule 6, the agreed witness's store unfit (its writes fail, or stayed
 * longer than a takeover there could use): moved to a store known to
 * write in time, or from one that cannot write to a slower one. When no
 * host is known to write better, the witness stays: moving among them
 * would only leave the standby on a witness never written. What a store
 * said is believed for ARBITER_HEALTH_MS, so a store that healed is found
 * again within that.
 */
static void leave_unfit_witness(struct arbiter *a, uint64_t now_ms, enum store_fitness agreed)
{
	const char *how = agreed == STORE_FAILING ? "cannot write" : "writes too slowly for a takeover";
	char host[WIRE_NAME_SIZE];

	if (!peer_alive(a, now_ms) || a->peer_role != ARBITER_STANDBY ||
	    a->peer_epoch != a->epoch) {
		because(a, "witness %s %s, and %s is %s: it stays", a->agreed.host, how, a->peer,
			peer_in_fault(a, now_ms) ? "in fault" : "out of contact");
		return;
	}
	switch (choose_witness(a, now_ms,
			       agreed == STORE_FAILING ? STORE_SLOW : STORE_UNKNOWN, host)) {
	case CHOSEN:
		propose(a, now_ms, host, how);
		break;
	case ASKING:
		because(a, "witness %s %s: asking %s how its store writes", a->agreed.host, how,
			a->scout);
		break;
	case NONE:
		because(a, "witness %s %s, but no other host is known to write better: it stays",
			a->agreed.host, how);
	}
}

/* Rule 3: the lease on the agreed witness renewed, once it is written. */
static void renew_lease(struct arbiter *a, uint64_t now_ms)
{
	const struct arbiter_proposal *p = &a->proposal;

	if (a->agreed_written)
		send_witness(a, now_ms, a->agreed.host, WITNESS_OP_CAS,
			     a->agreed.epoch, a->agreed.generation,
			     a->agreed.epoch, a->agreed.generation);
	/* A move offered holds us by both leases. */
	if (offered(p) && a->role == ARBITER_ACTIVE && p->ref.epoch == a->epoch)
		send_witness(a, now_ms, p->ref.host, WITNESS_OP_CAS, p->ref.epoch,
			     p->ref.generation, p->ref.epoch, p->ref.generation);
}

/* Why active_step() replaces the agreed witness, for the log. */
static const char *replacement_why(const struct arbiter *a, uint64_t now_ms)
{
	if (!a->agreed.host[0])
		return "none agreed yet";
	if (!sees_agreed(a, now_ms))
		return "no report from its host and no answer from its store lately";
	if (!both_see_agreed(a, now_ms))
		return "the standby does not see it";
	if (a->agreed.epoch < a->epoch)
		return "agreed at an older epoch";
	return "its lease not renewed in time";
}

static void active_step(struct arbiter *a, uint64_t now_ms)
{
	enum store_fitness agreed = fitness(a, now_ms, a->agreed.host);
	char host[WIRE_NAME_SIZE];

	renew_lease(a, now_ms);
	if (a->proposal.open)
		return;
	/*
	 * Kept while it answers: a round trip too slow for its lease to hold
	 * us leaves us on the standby's promise, and another host would be
	 * no nearer for all we know.
	 */
	if (both_see_agreed(a, now_ms) &&
	    (a->witness_hold_until_ms > now_ms ||
	     (a->agreed_written && now_ms - a->witness_renewed_ms < witness_wait_ms(a, now_ms)))) {
		if (agreed >= STORE_SLOW)
			leave_unfit_witness(a, now_ms, agreed);
		return;
	}
	/* Rule 6: a new witness only while both managers agree on it. */
	if (!peer_alive(a, now_ms) || a->peer_role != ARBITER_STANDBY ||
	    a->peer_epoch != a->epoch) {
		because(a, "witness %s lost and %s %s: holding on the standby's promise until it ends",
			a->agreed.host[0] ? a->agreed.host : "(none)", a->peer,
			peer_in_fault(a, now_ms) ? "in fault" : "out of contact");
		return;
	}
	/*
	 * Agreed at our epoch but not written (the answer to the write was
	 * lost, or it timed out): write it again rather than choose anew, up
	 * to ARBITER_WRITE_TRIES times.
	 */
	if (!a->agreed_written && a->agreed.epoch == a->epoch &&
	    both_see_agreed(a, now_ms) && !refused(a, now_ms, a->agreed.host) &&
	    agreed != STORE_FAILING) {
		write_agreed(a, now_ms);
		because(a, "writing our record on witness %s (generation %llu), agreed with %s",
			a->agreed.host, (unsigned long long)a->agreed.generation, a->peer);
		return;
	}
	switch (choose_replacement(a, now_ms, host)) {
	case CHOSEN:
		propose(a, now_ms, host, replacement_why(a, now_ms));
		break;
	case ASKING:
		because(a, "witness %s lost: asking %s how its store writes",
			a->agreed.host[0] ? a->agreed.host : "(none)", a->scout);
		break;
	case NONE:
		if (a->agreed_written && a->agreed.epoch == a->epoch && sees_agreed(a, now_ms))
			because(a, "witness %s kept: %s says it cannot fail over through it, but no other host is available or agreed to",
				a->agreed.host, a->peer);
		else
			because(a, "active at epoch %llu on %s's promise alone: no host is available to be the witness",
				(unsigned long long)a->epoch, a->peer);
	}
}

/*
 * Rule 1: both managers in contact and neither active. The preferred one
 * claims a new epoch (on disk first) and becomes active as soon as a
 * heartbeat of the peer's at that epoch promises to keep still
 * (on_heartbeat()): two managers in contact need no witness to agree,
 * since the peer takes over only after its promise ended. The witness
 * is chosen next, by the active (rule 6).
 */
static void claim(struct arbiter *a, uint64_t now_ms)
{
	struct arbiter_durable next = a->durable;
	uint64_t known = a->epoch > a->peer_epoch ? a->epoch : a->peer_epoch;

	if (claim_stands(a)) {
		uint64_t slowest = arbiter_slowest_round_trip(a, &a->peer_round_trips, now_ms);

		if (a->claim_too_slow)
			because(a, "no manager is active: claimed epoch %llu, but round trips to %s of up to %llu ms leave too little of its promise to take the role (more than %u ms must be left: heartbeat-ms and a quarter, and half a heartbeat-ms for each role lost lately)",
				(unsigned long long)a->claim_epoch, a->peer,
				(unsigned long long)(slowest > a->claim_age_ms ? slowest : a->claim_age_ms),
				(unsigned int)(take_up_spare_ms(&a->timing) + lapse_spare_ms(a)));
		else
			because(a, "no manager is active: claimed epoch %llu, waiting for %s's promise",
				(unsigned long long)a->claim_epoch, a->peer);
		return;
	}
	if (a->agreed.epoch > known)
		known = a->agreed.epoch;
	next.epoch = next_epoch(a, known);
	if (!write_down(a, &next)) {
		because(a, "could not write down epoch %llu before claiming it: no manager is active",
			(unsigned long long)next.epoch);
		return;
	}
	/*
	 * Not our epoch until the promise at it comes: an active we have not
	 * heard of yet is not to be refused as older meanwhile.
	 */
	a->claim_epoch = next.epoch;
	a->claim_too_slow = false;
	a->claimed_ms = now_ms;
	because(a, "no manager is active: claimed epoch %llu, waiting for %s's promise",
		(unsigned long long)a->claim_epoch, a->peer);
	/* Tell the peer now rather than at the next heartbeat. */
	send_heartbeat(a, now_ms, false);
}

/*
 * A standby asks the agreed witness's store each heartbeat-ms (a read,
 * which changes nothing there), so that what it tells the active it sees
 * (sees_agreed()) is whether it could take over through it: its reports
 * can stop while the store answers (a starved relay), and come while its
 * requests are lost on the way (a firewall dropping one direction).
 */
static void look_at_agreed(struct arbiter *a, uint64_t now_ms)
{
	if (a->agreed.host[0])
		send_witness(a, now_ms, a->agreed.host, WITNESS_OP_READ, 0, 0, 0, 0);
}

static void inactive_step(struct arbiter *a, uint64_t now_ms)
{
	bool alive = peer_alive(a, now_ms);
	char why[WIRE_NAME_SIZE + 64];

	if (alive) {
		look_at_agreed(a, now_ms);
		if (a->peer_role == ARBITER_ACTIVE && a->peer_epoch >= a->epoch)
			return;
	}
	if (alive && !peer_in_fault(a, now_ms)) {
		if (a->preferred)
			claim(a, now_ms);
		else if (arbiter_slowest_round_trip(a, &a->peer_round_trips, now_ms) >
			 arbiter_take_up_round_trip_ms(&a->timing, a->timing.grace_ms))
			/* What stops the peer too, as far as we can tell. */
			because(a, "no manager is active: waiting for %s, the preferred one, to take the role, but round trips to it of up to %llu ms leave too little of a promise to take it",
				a->peer,
				(unsigned long long)arbiter_slowest_round_trip(a, &a->peer_round_trips,
									      now_ms));
		else
			because(a, "no manager is active: waiting for %s, the preferred one, to take the role",
				a->peer);
		return;
	}
	a->claim_epoch = 0;
	if (alive)
		snprintf(why, sizeof(why), "%s is in fault: it can promise nothing", a->peer);
	else
		snprintf(why, sizeof(why), "%s silent for %u ms or more", a->peer,
			 a->timing.grace_ms);
	/*
	 * Rule 4: the peer is lost, or in fault; the agreed witness decides.
	 * But not before every promise we made it has ended: the last one,
	 * or the longest we may have made before a restart, counted from our
	 * start.
	 */
	if (now_ms < a->promised_until_ms) {
		because(a, "%s: keeping our promise to %s for %llu ms more before any takeover",
			why, a->peer, (unsigned long long)(a->promised_until_ms - now_ms));
		return;
	}
	if (!a->agreed.host[0]) {
		because(a, "%s, and no witness was ever agreed: waiting for the cluster to form", why);
		return;
	}
	/*
	 * We offered a move and have no answer: the peer may fail over
	 * through either witness, and we know not which (rule 6).
	 */
	if (offered(&a->proposal)) {
		because(a, "%s, but %s may have agreed to witness %s, which we offered: no takeover until it answers",
			why, a->peer, a->proposal.ref.host);
		return;
	}
	if (!take_over(a, now_ms))
		return;
	because(a, "%s: asking witness %s to hand over%s%s%s", why, a->agreed.host,
		a->witness_answer[0] ? " (last answer: " : "", a->witness_answer,
		a->witness_answer[0] ? ")" : "");
}

static void witness_step(struct arbiter *a, uint64_t now_ms)
{
	struct arbiter_proposal *p = &a->proposal;

	/*
	 * A write that is not answered in time is given up; a move offered
	 * never is: the peer's yes may be lost, and its no is final. It is
	 * offered again each heartbeat-ms until the peer's answer, or a newer
	 * witness it names (settle_offered()), settles it.
	 */
	if (p->open && !offered(p) && now_ms - p->sent_ms >= witness_wait_ms(a, now_ms)) {
		p->open = false;
		because(a, "writing witness %s timed out", p->ref.host);
		/* A store that never answers the write is left (rule 6). */
		if (++a->write_timeouts >= ARBITER_WRITE_TRIES) {
			a->write_timeouts = 0;
			refuse(a, now_ms, p->ref.host);
		}
	}
	if (offered(p) && p->refused && withdraw(a))
		because(a, "%s never agreed to witness %s, which we offered: let go of it, now written down",
			a->peer, p->ref.host);
	if (offered(p))
		send_proposal(a);
	else if (p->open && !p->cas_sent)
		send_witness(a, now_ms, p->ref.host, WITNESS_OP_READ, 0, 0, 0, 0);
	else if (p->open)
		send_move(a, now_ms);
	if (a->role == ARBITER_ACTIVE)
		active_step(a, now_ms);
	else if (!p->open || offered(p))
		inactive_step(a, now_ms);
}

/*
 * From when a hold until @until, @hold_ms long from each answer on a
 * path whose answers take up to @round_trip_ms, is near its end: once
 * the answer due a heartbeat-ms after the last is half a heartbeat-ms
 * late, one more lost would cost it; and at least that round trip and
 * half a heartbeat-ms before it ends, for what is asked again to come
 * back in time (on a path near the edge of its hold, always).
 */
static uint64_t near_end_ms(const struct arbiter *a, uint64_t until, uint64_t hold_ms,
			    uint64_t round_trip_ms)
{
	uint64_t hb = a->timing.heartbeat_ms;
	uint64_t overdue = hold_ms > round_trip_ms + hb + hb / 2 ?
				   hold_ms - round_trip_ms - hb - hb / 2 : 0;
	uint64_t ahead = round_trip_ms + hb / 2;

	if (overdue > ahead)
		ahead = overdue;
	return until > ahead ? until - ahead : 0;
}

/* The witness's lease near its end (0: it holds nothing to keep). */
static uint64_t lease_near_end_ms(const struct arbiter *a, uint64_t now_ms)
{
	return near_end_ms(a, witness_hold(a), lease_hold_ms(a),
			   arbiter_slowest_round_trip(a, &a->witness_round_trips, now_ms));
}

/* The active's role near its end: the standby's promise and the lease, both. */
static uint64_t role_near_end_ms(const struct arbiter *a, uint64_t now_ms)
{
	uint64_t promise = near_end_ms(a, a->standby_hold_until_ms,
				       arbiter_hold_ms(&a->timing,
						       arbiter_true_ms(&a->timing, a->timing.grace_ms)),
				       arbiter_slowest_round_trip(a, &a->peer_round_trips, now_ms));
	uint64_t lease = lease_near_end_ms(a, now_ms);

	return promise > lease ? promise : lease;
}

/* Requests sent within hold(lease-ms): those whose answers could still hold us. */
static unsigned int requests_out(const struct arbiter *a, uint64_t now_ms)
{
	uint64_t hold = lease_hold_ms(a);
	unsigned int i, n = 0;

	for (i = 0; i < ARBITER_REQUESTS; i++)
		n += a->requests[i].host[0] && now_ms - a->requests[i].token < hold;
	return n;
}

/* A takeover out and still standing (inactive_step()): asked again until answered. */
static bool taking_over(const struct arbiter *a, uint64_t now_ms)
{
	return a->role != ARBITER_ACTIVE && a->takeover_epoch && !a->proposal.open &&
	       (!peer_alive(a, now_ms) || peer_in_fault(a, now_ms)) &&
	       now_ms >= a->promised_until_ms && a->agreed.host[0];
}

/*
 * When ask_again_if_urgent() first has something to ask again: the
 * active's role or its held lease near its end, a takeover out at once;
 * UINT64_MAX when nothing is to be asked.
 */
static uint64_t urgent_from_ms(const struct arbiter *a, uint64_t now_ms)
{
	uint64_t from;

	if (a->role != ARBITER_ACTIVE)
		return taking_over(a, now_ms) ? now_ms : UINT64_MAX;
	from = role_near_end_ms(a, now_ms);
	if (witness_hold(a) > now_ms && lease_near_end_ms(a, now_ms) < from)
		from = lease_near_end_ms(a, now_ms);
	return from;
}

/*
 * Asked again every heartbeat-ms / ARBITER_URGENT_SPLIT rather than at the
 * next beat, and a single answer that comes back ends it: the standby and
 * the witness when the active's role is near its end; the witness alone
 * when its lease is (lost renewals are not a lost witness); and a
 * takeover while it is out (the copies in flight, answered as renewals,
 * carry the new active until its own renewals come back). Witness
 * requests asked again never fill more than half the request table with
 * requests that could still hold us: a full table forgets the oldest.
 */
static void ask_again_if_urgent(struct arbiter *a, uint64_t now_ms)
{
	uint32_t every = a->timing.heartbeat_ms / ARBITER_URGENT_SPLIT;
	bool active = a->role == ARBITER_ACTIVE;
	bool role = active && now_ms >= role_near_end_ms(a, now_ms);
	bool lease = active && witness_hold(a) > now_ms &&
		     now_ms >= lease_near_end_ms(a, now_ms);
	bool takeover = taking_over(a, now_ms);
	bool room = requests_out(a, now_ms) < ARBITER_REQUESTS / 2;

	if (!(role || lease || takeover) || now_ms < a->next_urgent_ms)
		return;
	a->next_urgent_ms = now_ms + (every ? every : 1);
	a->asked_again++;
	if (role && now_ms < a->next_heartbeat_ms)
		send_heartbeat(a, now_ms, false);
	if ((role || lease) && room && now_ms < a->next_witness_ms)
		renew_lease(a, now_ms);
	if (takeover && room && now_ms < a->next_witness_ms)
		take_over(a, now_ms);
}

void arbiter_hosts_changed(struct arbiter *a)
{
	start_scan(a);
}

void arbiter_resumed(struct arbiter *a, uint64_t now_ms, uint64_t meant_ms)
{
	uint64_t late_ms = now_ms - meant_ms;

	/* Sooner than a heartbeat: the datagrams of that time wait to be read. */
	if (now_ms <= meant_ms || late_ms <= a->timing.heartbeat_ms)
		return;
	a->resumed_ms = now_ms;
	/*
	 * The longest stop since the peer was heard, not their sum: a
	 * daemon that runs a few ms in every second would otherwise take
	 * grace-ms of running, many seconds, to find a dead peer silent.
	 * Bounded, so that the sum with grace-ms cannot wrap.
	 */
	if (late_ms > ARBITER_DEAF_MS_MAX)
		late_ms = ARBITER_DEAF_MS_MAX;
	if (a->peer_heard_ms && late_ms > a->peer_deaf_ms)
		a->peer_deaf_ms = late_ms;
}

void arbiter_tick(struct arbiter *a, uint64_t now_ms)
{
	bool alive = peer_alive(a, now_ms);

	if (a->role == ARBITER_ACTIVE && now_ms >= arbiter_hold_until(a)) {
		if (a->lapses < ARBITER_LAPSES_MAX)
			a->lapses++;
		because(a, "stepped down: neither %s nor the witness %s answered in time",
			a->peer, a->agreed.host[0] ? a->agreed.host : "(none)");
		demote(a, now_ms);
	} else if (a->role == ARBITER_ACTIVE) {
		/* Only a role held that long says the links carry one now. */
		if (now_ms - a->role_since_ms >= ARBITER_LAPSE_MS)
			a->lapses = 0;
	} else {
		probe_disk(a, now_ms);
		if (alive)
			set_role(a, now_ms, in_contact_role(a, now_ms));
		else if (a->role != ARBITER_FAULT && (a->role != ARBITER_STARTUP ||
			 now_ms - a->started_ms >= a->timing.grace_ms)) {
			/* The witness step may say more; this one is true at once. */
			because(a, "%s silent for %u ms or more", a->peer, a->timing.grace_ms);
			set_role(a, now_ms, ARBITER_FAULT);
		}
	}
	ask_again_if_urgent(a, now_ms);
	if (now_ms >= a->next_heartbeat_ms)
		send_heartbeat(a, now_ms, false);
	if (now_ms >= a->next_witness_ms) {
		a->next_witness_ms = now_ms + a->timing.heartbeat_ms;
		witness_step(a, now_ms);
	}
}

uint64_t arbiter_next_ms(const struct arbiter *a)
{
	uint64_t next = a->next_heartbeat_ms;
	uint64_t urgent = urgent_from_ms(a, a->io.now(a->io.ctx));

	if (a->next_witness_ms < next)
		next = a->next_witness_ms;
	if (a->next_urgent_ms > urgent)
		urgent = a->next_urgent_ms;
	if (urgent < next)
		next = urgent;
	if (a->role == ARBITER_ACTIVE && arbiter_hold_until(a) < next)
		next = arbiter_hold_until(a);
	return next;
}

/*
 * The promise in a standby's heartbeat @hb at our epoch: until when it
 * holds us (0: none), counted from the send of the token it echoes, which
 * must be one of ours since @since.
 */
static uint64_t standby_promise_until(const struct arbiter *a, uint64_t now_ms,
				      const struct wire_heartbeat *hb, uint64_t epoch,
				      uint64_t since)
{
	/* A standby whose disk fails is in fault, and keeps what its disk holds. */
	if ((hb->role != ARBITER_STANDBY && hb->role != ARBITER_FAULT) ||
	    hb->epoch != epoch || !hb->promise_ms ||
	    hb->echo < since || hb->echo > now_ms || hb->promise_ms > ARBITER_PROMISE_MS_MAX)
		return 0;
	/* As long as the standby says it keeps still, not as we would. */
	return hb->echo + arbiter_hold_ms(&a->timing, hb->promise_ms);
}

/*
 * Rule 6, the second step made safe against loss: the standby names in
 * its heartbeats the witness it wrote down. One newer than ours at our
 * epoch is one we proposed and it said yes to: its answer may have been
 * lost, but it now fails over only through that one, so it is ours too.
 */
static void follow_standbys_witness(struct arbiter *a, uint64_t now_ms,
				    const struct wire_heartbeat *hb)
{
	const struct wire_witness_ref *w = &hb->witness;
	struct arbiter_proposal *p = &a->proposal;

	if (hb->role != ARBITER_STANDBY || hb->epoch != a->epoch || w->epoch != a->epoch ||
	    !newer(&a->agreed, w->epoch, w->generation) || offered(p) ||
	    (p->open && newer(w, p->ref.epoch, p->ref.generation)))
		return;
	if (!agree(a, w->host, w->epoch, w->generation)) {
		because(a, "%s wrote down witness %s (generation %llu), but it could not be written down here",
			a->peer, w->host, (unsigned long long)w->generation);
		return;
	}
	forget_refusal_of(a, w->host);
	write_agreed(a, now_ms);
	because(a, "%s agreed on witness %s (generation %llu): writing our record on it",
		a->peer, w->host, (unsigned long long)w->generation);
}

/*
 * What a heartbeat of the peer's gives whatever order it came in (the
 * promise it makes, and the round trip an answer measures, are facts
 * that no later heartbeat undoes), and rule 1's use of it: an active's
 * hold extended, or our claim taken up. True when nothing more is to be
 * taken from it: refused for its epoch, or we are (still) active.
 */
static bool take_promise(struct arbiter *a, uint64_t now_ms, const struct wire_heartbeat *hb)
{
	uint64_t until;

	/* An answer echoes the heartbeat it answers: a true round trip. */
	if ((hb->flags & WIRE_HEARTBEAT_ANSWER) && hb->echo >= a->started_ms &&
	    hb->echo <= now_ms) {
		a->round_trip_ms = now_ms - hb->echo;
		note_round_trip(a, &a->peer_round_trips, now_ms, hb->echo);
	}

	if (hb->epoch < a->epoch && hb->role == ARBITER_ACTIVE) {
		a->stale_epoch_refused++;
		because(a, "%s claims to be active at epoch %llu, older than ours (%llu): refused",
			a->peer, (unsigned long long)hb->epoch,
			(unsigned long long)a->epoch);
		return true;
	}
	if (a->role == ARBITER_ACTIVE) {
		if (hb->role == ARBITER_ACTIVE) {
			/* Only a newer epoch can exist; we slept through a takeover. */
			a->epoch = hb->epoch > a->epoch ? hb->epoch : a->epoch;
			because(a, "%s is active at epoch %llu: rejoined as standby",
				a->peer, (unsigned long long)hb->epoch);
			demote(a, now_ms);
		} else {
			until = standby_promise_until(a, now_ms, hb, a->epoch, a->started_ms);
			if (until > a->standby_hold_until_ms)
				a->standby_hold_until_ms = until;
			follow_standbys_witness(a, now_ms, hb);
		}
		if (a->role == ARBITER_ACTIVE)
			return true;
	}
	/* Rule 1: our claim, and the standby's promise at it. */
	if (claim_stands(a)) {
		uint64_t now = a->io.now(a->io.ctx);

		until = standby_promise_until(a, now_ms, hb, a->claim_epoch, a->claimed_ms);
		a->claim_too_slow = until && !may_take_up(a, now, until, now - hb->echo,
							  &a->peer_round_trips);
		if (a->claim_too_slow)
			a->claim_age_ms = now - hb->echo;
		if (until && !a->claim_too_slow) {
			a->epoch = a->claim_epoch;
			a->claim_epoch = 0;
			a->standby_hold_until_ms = until;
			a->witness_hold_until_ms = 0;
			a->agreed_written = false;
			because(a, "active at epoch %llu on %s's promise; choosing a witness next",
				(unsigned long long)a->epoch, a->peer);
			set_role(a, now_ms, ARBITER_ACTIVE);
			return true;
		}
	}
	return false;
}

/*
 * @overtaken: a newer heartbeat of the peer's came first (the replay
 * window lets the reordered through). What it says the peer was (role,
 * epoch, token, witness seen) would undo what the newer one said, and is
 * not taken; its promise and its round trip are facts whatever the order.
 */
static void on_heartbeat(struct arbiter *a, uint64_t now_ms,
			 const struct wire_heartbeat *hb, bool overtaken)
{
	if (overtaken) {
		a->heartbeats_overtaken++;
		take_promise(a, now_ms, hb);
		return;
	}
	a->peer_heard_ms = now_ms;
	a->peer_deaf_ms = 0;
	a->peer_role = hb->role;
	a->peer_epoch = hb->epoch;
	a->peer_claimed_above = hb->flags & WIRE_HEARTBEAT_CLAIMED_ABOVE;
	a->peer_token = hb->token;
	/*
	 * A heartbeat that names no witness says nothing of one (none agreed
	 * yet, or a manager just started: named_witness()): what we count
	 * stands, across a death of the peer too. A peer back after silence
	 * says "seen" or "not seen" only once it knows; "not seen" then
	 * continues what its last life said, and a standby that crash-loops
	 * cut from the witness has it moved, whatever the length of its
	 * deaths.
	 */
	if (hb->witness.host[0]) {
		if (!arbiter_same_witness(&a->peer_witness, &hb->witness))
			a->peer_blind_since_ms = 0;	/* another witness: nothing said of it yet */
		a->peer_witness = hb->witness;
		a->peer_sees_witness = hb->flags & WIRE_HEARTBEAT_SEES_WITNESS;
		if (a->peer_sees_witness)
			a->peer_blind_since_ms = 0;
		else if (!a->peer_blind_since_ms)
			a->peer_blind_since_ms = now_ms;
	}
	settle_offered(a, now_ms, hb);
	if (take_promise(a, now_ms, hb))
		return;
	/*
	 * A claim at or below an epoch we claimed ourselves: that claim may
	 * have been granted, and we active at it, with the record it wrote
	 * never written down here (our disk failed). No promise at it: our
	 * heartbeats name our highest claim instead, and the peer claims
	 * above it. An active's epoch is never refused this way.
	 */
	if (hb->role != ARBITER_ACTIVE && hb->epoch > a->epoch && hb->epoch <= a->durable.epoch)
		a->epoch = a->durable.epoch;
	if (hb->epoch > a->epoch)
		a->epoch = hb->epoch;
	if (hb->witness.host[0] &&
	    newer(&a->agreed, hb->witness.epoch, hb->witness.generation)) {
		/* Ours is superseded, written down or not; one offered is settle_offered()'s. */
		if (!offered(&a->proposal))
			a->proposal.open = false;
		if (!agree(a, hb->witness.host, hb->witness.epoch, hb->witness.generation))
			because(a, "%s names witness %s (generation %llu), but it could not be written down: keeping %s",
				a->peer, hb->witness.host,
				(unsigned long long)hb->witness.generation,
				a->agreed.host[0] ? a->agreed.host : "none");
	}
	if (hb->role == ARBITER_ACTIVE) {
		if (!offered(&a->proposal))
			a->proposal.open = false;
		a->takeover_epoch = 0;
		a->claim_epoch = 0;
		because(a, "following %s, active at epoch %llu", a->peer,
			(unsigned long long)hb->epoch);
	} else if (a->role != in_contact_role(a, now_ms)) {
		because(a, "in contact with %s (%s); no manager is active yet", a->peer,
			arbiter_role_name(hb->role));
	}
	set_role(a, now_ms, in_contact_role(a, now_ms));
	/*
	 * Not active, we answer a heartbeat at once (not one that is itself
	 * an answer): the promise in ours then holds the peer a round trip
	 * less than it says, not a round trip and up to a heartbeat-ms less,
	 * and a claim is taken up one heartbeat sooner.
	 */
	if (!(hb->flags & WIRE_HEARTBEAT_ANSWER))
		send_heartbeat(a, now_ms, true);
}

/*
 * Rule 2, for a host too far from us: no to a host whose store answers
 * too slowly for a takeover through it (any answer within
 * answer_seen_ms() slower than far_round_trip_ms()), so that the active
 * moves the witness to one we could fail over through. But a far witness beats none: the same host
 * offered again (the active found no other to offer) gets a yes while we
 * see no agreed witness, or tell the active we could take over through
 * it (then the active moves it for its own sake: it lost it, or its
 * store is unfit). Else, the agreed one far too, a no again (one far
 * host for another would move the witness on and on), and the agreed one
 * counts as seen for half of ARBITER_REFUSED_MS, so that the active stops
 * offering one host after another, each refused at once: half, so that
 * when it offers again, the host refused last is still refused there and
 * another is offered first (one that came back near since).
 */
static bool too_far_to_agree(struct arbiter *a, uint64_t now_ms, const struct wire_propose *pr)
{
	struct arbiter_host_note *e = note_of(a, now_ms, pr->host, false);
	uint64_t slowest;

	if (!e)
		return false;
	slowest = slowest_within(&e->round_trips, now_ms, answer_seen_ms(a, now_ms));
	if (slowest <= far_round_trip_ms(a, e))
		return false;
	/* Offered again: a proposal after the one we said no to. */
	if (e->far_refused_ms && now_ms - e->far_refused_ms < 2 * ARBITER_REFUSED_MS &&
	    pr->generation > e->far_refused_generation) {
		if (!sees_agreed(a, now_ms) || could_take_over_through_agreed(a, now_ms))
			return false;
		a->far_kept_until_ms = now_ms + ARBITER_REFUSED_MS / 2;
	}
	e->far_refused_ms = now_ms;
	e->far_refused_generation = pr->generation;
	because(a, "answered no to witness %s proposed by %s: its round trips of up to %llu ms leave too little of a lease for a takeover through it (more than %llu ms)",
		pr->host, a->peer, (unsigned long long)slowest,
		(unsigned long long)far_round_trip_ms(a, e));
	return true;
}

/* Whether our no to a proposal as new as @pr was given: then it is final. */
static bool refused_before(const struct arbiter *a, const struct wire_propose *pr)
{
	return pr->epoch < a->durable.refused_epoch ||
	       (pr->epoch == a->durable.refused_epoch &&
		pr->generation <= a->durable.refused_generation);
}

/*
 * Our no to @pr, on disk before it is sent: the proposer then lets go of
 * the host it wrote first, so a later copy of @pr, or of an older one,
 * must never get a yes, across our restart too.
 */
static bool refuse_for_good(struct arbiter *a, const struct wire_propose *pr)
{
	struct arbiter_durable next = a->durable;

	if (!refused_before(a, pr)) {
		next.refused_epoch = pr->epoch;
		next.refused_generation = pr->generation;
	}
	return write_down(a, &next);
}

static void answer_proposal(struct arbiter *a, const struct wire_propose *pr, bool yes)
{
	struct arbiter_out *out = emit(a, ARBITER_SEND_PEER, a->peer, WIRE_PROPOSE_REPLY);

	if (out) {
		out->msg.propose = *pr;
		out->msg.propose.accepted = yes;
	}
}

/*
 * The peer proposes a witness: agree if we see it too (rule 2), and could
 * take over through it. Either answer is on our disk before it is sent,
 * and never changes: a yes makes it the one witness we fail over through,
 * a no lets the peer forget it. A proposal no newer than the witness we
 * agreed to is answered only if it is that one (our yes lost); else our
 * heartbeats, naming the newer one, settle it.
 */
static void on_propose(struct arbiter *a, uint64_t now_ms,
		       const struct wire_propose *pr)
{
	bool again = !strcmp(pr->host, a->agreed.host) && pr->epoch == a->agreed.epoch &&
		     pr->generation == a->agreed.generation;
	uint64_t known = a->epoch > a->durable.epoch ? a->epoch : a->durable.epoch;
	/* Read before our yes makes it the agreed one. */
	bool left_far = a->agreed.host[0] && strcmp(pr->host, a->agreed.host) &&
			far_host(a, now_ms, a->agreed.host);
	bool open = a->role != ARBITER_ACTIVE && pr->epoch >= known && !refused_before(a, pr);
	const char *no = NULL;
	bool far = false;

	if (!newer(&a->agreed, pr->epoch, pr->generation)) {
		if (again)
			answer_proposal(a, pr, true);
		return;
	}
	/*
	 * Another host than the agreed one: its reports are not enough, its
	 * store must have answered us (we could not take over through it
	 * otherwise), and missing reports are no reason for a no either (a
	 * starved relay's reports come late; a no would have it refused).
	 * Not answered lately: asked now, and the yes given at a next copy
	 * of the proposal (a heartbeat-ms apart) once it answered; asked in
	 * vain at every copy for twice the wait for an answer, no (and asked
	 * again all the same: a path healed since shows at the next try).
	 */
	if (open && strcmp(pr->host, a->agreed.host) && !store_answered(a, now_ms, pr->host)) {
		send_witness(a, now_ms, pr->host, WITNESS_OP_READ, 0, 0, 0, 0);
		if (!store_overdue(a, now_ms, pr->host))
			return;
		no = "its store does not answer us";
	} else if (a->role == ARBITER_ACTIVE) {
		no = "we are active";
	} else if (pr->epoch < known) {
		/* From an active whose epoch we, or a claim of ours, passed. */
		no = "it comes from an epoch older than ours";
	} else if (refused_before(a, pr)) {
		no = "we said no to it, or to a newer one, before";
	} else if (!sees_host(a, now_ms, pr->host)) {
		no = "we do not see it";
	} else if (too_far_to_agree(a, now_ms, pr)) {
		no = "too far";
		far = true;
	}
	/* The yes is a promise to fail over only through it: on disk first. */
	if (!no && !agree(a, pr->host, pr->epoch, pr->generation)) {
		because(a, "could not write down witness %s proposed by %s: no answer until it can",
			pr->host, a->peer);
		return;
	}
	if (no && !refuse_for_good(a, pr)) {
		because(a, "could not write down our no to witness %s proposed by %s: no answer until it can",
			pr->host, a->peer);
		return;
	}
	if (!no) {
		if (left_far)
			a->left_far_ms = now_ms;
		forget_refusals(a);
		because(a, "agreed on witness %s (generation %llu) proposed by %s",
			pr->host, (unsigned long long)pr->generation, a->peer);
	} else if (!far) {	/* too_far_to_agree() said why */
		because(a, "answered no to witness %s (generation %llu) proposed by %s: %s",
			pr->host, (unsigned long long)pr->generation, a->peer, no);
	}
	answer_proposal(a, pr, !no);
}

static void on_propose_reply(struct arbiter *a, uint64_t now_ms,
			     const struct wire_propose *pr)
{
	struct arbiter_proposal *p = &a->proposal;

	if (!offered(p) || strcmp(pr->host, p->ref.host) ||
	    pr->epoch != p->ref.epoch || pr->generation != p->ref.generation)
		return;
	if (pr->accepted) {
		take_offered(a);
		return;
	}
	/* Final: the peer never fails over through it, so its lease holds us no more. */
	refuse(a, now_ms, pr->host);	/* the peer may not see it */
	because(a, "%s said no to witness %s (generation %llu): its log says why%s",
		a->peer, pr->host, (unsigned long long)pr->generation,
		withdraw(a) ? "" : "; letting go of it could not be written down: in doubt until it is");
}

/*
 * Our record is on @host at its epoch: we may act @until the lease it
 * granted runs out, counted from our request's send time. Nothing is
 * written here: the record on the witness is what a restart finds again
 * (rule 4's conflict answer shows it). The hold is checked on the clock
 * as it is now, after whatever slow step came before, and a manager whose
 * hold is already over does not become active at all.
 */
static void became_active(struct arbiter *a, uint64_t until, uint64_t sent_ms,
			  const struct wire_record *rec, const char *host)
{
	uint64_t now_ms = a->io.now(a->io.ctx);
	uint64_t round_trip_ms = now_ms > sent_ms ? now_ms - sent_ms : 0;

	snprintf(a->agreed.host, sizeof(a->agreed.host), "%s", host);
	a->agreed.epoch = rec->epoch;
	a->agreed.generation = rec->generation;
	a->agreed_written = true;
	a->epoch = rec->epoch;
	a->proposal.open = false;
	a->standby_hold_until_ms = 0;
	a->witness_hold_until_ms = until;
	if (!may_take_up(a, now_ms, until, round_trip_ms, &a->witness_round_trips)) {
		/* The record is ours: take_over() renews it next. */
		a->witness_hold_until_ms = 0;
		a->takeover_epoch = rec->epoch;
		snprintf(a->witness_answer, sizeof(a->witness_answer),
			 "done after a %llu ms round trip (the slowest lately %llu ms): too slow to take the role",
			 (unsigned long long)round_trip_ms,
			 (unsigned long long)arbiter_slowest_round_trip(a, &a->witness_round_trips, now_ms));
		because(a, "witness %s granted epoch %llu, %s (a slow store, or a round trip near lease-ms)",
			host, (unsigned long long)rec->epoch, a->witness_answer);
		return;
	}
	a->witness_answer[0] = '\0';
	a->witness_renewed_ms = now_ms;
	a->takeover_epoch = 0;
	because(a, "active at epoch %llu through witness %s", (unsigned long long)a->epoch, host);
	set_role(a, now_ms, ARBITER_ACTIVE);
}

/* Whether @w says that our write of @ref is there: a write, done, of our record at @ref. */
static bool written_there(const struct arbiter *a, const struct wire_witness *w,
			  const struct wire_witness_ref *ref)
{
	return w->op == WITNESS_OP_CAS && w->status == WITNESS_DONE &&
	       !strcmp(w->record.active, a->self) && w->record.epoch == ref->epoch &&
	       w->record.generation == ref->generation;
}

/*
 * The write of a move, answered after it was given up (a slow store):
 * still the move to offer, unless another one was begun since, or it is
 * no longer ours to make.
 */
static bool late_move_write(const struct arbiter *a, const struct wire_witness *w)
{
	const struct arbiter_proposal *p = &a->proposal;

	return !p->open && !p->written && !p->agreed && a->role == ARBITER_ACTIVE &&
	       p->ref.epoch == a->epoch && written_there(a, w, &p->ref);
}

static void on_proposal_reply(struct arbiter *a, uint64_t now_ms, const char *host,
			      const struct wire_witness *w, const struct arbiter_request *req)
{
	struct arbiter_proposal *p = &a->proposal;
	const struct wire_record *rec = &w->record;
	bool ours = written_there(a, w, &p->ref);

	if (offered(p)) {
		/* Its lease renewed while the move is offered (renew_lease()). */
		if (ours) {
			uint64_t until = lease_hold_until(a, req, w);

			p->renewed_ms = now_ms;
			if (until > p->hold_until_ms)
				p->hold_until_ms = until;
		}
		return;
	}
	/* What was asked before this move began is not its answer, but our record there is. */
	if (req->token < p->begun_ms && !ours)
		return;
	if (w->op == WITNESS_OP_READ && !p->cas_sent) {
		if (w->status != WITNESS_DONE && w->status != WITNESS_EMPTY) {
			because(a, "witness %s answered %s", host, witness_status_name(w->status));
			p->open = false;
			refuse(a, now_ms, host);
			return;
		}
		p->cas_sent = true;
		p->read_epoch = rec->epoch;
		p->read_generation = rec->generation;
		/* Each step has its own wait: a slow round trip is not a lost one. */
		p->sent_ms = now_ms;
		send_move(a, now_ms);
		return;
	}
	if (w->op != WITNESS_OP_CAS)
		return;
	p->open = false;
	if (!ours) {
		because(a, "could not write witness %s: %s", host,
			witness_status_name(w->status));
		refuse(a, now_ms, host);
		return;
	}
	/* Written before it is offered; or agreed already (the same host, further on). */
	if (!p->agreed && newer(&a->agreed, p->ref.epoch, p->ref.generation)) {
		offer(a, now_ms, lease_hold_until(a, req, w));
		return;
	}
	/* The agreed witness moved on meanwhile: this lease holds nothing of it. */
	if (!arbiter_same_witness(&a->agreed, &p->ref)) {
		because(a, "our record is on witness %s (generation %llu), but %s (generation %llu) is agreed now",
			host, (unsigned long long)p->ref.generation, a->agreed.host,
			(unsigned long long)a->agreed.generation);
		return;
	}
	a->agreed_written = true;
	forget_refusals(a);
	a->witness_renewed_ms = now_ms;
	a->witness_hold_until_ms = lease_hold_until(a, req, w);
	because(a, "active at epoch %llu: our record written on witness %s (generation %llu)",
		(unsigned long long)a->epoch, host, (unsigned long long)rec->generation);
}

static void on_witness_reply(struct arbiter *a, uint64_t now_ms,
			     const char *host, const struct wire_witness *w)
{
	const struct wire_record *rec = &w->record;
	struct arbiter_request req;
	bool ours;

	if (!answered_request(a, host, w, &req)) {
		a->replies_unasked++;
		return;
	}
	note_round_trip(a, &a->witness_round_trips, now_ms, req.token);
	note_store(a, now_ms, host, w, req.token);

	if (strcmp(rec->cluster, a->cluster) && w->status != WITNESS_EMPTY &&
	    w->status != WITNESS_CORRUPT)
		return;
	/* A newer epoch anywhere means a newer active: step aside. */
	if (rec->epoch > a->epoch && strcmp(rec->active, a->self)) {
		a->epoch = rec->epoch;
		if (a->role == ARBITER_ACTIVE) {
			because(a, "witness %s names %s active at epoch %llu: stepped down",
				host, rec->active, (unsigned long long)rec->epoch);
			demote(a, now_ms);
		}
	}
	if (!strcmp(host, a->agreed.host)) {
		a->witness_lease_left_ms = w->lease_left_ms;
		a->witness_replied_ms = now_ms;
		/* The same host, further on: still the one both agreed on. */
		if (rec->epoch && newer(&a->agreed, rec->epoch, rec->generation) &&
		    !agree(a, host, rec->epoch, rec->generation))
			because(a, "witness %s holds generation %llu, but it could not be written down",
				host, (unsigned long long)rec->generation);
	}
	if (!strcmp(host, a->proposal.ref.host) && (a->proposal.open || late_move_write(a, w))) {
		on_proposal_reply(a, now_ms, host, w, &req);
		return;
	}
	if (w->op != WITNESS_OP_CAS || strcmp(host, a->agreed.host))
		return;
	ours = w->status == WITNESS_DONE && !strcmp(rec->active, a->self);
	if (a->role == ARBITER_ACTIVE) {
		/* At the agreed record's epoch too, once written: we went above the standby's claim. */
		if (ours && rec->generation == a->agreed.generation &&
		    (rec->epoch == a->epoch ||
		     (a->agreed_written && rec->epoch == a->agreed.epoch))) {
			uint64_t until = lease_hold_until(a, &req, w);

			/* Our record is on it, even if the write's answer came late. */
			if (!a->agreed_written)
				forget_refusals(a);
			a->agreed_written = true;
			a->witness_renewed_ms = now_ms;
			if (until > a->witness_hold_until_ms)
				a->witness_hold_until_ms = until;
		} else if (w->status != WITNESS_DONE && req.token >= a->role_since_ms) {
			/* Not a copy of the takeover still in flight: a renewal. */
			because(a, "witness %s refused the renewal: %s", host,
				witness_status_name(w->status));
		}
		return;
	}
	if (ours && a->takeover_epoch && rec->epoch == a->takeover_epoch) {
		/*
		 * Only while the takeover still stands: the peer silent or in
		 * fault, every promise to it over, no newer epoch known. A slow
		 * answer can come after the peer is back and we promised at its
		 * claim.
		 */
		if ((peer_alive(a, now_ms) && !peer_in_fault(a, now_ms)) ||
		    now_ms < a->promised_until_ms || rec->epoch < a->epoch) {
			a->takeover_epoch = 0;
			because(a, "witness %s granted epoch %llu, but %s is back in contact or a newer epoch is known: not acting on it",
				host, (unsigned long long)rec->epoch, a->peer);
			return;
		}
		became_active(a, lease_hold_until(a, &req, w), req.token, rec, host);
		return;
	}
	switch (w->status) {
	case WITNESS_LEASE_HELD:
		snprintf(a->witness_answer, sizeof(a->witness_answer),
			 "%s's lease runs %u ms more", rec->active, w->lease_left_ms);
		because(a, "witness %s: %s", host, a->witness_answer);
		break;
	case WITNESS_CONFLICT:
	case WITNESS_EMPTY:
		if (!rec->epoch || rec->epoch < a->agreed.epoch ||
		    (rec->epoch == a->agreed.epoch && rec->generation < a->agreed.generation)) {
			/*
			 * The agreed record was never written there, or the
			 * store lost it (its disk went back): an older record
			 * is not acted on.
			 */
			uint64_t slowest = slowest_within(&a->witness_round_trips, now_ms,
							  ARBITER_SLOW_ANSWER_MS);

			because(a, "witness %s holds %s epoch %llu generation %llu, older than the record agreed (epoch %llu generation %llu): not used (never written there, or the store lost it; its round trips lately up to %llu ms)",
				host, rec->epoch ? rec->active : "no record:",
				(unsigned long long)rec->epoch,
				(unsigned long long)rec->generation,
				(unsigned long long)a->agreed.epoch,
				(unsigned long long)a->agreed.generation,
				(unsigned long long)slowest);
		}
		break;
	default:
		snprintf(a->witness_answer, sizeof(a->witness_answer), "%s",
			 witness_status_name(w->status));
		because(a, "witness %s answered %s", host, a->witness_answer);
	}
}

void arbiter_receive(struct arbiter *a, uint64_t now_ms,
		     const struct wire_message *msg)
{
	switch (msg->type) {
	case WIRE_HEARTBEAT:
		if (strcmp(msg->sender, a->peer))
			break;
		/* Numbers grow across the peer's restarts (sequence.h). */
		on_heartbeat(a, now_ms, &msg->heartbeat, msg->seq < a->peer_seq);
		if (msg->seq > a->peer_seq)
			a->peer_seq = msg->seq;
		break;
	case WIRE_PROPOSE:
		if (!strcmp(msg->sender, a->peer))
			on_propose(a, now_ms, &msg->propose);
		break;
	case WIRE_PROPOSE_REPLY:
		if (!strcmp(msg->sender, a->peer))
			on_propose_reply(a, now_ms, &msg->propose);
		break;
	case WIRE_WITNESS_REPLY:
		on_witness_reply(a, now_ms, msg->sender, &msg->witness);
		break;
	default:
		break;
	}
}
