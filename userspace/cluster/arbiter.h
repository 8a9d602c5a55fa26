/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The arbiter: which of two managers is active, decided through a witness
 * record on a managed host (US10430217B2). Pure logic: time and messages
 * come in as arguments, and what the arbiter wants done (datagrams to
 * send, state to persist, a role change) comes out in its outbox, so the
 * daemon and the deterministic tests drive the very same code.
 *
 * The rules and the timing argument are in Documentation/arbitration.rst.
 * In short, an active manager acts only while it holds one of two
 * promises, each counted from the send time of a request the promiser
 * answered, each as long as the promiser said (in true time), and
 * shortened for our clock's drift and a margin:
 *   - the lease the witness store granted (renewed every heartbeat), or
 *   - the standby's promise not to take over before it has heard nothing
 *     for the time it states in its heartbeat.
 * The standby takes over only through a compare-and-swap on the witness
 * both agreed on, which the witness store grants only after the lease ran
 * out by its own clock, and which raises the epoch.
 */
#ifndef AVAILCTL_ARBITER_H
#define AVAILCTL_ARBITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

enum arbiter_role {
	ARBITER_STARTUP = 0,	/* just started: nothing decided yet */
	ARBITER_STANDBY,	/* in contact with the peer, not active */
	ARBITER_ACTIVE,
	ARBITER_FAULT,		/* not active: not in contact with the peer, or our disk fails */
	ARBITER_ROLES,
};

const char *arbiter_role_name(enum arbiter_role role);

struct arbiter_timing {
	uint32_t heartbeat_ms;	/* heartbeats, lease renewals, retries */
	uint32_t grace_ms;	/* peer silence after which it is lost */
	uint32_t lease_ms;	/* the witness lease */
	uint32_t drift_ppm;	/* bound on any clock's rate error */
	uint32_t margin_ms;	/* scheduling delay allowed for acting on time */
};

/*
 * Checks @t against the rules it must satisfy; returns 0, or -1 with the
 * broken rule in @why.
 */
int arbiter_timing_check(const struct arbiter_timing *t, char *why,
			 size_t why_size);

/*
 * The least true time @ms of our clock can last, with its rate within
 * drift-ppm of true: what we promise others when we promise @ms.
 */
uint32_t arbiter_true_ms(const struct arbiter_timing *t, uint32_t ms);

/*
 * How long, on our clock, a promise lasting at least @true_ms of true
 * time from a moment no earlier than our send time lets us act: shortened
 * by our clock's drift and by the margin.
 */
uint64_t arbiter_hold_ms(const struct arbiter_timing *t, uint32_t true_ms);

/*
 * The longest round trip, in ms, that lets a role be taken up on a
 * promise of @promise_ms (the peer's grace-ms, or a store's lease-ms, on
 * their clocks, with @t's drift for both): the hold it gives must outlast
 * heartbeat-ms and a quarter after the answer (arbiter.c: may_take_up()).
 * 0 when none does. Documentation/arbitration.rst, "Timing".
 */
uint64_t arbiter_take_up_round_trip_ms(const struct arbiter_timing *t, uint32_t promise_ms);

/* The longest promise a peer may state (grace-ms's range). */
#define ARBITER_PROMISE_MS_MAX 600000

/* What the arbiter keeps on disk, and finds again when it restarts. */
struct arbiter_durable {
	struct wire_witness_ref agreed;	/* the witness both managers agreed on */
	/*
	 * The highest epoch this manager claimed (asked a witness for), so
	 * that a restart never takes it again. Not the epoch it knows in use:
	 * a claim may never have been granted.
	 */
	uint64_t epoch;
	/*
	 * The longest silence this manager may have promised its peer, by
	 * its own clock: a restart keeps it from its start.
	 */
	uint32_t promise_ms;
	/*
	 * The move this manager offered its peer and has no answer to
	 * (host "": none): the peer may have said yes, so that it fails over
	 * only through that host, whose record we wrote first. A restart
	 * takes over through no witness until the peer's answer, or a newer
	 * witness it names, settles it (arbitration.rst, rule 6).
	 */
	struct wire_witness_ref proposed;
	/*
	 * The newest proposal of the peer's this manager said no to, by
	 * epoch and generation: that no is final, so that the proposer may
	 * let go of the witness it wrote first; a later copy of it, or of an
	 * older one, gets no yes.
	 */
	uint64_t refused_epoch;
	uint64_t refused_generation;
};

struct arbiter_out;

/*
 * The number a host goes by in a scan for a witness (arbiter.c:
 * choose_witness()): its place among the configured hosts, 0 to
 * ARBITER_SCAN_HOSTS - 1, the same for each host until the configuration
 * changes (arbiter_hosts_changed()).
 */
#define ARBITER_SCAN_HOSTS 131072
/* Whether @host, host number @id, may be the next witness (arbiter.c). */
typedef bool arbiter_host_filter(void *arg, const char *host, unsigned int id);

/* What the arbiter asks of the world around it: the daemon, or a test. */
struct arbiter_io {
	void *ctx;
	/* Whether @host is available, by the host table. */
	bool (*available)(void *ctx, const char *host);
	/*
	 * The most available host @eligible lets through: its name and
	 * number (ARBITER_SCAN_HOSTS) in @host and @id. False if none.
	 */
	bool (*pick)(void *ctx, arbiter_host_filter *eligible, void *arg,
		     char host[WIRE_NAME_SIZE], unsigned int *id);
	/*
	 * Makes @state durable: written, fsynced, renamed over the old
	 * state, the directory fsynced. Returns 0, or -1 when a step failed,
	 * the old state then still on disk. The arbiter sends nothing and
	 * adopts nothing that depends on @state until this returned 0.
	 */
	int (*persist)(void *ctx, const struct arbiter_durable *state);
	/* The clock again, in ms: a step before may have been slow. */
	uint64_t (*now)(void *ctx);
	/*
	 * Sends @out's datagram at once, not when the outbox is drained:
	 * what the active asks for before a write blocks the daemon
	 * (arbiter.c: write_down()). NULL: it waits in the outbox.
	 */
	void (*send)(void *ctx, struct arbiter_out *out);
};

enum arbiter_out_kind {
	ARBITER_SEND_PEER,	/* msg to the other manager */
	ARBITER_SEND_HOST,	/* msg to the witness store on host `to` */
	ARBITER_ROLE_CHANGED,	/* run the hooks, log */
};

/* The reason for the last decision, NUL included: bytes. */
#define ARBITER_REASON_SIZE 320

struct arbiter_out {
	enum arbiter_out_kind kind;
	char to[WIRE_NAME_SIZE];
	struct wire_message msg;	/* type and body; the daemon signs it */
	/*
	 * ARBITER_ROLE_CHANGED: the role entered, its epoch, and for active
	 * the hold it entered with: the daemon logs the change as active
	 * only while that hold still runs (its hook is held to the hold as
	 * renewed since, hooks.c). One call can
	 * change the role twice, so the arbiter's role when the daemon
	 * drains may already be the next one.
	 */
	enum arbiter_role role;
	uint64_t epoch;
	uint64_t hold_until_ms;
	/*
	 * Why the role changed, as said then: later decisions of the same
	 * call (the witness step) say their own reason in arbiter.reason.
	 */
	char reason[ARBITER_REASON_SIZE];
};

#define ARBITER_OUTBOX 8

/* A witness request still waiting for its answer. */
struct arbiter_request {
	char host[WIRE_NAME_SIZE];	/* "": a free slot */
	uint8_t op;
	uint64_t token;			/* our clock when sent */
	uint32_t lease_ms;		/* CAS: the lease asked for */
};

#define ARBITER_REQUESTS 128

/*
 * Round trips remembered, for taking up a role (arbiter.c: may_take_up()):
 * the slowest of those of the last ARBITER_ROUND_TRIPS heartbeat-ms counts.
 */
#define ARBITER_ROUND_TRIPS 8
/* A witness request waits twice the slowest answer of this long back (arbiter.c). */
#define ARBITER_SLOW_ANSWER_MS 30000
/*
 * A role lost to a hold that ran out asks for half a heartbeat-ms more to
 * spare at the next take-up, up to ARBITER_LAPSES_MAX of them, until a
 * role was held ARBITER_LAPSE_MS.
 */
#define ARBITER_LAPSES_MAX 4
#define ARBITER_LAPSE_MS 30000
/* The longest stop that arbiter_resumed() credits the peer with: a day. */
#define ARBITER_DEAF_MS_MAX 86400000ull
/*
 * A hold near its end (arbiter.c: near_end_ms()), or a takeover out, is
 * asked for again every heartbeat-ms divided by this
 * (ask_again_if_urgent()): often enough that, at 30 % lost each way, a
 * run of lost datagrams does not cost the role in 300 s.
 */
#define ARBITER_URGENT_SPLIT 10

struct arbiter_round_trips {
	uint32_t ms[ARBITER_ROUND_TRIPS];
	uint64_t at_ms[ARBITER_ROUND_TRIPS];	/* when measured; 0: none */
	unsigned int next;
};

/*
 * What a manager knows of each host as a witness (arbiter.c, rule 6):
 * whether the peer said no to it, or its store failed a read or write
 * (then it is not chosen, for ARBITER_REFUSED_MS), what its store last
 * said of its writes (believed for ARBITER_HEALTH_MS or three
 * heartbeat-ms), whether it answers what we ask (sees_host(),
 * store_overdue()), and how fast (far_host(): too slow for a takeover
 * through it for ARBITER_SLOW_MS). An entry is reused once nothing in it
 * is believed any more, else the one believed of least (arbiter.c:
 * note_of()).
 */
#define ARBITER_HOSTS_KNOWN 64
#define ARBITER_REFUSED_MS 10000
/* At least; and three heartbeat-ms (arbiter.c: health_ms()). */
#define ARBITER_HEALTH_MS 5000
/* Reads of a scan for a witness whose answers are awaited (arbiter.c: scan_answered()). */
#define ARBITER_SCOUTS 64
/* An entry of a store we asked in vain is kept this long after the last ask. */
#define ARBITER_UNANSWERED_MS 60000
/* A store is slow once its writes stayed too slow for a takeover this long. */
#define ARBITER_SLOW_MS 2000
/* A standby has the witness moved for its distance at most once this long (arbiter.c). */
#define ARBITER_FAR_MOVES_MS 30000
/* A disk that failed a write is written to again this often (arbiter.c: probe_disk()). */
#define ARBITER_DISK_PROBE_MS 1000
/* And says fault at least this long after the last failure (arbiter.c: disk_failing()). */
#define ARBITER_DISK_FAULT_MS 1000
/*
 * Times the write of an agreed witness may go unanswered before it is
 * left; and a proposal of one host before it is passed over in the scan.
 */
#define ARBITER_WRITE_TRIES 3

struct arbiter_host_note {
	char host[WIRE_NAME_SIZE];	/* "": a free slot */
	uint64_t refused_until_ms;
	uint64_t health_until_ms;	/* 0: nothing heard */
	bool writes_failing;		/* as its store last said */
	uint32_t write_ms;
	uint64_t slow_since_ms;		/* too slow in every answer since; 0: not */
	uint64_t answered_ms;		/* its store's last answer to us; 0: none */
	uint64_t asked_ms;		/* our first request since that answer; 0: none */
	uint64_t last_asked_ms;		/* our latest request */
	struct arbiter_round_trips round_trips;	/* its store's answers to us */
	uint32_t lease_ms;		/* the lease its record last showed; 0: none seen */
	uint64_t far_since_ms;		/* too far for a takeover in every answer since; 0: not */
	uint64_t far_refused_ms;	/* a standby's no to it as too far; 0: none */
	uint64_t far_refused_generation;	/* the proposal that no was to */
};

/*
 * A move of the witness, the active's side (rule 6): our record written
 * on the new host first (read, then write), then offered to the peer until
 * it answers. Or, agreed already (the peer named it first), written.
 */
struct arbiter_proposal {
	bool open;
	bool agreed;		/* the peer accepted; reading, then writing */
	bool written;		/* ours is on it: offered to the peer, on our disk */
	bool cas_sent;		/* read answered; the write is out */
	bool refused;		/* offered, and the peer never agreed: let go of once written down */
	uint64_t hold_until_ms;	/* written: until when its lease holds us */
	uint64_t renewed_ms;	/* written: its last "done" to our write or renewal */
	const char *why;	/* why it is moved, for the log; NULL: offered again at a restart */
	uint64_t read_epoch;	/* the record the read found, the write expects */
	uint64_t read_generation;
	struct wire_witness_ref ref;
	uint64_t sent_ms;	/* its step's request sent: each step has its own wait */
	uint64_t begun_ms;	/* propose()d */
	unsigned int scan_id;	/* its number + 1, if a scan chose it; 0: not */
};

struct arbiter {
	/* Configuration. */
	char cluster[WIRE_NAME_SIZE];
	char self[WIRE_NAME_SIZE];
	char peer[WIRE_NAME_SIZE];
	bool preferred;			/* we become active when both start */
	bool odd_epochs;		/* ours are odd: our name sorts first */
	struct arbiter_timing timing;
	struct arbiter_io io;

	/* State. */
	enum arbiter_role role;
	uint64_t epoch;			/* the highest we know */
	struct wire_witness_ref agreed;	/* persisted */
	bool agreed_written;		/* active: our record is on it */
	uint64_t takeover_epoch;	/* the epoch our takeover asks for */
	uint64_t claim_epoch;		/* claimed, to be active on the standby's promise */
	uint64_t claimed_ms;		/* when */
	bool claim_too_slow;		/* the promise at it came back too late */
	uint64_t claim_age_ms;		/* its age then: sent to received */
	uint64_t role_since_ms;
	uint64_t started_ms;
	struct arbiter_durable durable;	/* what is on disk */
	uint64_t promised_until_ms;	/* no step against the peer before */

	uint64_t peer_heard_ms;		/* 0: never */
	uint64_t peer_deaf_ms;		/* since then, our longest stop (arbiter_resumed()) */
	uint64_t resumed_ms;		/* back from the last stop (arbiter_resumed()) */
	uint8_t peer_role;
	uint64_t peer_epoch;
	bool peer_claimed_above;	/* its last heartbeat: WIRE_HEARTBEAT_CLAIMED_ABOVE */
	uint64_t peer_token;
	uint64_t peer_seq;		/* the newest heartbeat taken: its datagram number */
	unsigned int lapses;		/* roles lost to a hold that ran out since one was held */
	uint64_t round_trip_ms;		/* the last heartbeat answered: sent to answer */
	struct arbiter_round_trips peer_round_trips;	/* heartbeats answered */
	struct arbiter_round_trips witness_round_trips;	/* witness requests answered */
	struct wire_witness_ref peer_witness;	/* as its last heartbeat named it */
	bool peer_sees_witness;		/* and whether it sees that host */
	uint64_t peer_blind_since_ms;	/* since when it says it does not (0: it does) */

	uint64_t standby_hold_until_ms;
	uint64_t witness_hold_until_ms;
	uint32_t witness_lease_left_ms;	/* as the store last said */
	uint64_t witness_replied_ms;
	uint64_t witness_renewed_ms;	/* its last "done" to our renewal */
	uint64_t left_far_ms;		/* standby: our yes to leave one too far; 0: none */
	uint64_t far_kept_until_ms;	/* standby: the agreed one, far, counts as seen until */

	struct arbiter_proposal proposal;
	/*
	 * The highest generation a move's write was begun at, at its epoch,
	 * on its host, and whether that move was offered: an (epoch,
	 * generation) names one host (propose()).
	 */
	struct wire_witness_ref move_begun;
	bool move_begun_offered;
	struct arbiter_host_note known[ARBITER_HOSTS_KNOWN];
	/*
	 * The scan for a witness (arbiter.c: choose_witness()), a bit for
	 * each host number: the hosts read since it began that have not
	 * answered, and those refused since (refuse()). The reads out, to
	 * find a host's number by its answer; the host read last.
	 */
	uint64_t unanswered[ARBITER_SCAN_HOSTS / 64];
	uint64_t refused[ARBITER_SCAN_HOSTS / 64];
	struct arbiter_scout {
		char host[WIRE_NAME_SIZE];	/* "": none */
		unsigned int id;
	} scouts[ARBITER_SCOUTS];
	unsigned int next_scout;
	char scout[WIRE_NAME_SIZE];
	unsigned int chosen_id;		/* the host to propose next's number + 1; 0: none */
	unsigned int write_timeouts;	/* of the agreed witness's write, in a row */
	struct arbiter_request requests[ARBITER_REQUESTS];
	uint64_t next_heartbeat_ms;
	uint64_t next_witness_ms;	/* renewal, takeover or proposal step */
	uint64_t next_urgent_ms;	/* active, its hold ending: asked again then */

	uint64_t stale_epoch_refused;	/* messages from older epochs */
	uint64_t persist_failed;	/* state that could not be made durable */
	uint64_t write_failed_ms;	/* a durable write last failed; 0: never, or one succeeded since */
	uint64_t disk_failed_ms;	/* a durable write last failed; 0: never */
	uint64_t disk_wrote_ms;		/* a durable write last succeeded; 0: never */
	uint64_t replies_unasked;	/* witness answers to no request outstanding */
	uint64_t heartbeats_overtaken;	/* older than one already taken, ignored */
	uint64_t asked_again;		/* times asked again before the beat */
	char reason[ARBITER_REASON_SIZE];	/* why the last decision was taken */
	char witness_answer[128];	/* the witness's last refusal, for the reason */

	struct arbiter_out out[ARBITER_OUTBOX];
	unsigned int n_out;
};

/*
 * Starts in STARTUP at @now_ms, with the state the last run persisted
 * (@state may be NULL); timing and io must be set.
 */
void arbiter_init(struct arbiter *a, uint64_t now_ms,
		  const struct arbiter_durable *state);

/*
 * The state arbiter_init() was given is not all on disk (writing it back
 * over an older file failed, at @now_ms): the disk counts as failing, so
 * that nothing new is claimed or promised on it, and it is written again
 * every ARBITER_DISK_PROBE_MS until the disk takes it.
 */
void arbiter_state_unwritten(struct arbiter *a, uint64_t now_ms);

/* Whether @a and @b hold the same, every field. */
bool arbiter_durable_same(const struct arbiter_durable *a, const struct arbiter_durable *b);

/*
 * The state to start from, of the two found at start: @file, the state
 * directory's, and @copy, the one a runtime directory kept since boot
 * (the last write done: durable.h). What either promised: the newer
 * agreed witness, the higher epoch, the longer promise, the later no;
 * and the move the copy offered (the file may hold one never offered).
 * Without a copy (after a boot), the file alone is the state.
 */
struct arbiter_durable arbiter_durable_newer(const struct arbiter_durable *file,
					     const struct arbiter_durable *copy);

/*
 * The configured hosts changed (a reload): the hosts' numbers change with
 * them, so a scan for a witness begins anew.
 */
void arbiter_hosts_changed(struct arbiter *a);

/*
 * Timers: heartbeats, renewals, takeover, self-demotion. Call it after
 * arbiter_receive() of what has arrived: it judges the peer silent, or a
 * hold over, by what was received.
 */
void arbiter_tick(struct arbiter *a, uint64_t now_ms);

/*
 * The daemon is back at @now_ms from a pass it meant to begin at @meant_ms;
 * more than a heartbeat-ms late, it did not run meanwhile (stopped,
 * starved, its machine stalled): what it could not hear meanwhile, its
 * socket overflowed or the datagrams too old for the replay window by
 * the time they were read, is not the peer's silence. The peer is judged
 * silent grace-ms, and the longest such stop since it was heard, after it
 * was heard: at most one stop later than without. Round trips of what
 * was out across the stop, back at @now_ms, are not noted.
 */
void arbiter_resumed(struct arbiter *a, uint64_t now_ms, uint64_t meant_ms);

/*
 * An authenticated datagram from the peer or a witness store, in any
 * order: a heartbeat older (by @msg->seq) than one already taken gives
 * its promise, but not what it says the peer was.
 */
void arbiter_receive(struct arbiter *a, uint64_t now_ms,
		     const struct wire_message *msg);

/* Until when the active may act (0 unless active). */
uint64_t arbiter_hold_until(const struct arbiter *a);

/* Whether @a and @b name one witness record: host, epoch and generation. */
bool arbiter_same_witness(const struct wire_witness_ref *a, const struct wire_witness_ref *b);

/* The slowest round trip of @r in the last ARBITER_ROUND_TRIPS heartbeat-ms, in ms. */
uint64_t arbiter_slowest_round_trip(const struct arbiter *a, const struct arbiter_round_trips *r,
				    uint64_t now_ms);

/* Whether @r holds a round trip measured in the last ARBITER_ROUND_TRIPS heartbeat-ms. */
bool arbiter_round_trip_lately(const struct arbiter *a, const struct arbiter_round_trips *r,
			       uint64_t now_ms);

/* The earliest time arbiter_tick() has something to do. */
uint64_t arbiter_next_ms(const struct arbiter *a);

#endif /* AVAILCTL_ARBITER_H */
