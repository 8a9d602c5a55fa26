/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The witness store: on every host, the witness record of a cluster in
 * <state-dir>/<cluster>.witness. Managers change it only through an
 * authenticated compare-and-swap on (epoch, generation), and a change of
 * active manager or epoch only once the current lease has run out by this
 * host's clock. Every write is made durable (temporary file, fsync,
 * rename, fsync of the directory); the file is checked on every request,
 * and a torn, truncated or corrupt one is reported, never used.
 *
 * The lease is kept in memory, by NODE_CLOCK (CLOCK_BOOTTIME): on start the store
 * counts a recorded lease as if granted at that moment, which is never
 * shorter than the truth.
 */
#ifndef AVAILCTL_WITNESS_H
#define AVAILCTL_WITNESS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "durable.h"
#include "wire.h"

struct arbiter_timing;

#define WITNESS_FILE_MAX	512
#define WITNESS_LEASE_MS_MAX	600000

/* The file's text for @record; returns its length, 0 if it does not fit. */
size_t witness_format(const struct wire_record *record, uint64_t expires_ms,
		      char *buf, size_t size);
/*
 * Parses and checks a witness file's text. Returns 0, or -1 with the
 * reason in @why (a static string).
 */
int witness_parse(const char *text, size_t len, struct wire_record *record,
		  const char **why);

struct witness_store {
	struct durable_file file;
	char cluster[WIRE_NAME_SIZE];
	/*
	 * The record this store last made durable (epoch 0: none): what it
	 * promised. A file that says otherwise (a write that failed half
	 * way, a restored backup) is overwritten with it before anything
	 * else is answered.
	 */
	struct wire_record truth;
	uint64_t lease_until_ms;	/* by NODE_CLOCK */
	uint64_t quarantine_until_ms;	/* the lease counted from the start */
	uint32_t lease_max_ms;		/* this node's lease-ms: no longer lease is granted */
	uint32_t drift_ppm;		/* this node's bound on its clock's error */
	uint64_t counts[WITNESS_STATUSES];
	uint64_t restored;		/* times the file was put back to the truth */
	/*
	 * Write health. The store's own last write's errno value (0: made
	 * durable): it counts until a write of its own succeeds, or two
	 * probes (write_probe.h) did since, the second begun after it. The
	 * probe's last errno value. And the last write's time, either's.
	 */
	int write_error;
	unsigned int probes_since_error;
	int probe_error;
	uint32_t write_ms;
	char last_problem[256];		/* why the file was last refused or restored */
};

/*
 * The store of @cluster's record in @state_dir, with a copy in
 * @runtime_dir (NULL: none) named for @node, granting leases of at most
 * @timing's lease-ms. A record the copy holds newer than the file's is
 * the truth: the file went back since boot. A record found is counted as
 * leased from @now_ms, for the longer of the lease it records and
 * lease-ms: a lease granted before a restart may have been that long,
 * and to whoever: until then only a renewal of the record is granted.
 * Returns 0, or -1 with a message when the state directory is unusable.
 */
int witness_store_init(struct witness_store *store, const char *state_dir,
		       const char *runtime_dir, const char *cluster, const char *node,
		       const struct arbiter_timing *timing, uint64_t now_ms, char *error,
		       size_t error_size);

/* After a reload: lease-ms and drift-ppm as now configured. */
void witness_store_set_timing(struct witness_store *store, const struct arbiter_timing *timing);

/*
 * The current record into @current (zeroed when EMPTY). Returns
 * WITNESS_DONE, WITNESS_EMPTY or WITNESS_CORRUPT; WITNESS_IO_ERROR when
 * the file no longer held what this store promised and could not be put
 * back.
 */
enum witness_status witness_store_read(struct witness_store *store,
				       uint64_t now_ms,
				       struct wire_record *current,
				       uint32_t *lease_left_ms);

/*
 * The compare-and-swap that @requester (authenticated) asks for: replace
 * the record whose (epoch, generation) is (@expect_epoch,
 * @expect_generation) ((0, 0): none yet) with @proposed. @current gets the
 * record as it is afterwards, and @granted_ms the lease granted: no longer
 * than asked nor than lease-ms, in ms of true time at least from now. A
 * write that fails answers WITNESS_IO_ERROR and leaves the record as it
 * was, on disk as in the answer.
 */
enum witness_status witness_store_cas(struct witness_store *store,
				      const char *requester, uint64_t now_ms,
				      uint64_t expect_epoch,
				      uint64_t expect_generation,
				      const struct wire_record *proposed,
				      struct wire_record *current,
				      uint32_t *lease_left_ms, uint32_t *granted_ms);

/*
 * Whether the compare-and-swap @q, which waited @waited_ms between its
 * receipt and its answer, is void and goes unanswered: it waited for
 * the whole lease it asks or longer. Its sender counts the hold a grant
 * gives from its send, so no grant could hold anything for it; a grant
 * would still keep the lease from the other manager for lease-ms from
 * now: a dead active's renewals, found waiting by a store that did not
 * run (stopped, or hung in a write to its disk), would put off the takeover
 * behind them by a lease. Unanswered, it is as if lost, which the
 * sender's next request mends.
 */
bool witness_cas_expired(const struct wire_witness *q, uint64_t waited_ms);

/* The probe's write in the store's directory ended: @error (0: none), @took_ms long. */
void witness_store_note_probe(struct witness_store *store, int error, uint32_t took_ms);

/* Whether the store's own last write, or the probe's, failed. */
bool witness_store_writes_failing(const struct witness_store *store);

/*
 * What a reply says of the store's writes: WITNESS_WRITES_FAILING as
 * witness_store_writes_failing(), and the longer of the
 * last write's time and @in_flight_ms, the time a probe still in
 * progress has taken so far (a disk that hangs).
 */
void witness_store_health(const struct witness_store *store, uint32_t in_flight_ms,
			  uint8_t *flags, uint32_t *write_ms);

#endif /* AVAILCTL_WITNESS_H */
