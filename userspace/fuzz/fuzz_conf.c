// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: the daemons' configuration parser on any bytes. An accepted
 * file must give a configuration the daemons can rely on.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf conf;
	char error[512], why[256];
	unsigned int i;

	if (conf_parse((const char *)data, size, &conf, error, sizeof(error))) {
		if (!memchr(error, '\0', sizeof(error)) || !error[0])
			abort();	/* every refusal says why */
		return 0;
	}
	if (conf.n_managers != 2 || !conf.n_hosts || !conf_self(&conf) ||
	    !wire_name_valid(conf.cluster) || !wire_name_valid(conf.node) ||
	    arbiter_timing_check(&conf.timing, why, sizeof(why)))
		abort();
	for (i = 0; i < conf.n_hosts; i++)
		if (!wire_name_valid(conf.hosts[i].name) || !conf.hosts[i].addr.sin_port ||
		    conf_index(&conf, conf.hosts[i].name) != (int)(2 + i))
			abort();	/* names are unique, and each is found */
	conf_free(&conf);
	return 0;
}
