// SPDX-License-Identifier: GPL-2.0
/* The witness record's file format and the store's compare-and-swap. */

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>

#include "arbiter.h"
#include "availcast.h"
#include "durable.h"
#include "layout.h"
#include "witness.h"

#define WITNESS_MAGIC "availcast-witness 1\n"

static void checksum_hex(const char *text, size_t len,
			 char hex[2 * crypto_hash_sha256_BYTES + 1])
{
	uint8_t digest[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(digest, (const uint8_t *)text, len);
	sodium_bin2hex(hex, 2 * crypto_hash_sha256_BYTES + 1, digest, sizeof(digest));
}

size_t witness_format(const struct wire_record *record, uint64_t expires_ms,
		      char *buf, size_t size)
{
	char hex[2 * crypto_hash_sha256_BYTES + 1];
	int body, all;

	body = snprintf(buf, size,
			WITNESS_MAGIC "cluster %s\nactive %s\nepoch %" PRIu64
			"\ngeneration %" PRIu64 "\nlease-ms %" PRIu32
			"\nlease-expires-unix-ms %" PRIu64 "\n",
			record->cluster, record->active, record->epoch,
			record->generation, record->lease_ms, expires_ms);
	if (body < 0 || (size_t)body >= size)
		return 0;
	checksum_hex(buf, (size_t)body, hex);
	all = snprintf(buf + body, size - (size_t)body, "checksum %s\n", hex);
	if (all < 0 || (size_t)all >= size - (size_t)body)
		return 0;
	return (size_t)(body + all);
}

/* One "key value\n" line at *pos, the key checked; the value copied. */
static int take_line(const char *text, size_t len, size_t *pos,
		     const char *key, char *value, size_t value_size)
{
	size_t key_len = strlen(key), start, end;

	if (len - *pos <= key_len || memcmp(text + *pos, key, key_len) ||
	    text[*pos + key_len] != ' ')
		return -1;
	start = *pos + key_len + 1;
	/* Printable bytes only: a torn write can leave NULs or garbage. */
	for (end = start; end < len && text[end] != '\n'; end++)
		if (text[end] < ' ' || text[end] > '~')
			return -1;
	if (end == len || end == start || end - start >= value_size)
		return -1;
	memcpy(value, text + start, end - start);
	value[end - start] = '\0';
	*pos = end + 1;
	return 0;
}

/* A decimal u64: digits only, no sign, no leading zero, no overflow. */
static int parse_u64(const char *s, uint64_t *value)
{
	uint64_t v = 0;

	if (!*s || (s[0] == '0' && s[1]))
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*value = v;
	return 0;
}

int witness_parse(const char *text, size_t len, struct wire_record *record,
		  const char **why)
{
	char hex[2 * crypto_hash_sha256_BYTES + 1], value[72];
	uint64_t lease, expires;
	size_t pos = strlen(WITNESS_MAGIC), body_end;

	memset(record, 0, sizeof(*record));
	*why = "truncated or not a witness file";
	if (len < pos || memcmp(text, WITNESS_MAGIC, pos))
		return -1;
	*why = "a line is missing, out of order or malformed";
	if (take_line(text, len, &pos, "cluster", record->cluster, sizeof(record->cluster)) ||
	    take_line(text, len, &pos, "active", record->active, sizeof(record->active)) ||
	    take_line(text, len, &pos, "epoch", value, sizeof(value)) ||
	    parse_u64(value, &record->epoch) ||
	    take_line(text, len, &pos, "generation", value, sizeof(value)) ||
	    parse_u64(value, &record->generation) ||
	    take_line(text, len, &pos, "lease-ms", value, sizeof(value)) ||
	    parse_u64(value, &lease) ||
	    take_line(text, len, &pos, "lease-expires-unix-ms", value, sizeof(value)) ||
	    parse_u64(value, &expires))
		return -1;
	body_end = pos;
	if (take_line(text, len, &pos, "checksum", value, sizeof(value)) || pos != len)
		return -1;
	checksum_hex(text, body_end, hex);
	*why = "checksum mismatch: the file is torn or was changed";
	if (strcmp(hex, value))
		return -1;
	*why = "a name or number is out of range";
	if (!wire_name_valid(record->cluster) || !wire_name_valid(record->active) ||
	    !record->epoch || !record->generation || !lease ||
	    lease > WITNESS_LEASE_MS_MAX)
		return -1;
	record->lease_ms = (uint32_t)lease;
	return 0;
}

static bool same_record(const struct wire_record *a, const struct wire_record *b)
{
	return !strcmp(a->cluster, b->cluster) && !strcmp(a->active, b->active) &&
	       a->epoch == b->epoch && a->generation == b->generation &&
	       a->lease_ms == b->lease_ms;
}

static uint64_t unix_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * Replaces the file with @record; on failure the truth is back on disk.
 * Notes the outcome and its time in the store's write health.
 */
static int write_durably(struct witness_store *store, const struct wire_record *record)
{
	char text[WITNESS_FILE_MAX], old[WITNESS_FILE_MAX];
	size_t len, old_len = 0;
	uint64_t began = availcast_now_ns() / 1000000;
	int failed;

	len = witness_format(record, unix_ms() + record->lease_ms, text, sizeof(text));
	if (store->truth.epoch)
		old_len = witness_format(&store->truth, unix_ms() + store->truth.lease_ms,
					 old, sizeof(old));
	if (!len || (store->truth.epoch && !old_len)) {
		errno = EINVAL;
		return -1;
	}
	failed = durable_file_replace(&store->file, text, len, old_len ? old : NULL,
				      old_len, NULL);
	store->write_error = failed ? (errno ? errno : EIO) : 0;
	store->probes_since_error = 0;
	store->write_ms = (uint32_t)(availcast_now_ns() / 1000000 - began);
	return failed;
}

void witness_store_note_probe(struct witness_store *store, int error, uint32_t took_ms)
{
	store->probe_error = error;
	if (error)
		store->probes_since_error = 0;
	else if (store->write_error && ++store->probes_since_error >= 2)
		store->write_error = 0;	/* the disk writes again */
	store->write_ms = took_ms;
}

bool witness_store_writes_failing(const struct witness_store *store)
{
	return store->write_error || store->probe_error;
}

void witness_store_health(const struct witness_store *store, uint32_t in_flight_ms,
			  uint8_t *flags, uint32_t *write_ms)
{
	*flags = witness_store_writes_failing(store) ? WITNESS_WRITES_FAILING : 0;
	*write_ms = store->write_ms > in_flight_ms ? store->write_ms : in_flight_ms;
}

/* The file as it is: DONE with @record, EMPTY, or CORRUPT (the reason kept). */
static enum witness_status read_file(struct witness_store *store, struct wire_record *record)
{
	char text[WITNESS_FILE_MAX + 1];
	const char *why;
	ssize_t n;
	int fd;

	memset(record, 0, sizeof(*record));
	fd = open(store->file.path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT)
		return WITNESS_EMPTY;
	if (fd < 0) {
		snprintf(store->last_problem, sizeof(store->last_problem),
			 "%s", strerror(errno));
		return WITNESS_CORRUPT;
	}
	n = read(fd, text, sizeof(text));
	close(fd);
	if (n < 0 || n > WITNESS_FILE_MAX) {
		snprintf(store->last_problem, sizeof(store->last_problem),
			 "unreadable or too long");
		return WITNESS_CORRUPT;
	}
	if (witness_parse(text, (size_t)n, record, &why)) {
		snprintf(store->last_problem, sizeof(store->last_problem), "%s", why);
		memset(record, 0, sizeof(*record));
		return WITNESS_CORRUPT;
	}
	if (strcmp(record->cluster, store->cluster)) {
		snprintf(store->last_problem, sizeof(store->last_problem),
			 "it names cluster %s", record->cluster);
		memset(record, 0, sizeof(*record));
		return WITNESS_CORRUPT;
	}
	return WITNESS_DONE;
}

/* A copy's record (the file's text at @path); false when none or bad. */
static bool read_copy(struct witness_store *store, struct wire_record *record)
{
	char text[WITNESS_FILE_MAX + 1];
	const char *why;
	ssize_t n;

	n = durable_file_read(&store->file, true, text, sizeof(text));
	return n >= 0 && !witness_parse(text, (size_t)n, record, &why) &&
	       !strcmp(record->cluster, store->cluster);
}

/*
 * A record this store did not write since it started (found at start, or
 * in a file that came back later: a disk mounted late, a backup restored
 * after a reboot) may carry a lease granted before the restart, to
 * whoever: it is counted from @now_ms, for the longer of its lease and
 * lease-ms, and until then only its holder's renewal is granted.
 */
static void lease_from(struct witness_store *store, uint64_t now_ms)
{
	store->lease_until_ms = now_ms + (store->truth.lease_ms > store->lease_max_ms ?
					  store->truth.lease_ms : store->lease_max_ms);
	store->quarantine_until_ms = store->lease_until_ms;
}

int witness_store_init(struct witness_store *store, const char *state_dir,
		       const char *runtime_dir, const char *cluster, const char *node,
		       const struct arbiter_timing *timing, uint64_t now_ms, char *error,
		       size_t error_size)
{
	char name[WIRE_NAME_SIZE + 16], copy_name[NAME_MAX + 1];
	struct wire_record copy;
	struct stat st;

	memset(store, 0, sizeof(*store));
	if (stat(state_dir, &st) || !S_ISDIR(st.st_mode)) {
		snprintf(error, error_size, "state directory %s: %s", state_dir,
			 errno ? strerror(errno) : "not a directory");
		return -1;
	}
	snprintf(name, sizeof(name), "%s.witness", cluster);
	if (layout_node_file(copy_name, sizeof(copy_name), cluster, node, "witness") ||
	    durable_file_init(&store->file, state_dir, name, runtime_dir, copy_name, 0600)) {
		snprintf(error, error_size, "state directory %s: path too long", state_dir);
		return -1;
	}
	snprintf(store->cluster, sizeof(store->cluster), "%s", cluster);
	witness_store_set_timing(store, timing);
	if (read_file(store, &store->truth) != WITNESS_DONE)
		memset(&store->truth, 0, sizeof(store->truth));
	if (read_copy(store, &copy) &&
	    (copy.epoch > store->truth.epoch ||
	     (copy.epoch == store->truth.epoch && copy.generation > store->truth.generation)))
		store->truth = copy;	/* the next request writes it back */
	if (store->truth.epoch)
		lease_from(store, now_ms);
	return 0;
}

void witness_store_set_timing(struct witness_store *store, const struct arbiter_timing *timing)
{
	store->lease_max_ms = timing->lease_ms;
	store->drift_ppm = timing->drift_ppm;
}

static uint32_t lease_left(const struct witness_store *store, uint64_t now_ms)
{
	return store->lease_until_ms > now_ms ?
		(uint32_t)(store->lease_until_ms - now_ms) : 0;
}

enum witness_status witness_store_read(struct witness_store *store,
				       uint64_t now_ms,
				       struct wire_record *current,
				       uint32_t *lease_left_ms)
{
	enum witness_status found;

	*lease_left_ms = 0;
	found = read_file(store, current);
	if (found == WITNESS_CORRUPT)
		return found;
	if (!store->truth.epoch) {
		/* Nothing promised yet: the file is all there is. */
		if (found == WITNESS_DONE) {
			store->truth = *current;
			lease_from(store, now_ms);
		}
	} else if (found == WITNESS_EMPTY || !same_record(current, &store->truth)) {
		/*
		 * Not what this store promised: a write that failed after its
		 * rename, a file restored from a backup, or removed. Promises
		 * stand: put the truth back before answering anything.
		 */
		snprintf(store->last_problem, sizeof(store->last_problem),
			 "the file held %.31s epoch %llu generation %llu, not the record this store wrote (%.31s epoch %llu generation %llu)",
			 found == WITNESS_EMPTY ? "nothing:" : current->active,
			 (unsigned long long)current->epoch,
			 (unsigned long long)current->generation, store->truth.active,
			 (unsigned long long)store->truth.epoch,
			 (unsigned long long)store->truth.generation);
		memset(current, 0, sizeof(*current));
		if (write_durably(store, &store->truth))
			return WITNESS_IO_ERROR;
		store->restored++;
		*current = store->truth;
		found = WITNESS_DONE;
	}
	*lease_left_ms = lease_left(store, now_ms);
	return found;
}

static enum witness_status decide(const struct witness_store *store,
				  enum witness_status found,
				  const struct wire_record *cur,
				  const char *requester, uint64_t now_ms,
				  uint64_t expect_epoch, uint64_t expect_generation,
				  const struct wire_record *proposed)
{
	bool same_holder, renewal;

	if (found == WITNESS_CORRUPT || found == WITNESS_IO_ERROR)
		return found;
	if (strcmp(proposed->cluster, store->cluster))
		return WITNESS_WRONG_CLUSTER;
	if (strcmp(proposed->active, requester) || !proposed->epoch ||
	    !proposed->generation || !proposed->lease_ms ||
	    proposed->lease_ms > WITNESS_LEASE_MS_MAX)
		return WITNESS_BAD_REQUEST;
	if (found == WITNESS_EMPTY)
		return expect_epoch || expect_generation ? WITNESS_CONFLICT : WITNESS_DONE;
	if (proposed->epoch < cur->epoch)
		return WITNESS_STALE_EPOCH;
	same_holder = !strcmp(cur->active, proposed->active);
	renewal = same_holder && proposed->epoch == cur->epoch &&
		  proposed->generation == cur->generation;
	/*
	 * The record is already the one asked for: a renewal, whatever it
	 * expected. A takeover or a move is sent again every heartbeat-ms
	 * until answered, so the requests after the one that wrote it come
	 * expecting the record before; answered as renewals, they keep the
	 * new holder's lease going while its own renewals are a round trip
	 * away (on slow links, the difference between holding and losing
	 * the role at once).
	 */
	if (renewal)
		return WITNESS_DONE;
	if (expect_epoch != cur->epoch || expect_generation != cur->generation)
		return WITNESS_CONFLICT;
	/* Anything else must move (epoch, generation) forward. */
	if (proposed->epoch == cur->epoch && proposed->generation <= cur->generation)
		return WITNESS_BAD_REQUEST;
	/*
	 * Another holder waits for the lease to run out. After a restart,
	 * so does the recorded holder: the record may have gone back (a
	 * reboot on a restored disk), and the lease may have been granted to
	 * another manager whose record was lost (spin found this).
	 */
	if ((!same_holder || now_ms < store->quarantine_until_ms) && lease_left(store, now_ms))
		return WITNESS_LEASE_HELD;
	return WITNESS_DONE;
}

enum witness_status witness_store_cas(struct witness_store *store,
				      const char *requester, uint64_t now_ms,
				      uint64_t expect_epoch,
				      uint64_t expect_generation,
				      const struct wire_record *proposed,
				      struct wire_record *current,
				      uint32_t *lease_left_ms, uint32_t *granted_ms)
{
	enum witness_status found, status;
	struct wire_record cur, next = *proposed;
	uint32_t granted;
	uint64_t until;

	*granted_ms = 0;
	found = witness_store_read(store, now_ms, &cur, lease_left_ms);
	status = decide(store, found, &cur, requester, now_ms, expect_epoch,
			expect_generation, proposed);
	/*
	 * No longer a lease than this store's own lease-ms: what a restart
	 * counts. The record keeps the longest that may still run while the
	 * holder stays, so that a restart counts that.
	 */
	granted = proposed->lease_ms < store->lease_max_ms ? proposed->lease_ms :
							     store->lease_max_ms;
	next.lease_ms = granted;
	if (found == WITNESS_DONE && !strcmp(cur.active, next.active) &&
	    cur.lease_ms > next.lease_ms)
		next.lease_ms = cur.lease_ms;
	/* Renewals change the lease only: nothing to write. */
	if (status == WITNESS_DONE &&
	    (found == WITNESS_EMPTY || !same_record(&cur, &next)) &&
	    write_durably(store, &next)) {
		snprintf(store->last_problem, sizeof(store->last_problem),
			 "writing the record: %s", strerror(errno));
		status = WITNESS_IO_ERROR;
	}
	if (status == WITNESS_DONE) {
		cur = next;
		store->truth = next;
		/* A shorter lease now cannot shorten one granted before. */
		until = now_ms + granted;
		if (until > store->lease_until_ms)
			store->lease_until_ms = until;
		*granted_ms = (uint32_t)((uint64_t)granted * 1000000 /
					 (1000000 + store->drift_ppm));
	}
	*current = cur;
	*lease_left_ms = lease_left(store, now_ms);
	store->counts[status]++;
	return status;
}

bool witness_cas_expired(const struct wire_witness *q, uint64_t waited_ms)
{
	return q->record.lease_ms && waited_ms >= q->record.lease_ms;
}
