// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: availctl's command-line values. The first byte picks a
 * setting, the rest is the value as typed; a refused value changes
 * nothing, an accepted one is within the UAPI bounds.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {
	"node_id", "interval_min_ms", "interval_max_ms", "delta", "thresholds",
	"tb_rate", "tb_burst", "aggregation", "sample_ms", "all_netns",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct availcast_config config, before;
	const struct setting *setting;
	char value[256], why[256];
	uint64_t number;

	if (size < 1 || size > sizeof(value))
		return 0;
	setting = setting_find(names[data[0] % (sizeof(names) / sizeof(names[0]))]);
	if (!setting)
		abort();
	memcpy(value, data + 1, size - 1);
	value[size - 1] = '\0';
	memset(&config, 0x5a, sizeof(config));
	before = config;
	if (setting_parse(setting, value, &config, why, sizeof(why)) &&
	    memcmp(&config, &before, sizeof(config)))
		abort();	/* refused, yet something changed */
	if (!parse_number(value, 10, 1000, &number, why, sizeof(why)) &&
	    (number < 10 || number > 1000))
		abort();
	return 0;
}
