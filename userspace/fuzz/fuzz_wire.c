// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: the daemons' datagram decoder on any bytes. What decodes must
 * encode back to the very same bytes (the format has one spelling).
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

static const struct wire_key key = { .id = 1, .bytes = "fuzzing-key-fuzzing-key-fuzzing" };

/* The one key, whoever the datagram says it is from and for. */
static const struct wire_key *find_key(void *ctx, uint16_t key_id, const char *sender,
				       const char *destination, enum wire_verdict *verdict)
{
	(void)ctx, (void)sender, (void)destination;
	if (key_id == key.id)
		return &key;
	*verdict = WIRE_UNKNOWN_KEY;
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct wire_message msg;
	static uint8_t again[WIRE_MAX];
	char sender[WIRE_NAME_SIZE];
	bool peeked;
	uint8_t type;
	size_t len;

	peeked = wire_peek(data, size, &type, sender);
	if (peeked && strnlen(sender, sizeof(sender)) == sizeof(sender))
		abort();	/* a claimed name is a string */
	if (wire_decode(data, size, find_key, NULL, &msg) != WIRE_OK)
		return 0;
	/* What a datagram claims is what it turns out to say. */
	if (!peeked || type != msg.type || strcmp(sender, msg.sender))
		abort();
	len = wire_encode(&msg, &key, again, sizeof(again));
	if (len != size || memcmp(again, data, size))
		abort();
	return 0;
}
