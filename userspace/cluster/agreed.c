// SPDX-License-Identifier: GPL-2.0
/* The text of a manager's state file: see agreed.h. */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "agreed.h"

int agreed_format(const struct arbiter_durable *state, char *text, size_t size)
{
	const struct wire_witness_ref *ref = &state->agreed;

	return snprintf(text, size, "host %s\nepoch %" PRIu64 "\ngeneration %" PRIu64
			"\nclaimed %" PRIu64 "\npromise-ms %" PRIu32 "\n",
			ref->host[0] ? ref->host : "-", ref->epoch, ref->generation,
			state->epoch, state->promise_ms);
}

bool agreed_parse(const char *text, struct arbiter_durable *state)
{
	struct wire_witness_ref *ref = &state->agreed;
	char host[WIRE_NAME_SIZE + 1], extra;
	int got;

	memset(state, 0, sizeof(*state));
	got = sscanf(text, "host %32s\nepoch %" SCNu64 "\ngeneration %" SCNu64
		     "\nclaimed %" SCNu64 "\npromise-ms %" SCNu32 "\n%c", host, &ref->epoch,
		     &ref->generation, &state->epoch, &state->promise_ms, &extra);
	if (got == 3) {
		/* From before "claimed": promise-ms after generation, or nothing. */
		got = sscanf(text, "host %32s\nepoch %" SCNu64 "\ngeneration %" SCNu64
			     "\npromise-ms %" SCNu32 "\n%c", host, &ref->epoch,
			     &ref->generation, &state->promise_ms, &extra);
		state->epoch = 0;
		if (got != 3 && got != 4)
			return false;
	} else if (got != 5) {
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
