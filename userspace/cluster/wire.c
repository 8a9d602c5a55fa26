// SPDX-License-Identifier: GPL-2.0
/*
 * Encoding, signing, checking and decoding the daemons' datagrams. The
 * decoder trusts nothing: every length is checked before it is used, the
 * MAC before any body field, and every name for its charset.
 */

#include <stddef.h>
#include <string.h>
#include <sodium.h>

#include "availcast.h"
#include "wire.h"

struct writer {
	uint8_t *p;
	size_t len, size;
	bool overflow;		/* or a name get_name() would refuse */
};

struct reader {
	const uint8_t *p;
	size_t len, pos;
	bool underflow;
};

static void put(struct writer *w, uint64_t value, size_t bytes)
{
	size_t i;

	if (w->len + bytes > w->size) {
		w->overflow = true;
		return;
	}
	for (i = 0; i < bytes; i++)
		w->p[w->len + i] = (uint8_t)(value >> (8 * (bytes - 1 - i)));
	w->len += bytes;
}

/* A name field: empty, or a valid name; nothing a receiver would refuse. */
static void put_name(struct writer *w, const char *name)
{
	size_t n = strnlen(name, WIRE_NAME_SIZE);

	if ((n && !wire_name_valid(name)) || n == WIRE_NAME_SIZE ||
	    w->len + WIRE_NAME_SIZE > w->size) {
		w->overflow = true;
		return;
	}
	memset(w->p + w->len, 0, WIRE_NAME_SIZE);
	memcpy(w->p + w->len, name, n);
	w->len += WIRE_NAME_SIZE;
}

static uint64_t get(struct reader *r, size_t bytes)
{
	uint64_t value = 0;
	size_t i;

	if (r->pos + bytes > r->len) {
		r->underflow = true;
		return 0;
	}
	for (i = 0; i < bytes; i++)
		value = value << 8 | r->p[r->pos + i];
	r->pos += bytes;
	return value;
}

/* A name field: NUL-padded, and either empty or a valid name. */
static void get_name(struct reader *r, char name[WIRE_NAME_SIZE], bool *bad)
{
	size_t i, n;

	if (r->pos + WIRE_NAME_SIZE > r->len) {
		r->underflow = true;
		name[0] = '\0';
		return;
	}
	memcpy(name, r->p + r->pos, WIRE_NAME_SIZE);
	r->pos += WIRE_NAME_SIZE;
	n = strnlen(name, WIRE_NAME_SIZE);
	if (n == WIRE_NAME_SIZE) {
		name[0] = '\0';
		*bad = true;
		return;
	}
	for (i = n; i < WIRE_NAME_SIZE; i++)
		if (name[i])
			*bad = true;
	if (n && !wire_name_valid(name))
		*bad = true;
}

void wire_key_prepare(struct wire_key *key)
{
	key->keeps_mac = true;
}

bool wire_key_adopt(struct wire_key *to, struct wire_key *from)
{
	if (to->mac || !from->mac || to->id != from->id ||
	    sodium_memcmp(to->bytes, from->bytes, sizeof(to->bytes)))
		return false;
	to->mac = from->mac;
	from->mac = NULL;
	return true;
}

/*
 * @key's context, made now if it keeps one and has none; NULL otherwise
 * (or out of memory: each tag is then keyed anew, as for any key).
 */
static struct mac *key_mac(const struct wire_key *key)
{
	if (!key->mac && key->keeps_mac)
		/* Not a const object: wire_key_prepare() marked it, writable. */
		((struct wire_key *)key)->mac = mac_new(key->bytes);
	return key->mac;
}

void wire_key_forget(struct wire_key *key)
{
	mac_free(key->mac);
	sodium_memzero(key, sizeof(*key));
}

bool wire_name_valid(const char *name)
{
	return availcast_name_valid(name, WIRE_NAME_SIZE);
}

static void put_ref(struct writer *w, const struct wire_witness_ref *ref)
{
	put_name(w, ref->host);
	put(w, ref->epoch, 8);
	put(w, ref->generation, 8);
}

static void get_ref(struct reader *r, struct wire_witness_ref *ref, bool *bad)
{
	get_name(r, ref->host, bad);
	ref->epoch = get(r, 8);
	ref->generation = get(r, 8);
}

static void put_record(struct writer *w, const struct wire_record *record)
{
	put_name(w, record->cluster);
	put_name(w, record->active);
	put(w, record->epoch, 8);
	put(w, record->generation, 8);
	put(w, record->lease_ms, 4);
}

static void get_record(struct reader *r, struct wire_record *record, bool *bad)
{
	get_name(r, record->cluster, bad);
	get_name(r, record->active, bad);
	record->epoch = get(r, 8);
	record->generation = get(r, 8);
	record->lease_ms = (uint32_t)get(r, 4);
}

static void put_body(struct writer *w, const struct wire_message *msg)
{
	const struct wire_report *rep = &msg->report;
	const struct wire_heartbeat *hb = &msg->heartbeat;
	const struct wire_propose *pr = &msg->propose;
	const struct wire_witness *wi = &msg->witness;
	unsigned int i;

	switch (msg->type) {
	case WIRE_REPORT:
		if (rep->n_resources > WIRE_RESOURCES_MAX) {
			w->overflow = true;
			return;
		}
		put(w, rep->level, 2);
		put(w, rep->reason, 1);
		put(w, rep->kernel_seq, 8);
		put(w, rep->time_left_ms, 4);
		put(w, rep->n_resources, 2);
		for (i = 0; i < rep->n_resources; i++) {
			put_name(w, rep->resources[i].name);
			put(w, rep->resources[i].level, 2);
			put(w, rep->resources[i].capacity, 8);
			put(w, (uint64_t)rep->resources[i].used, 8);
		}
		break;
	case WIRE_HEARTBEAT:
		put(w, hb->role, 1);
		put(w, hb->epoch, 8);
		put_ref(w, &hb->witness);
		put(w, hb->token, 8);
		put(w, hb->echo, 8);
		put(w, hb->promise_ms, 4);
		put(w, hb->flags, 1);
		break;
	case WIRE_PROPOSE:
	case WIRE_PROPOSE_REPLY:
		put_name(w, pr->host);
		put(w, pr->epoch, 8);
		put(w, pr->generation, 8);
		put(w, pr->accepted, 1);
		break;
	case WIRE_WITNESS_READ:
	case WIRE_WITNESS_CAS:
	case WIRE_WITNESS_REPLY:
		put(w, wi->op, 1);
		put(w, wi->token, 8);
		put(w, wi->expect_epoch, 8);
		put(w, wi->expect_generation, 8);
		put_record(w, &wi->record);
		put(w, wi->status, 1);
		put(w, wi->lease_left_ms, 4);
		put(w, wi->granted_ms, 4);
		put(w, wi->store_flags, 1);
		put(w, wi->write_ms, 4);
		break;
	default:
		w->overflow = true;
	}
}

size_t wire_encode(const struct wire_message *msg, const struct wire_key *key,
		   uint8_t *buf, size_t size)
{
	struct writer w = { .p = buf, .size = size };
	size_t body_at;

	if (!wire_name_valid(msg->sender) || !wire_name_valid(msg->destination))
		return 0;
	put(&w, WIRE_MAGIC, 4);
	put(&w, WIRE_VERSION, 1);
	put(&w, msg->type, 1);
	put(&w, key->id, 2);
	put(&w, msg->seq, 8);
	put(&w, msg->time_ms, 8);
	put_name(&w, msg->sender);
	put_name(&w, msg->destination);
	put(&w, 0, 2);			/* the body's length, filled in below */
	body_at = w.len;
	put_body(&w, msg);
	if (w.overflow || w.len + WIRE_MAC_SIZE > size || w.len > WIRE_MAX - WIRE_MAC_SIZE)
		return 0;
	buf[body_at - 2] = (uint8_t)((w.len - body_at) >> 8);
	buf[body_at - 1] = (uint8_t)(w.len - body_at);
	if (!mac_tag(key_mac(key), key->bytes, buf, w.len, buf + w.len))
		return 0;
	return w.len + WIRE_MAC_SIZE;
}

static enum wire_verdict get_body(struct reader *r, struct wire_message *msg)
{
	struct wire_report *rep = &msg->report;
	struct wire_heartbeat *hb = &msg->heartbeat;
	struct wire_propose *pr = &msg->propose;
	struct wire_witness *wi = &msg->witness;
	bool bad = false;
	unsigned int i;

	switch (msg->type) {
	case WIRE_REPORT:
		/* Only the resources up to n_resources are meaningful. */
		memset(rep, 0, offsetof(struct wire_report, resources));
		rep->level = (uint16_t)get(r, 2);
		rep->reason = (uint8_t)get(r, 1);
		rep->kernel_seq = get(r, 8);
		rep->time_left_ms = (uint32_t)get(r, 4);
		rep->n_resources = (uint16_t)get(r, 2);
		if (rep->n_resources > WIRE_RESOURCES_MAX || rep->level > 1000)
			return WIRE_MALFORMED;
		for (i = 0; i < rep->n_resources && !r->underflow; i++) {
			struct wire_resource *res = &rep->resources[i];

			get_name(r, res->name, &bad);
			res->level = (uint16_t)get(r, 2);
			res->capacity = get(r, 8);
			res->used = (int64_t)get(r, 8);
			if (!res->name[0] || res->level > 1000)
				bad = true;
		}
		break;
	case WIRE_HEARTBEAT:
		memset(hb, 0, sizeof(*hb));
		hb->role = (uint8_t)get(r, 1);
		hb->epoch = get(r, 8);
		get_ref(r, &hb->witness, &bad);
		hb->token = get(r, 8);
		hb->echo = get(r, 8);
		hb->promise_ms = (uint32_t)get(r, 4);
		hb->flags = (uint8_t)get(r, 1);
		if (hb->flags & ~WIRE_HEARTBEAT_FLAGS)
			bad = true;
		break;
	case WIRE_PROPOSE:
	case WIRE_PROPOSE_REPLY:
		memset(pr, 0, sizeof(*pr));
		get_name(r, pr->host, &bad);
		pr->epoch = get(r, 8);
		pr->generation = get(r, 8);
		pr->accepted = (uint8_t)get(r, 1);
		if (!pr->host[0] || pr->accepted > 1)
			bad = true;
		break;
	default:
		memset(wi, 0, sizeof(*wi));
		wi->op = (uint8_t)get(r, 1);
		wi->token = get(r, 8);
		wi->expect_epoch = get(r, 8);
		wi->expect_generation = get(r, 8);
		get_record(r, &wi->record, &bad);
		wi->status = (uint8_t)get(r, 1);
		wi->lease_left_ms = (uint32_t)get(r, 4);
		wi->granted_ms = (uint32_t)get(r, 4);
		wi->store_flags = (uint8_t)get(r, 1);
		wi->write_ms = (uint32_t)get(r, 4);
		if (wi->status >= WITNESS_STATUSES || !wi->record.cluster[0] ||
		    (wi->store_flags & ~WITNESS_STORE_FLAGS) ||
		    (wi->op != WITNESS_OP_READ && wi->op != WITNESS_OP_CAS))
			bad = true;
	}
	if (r->underflow)
		return WIRE_TRUNCATED;
	if (bad || r->pos != r->len)
		return WIRE_MALFORMED;
	return WIRE_OK;
}

bool wire_peek(const uint8_t *buf, size_t len, uint8_t *type, char sender[WIRE_NAME_SIZE])
{
	struct reader r = { .p = buf, .len = len };
	bool bad = false;

	if (len < WIRE_HEADER_SIZE || get(&r, 4) != WIRE_MAGIC || get(&r, 1) != WIRE_VERSION)
		return false;
	*type = (uint8_t)get(&r, 1);
	r.pos += 2 + 8 + 8;	/* key id, seq, time */
	get_name(&r, sender, &bad);
	return !bad;
}

enum wire_verdict wire_decode(const uint8_t *buf, size_t len, wire_key_fn find_key,
			      void *ctx, struct wire_message *msg)
{
	struct reader r = { .p = buf, .len = len };
	enum wire_verdict verdict = WIRE_FORGED;
	const struct wire_key *key;
	size_t body_len, signed_len;
	bool bad = false;

	if (len > WIRE_MAX)
		return WIRE_OVERSIZED;
	if (len < WIRE_HEADER_SIZE + WIRE_MAC_SIZE)
		return WIRE_TRUNCATED;
	/*
	 * The header; the body is cleared by get_body(), for its type only:
	 * a report's resources are written up to their count, not all 80
	 * (4 KB a report cleared was a tenth of a manager's ingest).
	 */
	memset(msg, 0, offsetof(struct wire_message, report));
	msg->sender_index = -1;
	if (get(&r, 4) != WIRE_MAGIC || get(&r, 1) != WIRE_VERSION)
		return WIRE_MALFORMED;
	msg->type = (uint8_t)get(&r, 1);
	if (msg->type < WIRE_REPORT || msg->type > WIRE_TYPE_MAX)
		return WIRE_MALFORMED;
	msg->key_id = (uint16_t)get(&r, 2);
	msg->seq = get(&r, 8);
	msg->time_ms = get(&r, 8);
	get_name(&r, msg->sender, &bad);
	get_name(&r, msg->destination, &bad);
	body_len = get(&r, 2);
	if (bad || !msg->sender[0] || !msg->destination[0])
		return WIRE_MALFORMED;
	signed_len = WIRE_HEADER_SIZE + body_len;
	if (signed_len + WIRE_MAC_SIZE > len)
		return WIRE_TRUNCATED;
	if (signed_len + WIRE_MAC_SIZE < len)
		return WIRE_MALFORMED;
	/* Claims only, until the MAC under the key they name verifies. */
	key = find_key(ctx, msg->key_id, msg->sender, msg->destination, &verdict);
	if (!key)
		return verdict;
	/*
	 * A key's context is made once a datagram under it proved authentic:
	 * a flood forged under every name would make them all, and lock
	 * their memory, in a manager.
	 */
	if (!mac_verify(key->mac, key->bytes, buf, signed_len, buf + signed_len))
		return WIRE_FORGED;
	key_mac(key);
	r.len = signed_len;
	return get_body(&r, msg);
}

const char *wire_verdict_name(enum wire_verdict verdict)
{
	static const char *const names[WIRE_VERDICTS] = {
		[WIRE_OK] = "ok",
		[WIRE_TRUNCATED] = "truncated",
		[WIRE_OVERSIZED] = "oversized",
		[WIRE_MALFORMED] = "malformed",
		[WIRE_UNKNOWN_KEY] = "unknown_key",
		[WIRE_FORGED] = "forged",
		[WIRE_REPLAYED] = "replayed",
		[WIRE_UNKNOWN_SENDER] = "unknown_sender",
		[WIRE_MISDIRECTED] = "misdirected",
		[WIRE_CLOCK_DISTANCE] = "clock_distance",
	};

	return verdict < WIRE_VERDICTS ? names[verdict] : "unknown";
}

const char *witness_status_name(enum witness_status status)
{
	static const char *const names[WITNESS_STATUSES] = {
		[WITNESS_DONE] = "done",
		[WITNESS_EMPTY] = "empty",
		[WITNESS_CONFLICT] = "conflict",
		[WITNESS_STALE_EPOCH] = "stale_epoch",
		[WITNESS_LEASE_HELD] = "lease_held",
		[WITNESS_CORRUPT] = "corrupt",
		[WITNESS_IO_ERROR] = "io_error",
		[WITNESS_WRONG_CLUSTER] = "wrong_cluster",
		[WITNESS_BAD_REQUEST] = "bad_request",
	};

	return status < WITNESS_STATUSES ? names[status] : "unknown";
}
