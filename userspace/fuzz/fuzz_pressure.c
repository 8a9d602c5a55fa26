// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: the first line of a PSI file, as the relay reads it from
 * /proc/pressure (pressure_parse()). An accepted one is 0 to 1000 per
 * mille; a refused one leaves the value as it was.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pressure.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t per_mille = 0xdeadbeef;
	char text[160];

	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (pressure_parse(text, &per_mille)) {
		if (per_mille != 0xdeadbeef)
			abort();	/* refused, yet written */
	} else if (per_mille > PRESSURE_CAPACITY) {
		abort();
	}
	return 0;
}
