// SPDX-License-Identifier: GPL-2.0
/* The text of a manager's state file: see agreed.h. */

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "agreed.h"

/* @fmt's text after the @len bytes of @text (@size in all); the length in all, as snprintf(). */
static int append(char *text, size_t size, int len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int append(char *text, size_t size, int len, const char *fmt, ...)
{
	size_t at = len < 0 ? 0 : (size_t)len;
	va_list ap;
	int more;

	if (len < 0)
		return len;
	va_start(ap, fmt);
	more = vsnprintf(at < size ? text + at : NULL, at < size ? size - at : 0, fmt, ap);
	va_end(ap);
	return more < 0 ? more : len + more;
}

int agreed_format(const struct arbiter_durable *state, char *text, size_t size)
{
	const struct wire_witness_ref *ref = &state->agreed;
	const struct wire_witness_ref *p = &state->proposed;
	int len;

	len = append(text, size, 0, "host %s\nepoch %" PRIu64 "\ngeneration %" PRIu64
		     "\nclaimed %" PRIu64 "\npromise-ms %" PRIu32 "\n",
		     ref->host[0] ? ref->host : "-", ref->epoch, ref->generation,
		     state->epoch, state->promise_ms);
	/* Only while there is one: a file without them reads in older versions. */
	if (p->host[0])
		len = append(text, size, len, "proposed %s %" PRIu64 " %" PRIu64 "\n",
			     p->host, p->epoch, p->generation);
	if (state->refused_epoch)
		len = append(text, size, len, "refused %" PRIu64 " %" PRIu64 "\n",
			     state->refused_epoch, state->refused_generation);
	return len;
}

/* The lines after promise-ms, at @text: "proposed" and "refused", each optional, in order. */
static bool parse_moves(const char *text, struct arbiter_durable *state)
{
	struct wire_witness_ref *p = &state->proposed;
	char host[WIRE_NAME_SIZE + 1];
	int used = 0;

	if (sscanf(text, "proposed %32s %" SCNu64 " %" SCNu64 "\n%n", host, &p->epoch,
		   &p->generation, &used) == 3 && used) {
		if (strlen(host) >= WIRE_NAME_SIZE || !wire_name_valid(host) || !p->generation)
			return false;
		memcpy(p->host, host, strlen(host) + 1);
		text += used;
	}
	used = 0;
	if (sscanf(text, "refused %" SCNu64 " %" SCNu64 "\n%n", &state->refused_epoch,
		   &state->refused_generation, &used) == 2 && used) {
		if (!state->refused_epoch)
			return false;
		text += used;
	}
	return !*text;
}

bool agreed_parse(const char *text, struct arbiter_durable *state)
{
	struct wire_witness_ref *ref = &state->agreed;
	char host[WIRE_NAME_SIZE + 1];
	int got, used = 0;

	memset(state, 0, sizeof(*state));
	got = sscanf(text, "host %32s\nepoch %" SCNu64 "\ngeneration %" SCNu64
		     "\nclaimed %" SCNu64 "\npromise-ms %" SCNu32 "\n%n", host, &ref->epoch,
		     &ref->generation, &state->epoch, &state->promise_ms, &used);
	if (got == 3) {
		char extra;

		/* From before "claimed": promise-ms after generation, or nothing. */
		got = sscanf(text, "host %32s\nepoch %" SCNu64 "\ngeneration %" SCNu64
			     "\npromise-ms %" SCNu32 "\n%c", host, &ref->epoch,
			     &ref->generation, &state->promise_ms, &extra);
		state->epoch = 0;
		if (got != 3 && got != 4)
			return false;
	} else if (got != 5 || !used || !parse_moves(text + used, state)) {
		return false;
	}
	if (strlen(host) >= WIRE_NAME_SIZE)
		return false;
	/*
	 * None agreed yet. A host may be named "-" too: an agreed witness's
	 * record always has a generation.
	 */
	if (!strcmp(host, "-") && !ref->epoch && !ref->generation)
		return true;
	memcpy(ref->host, host, strlen(host) + 1);
	return wire_name_valid(host) && ref->generation;
}
