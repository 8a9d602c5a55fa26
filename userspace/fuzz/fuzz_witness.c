// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: the witness file parser on any bytes. A file it accepts must
 * be exactly what the formatter writes for that record.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "witness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_record record;
	char text[WITNESS_FILE_MAX];
	const char *why;
	unsigned long long expires;
	const char *at;
	size_t len;

	if (size > WITNESS_FILE_MAX ||
	    witness_parse((const char *)data, size, &record, &why))
		return 0;
	/* The expiry is informative and not in the record: take it back. */
	at = memmem(data, size, "lease-expires-unix-ms ", 22);
	if (!at)
		abort();
	expires = strtoull(at + 22, NULL, 10);
	len = witness_format(&record, expires, text, sizeof(text));
	if (len != size || memcmp(text, data, size))
		abort();
	return 0;
}
