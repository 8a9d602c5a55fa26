// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: libavailcast's parser of the family's messages (GET replies
 * and broadcasts), on any bytes after a netlink header of the right
 * length: whatever the attributes, it returns a snapshot or EINVAL.
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>

#include "availcast.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct availcast_snapshot snap;
	struct availcast_error error;
	struct nlmsghdr *nlh;
	size_t i;
	int status;

	if (size < NLMSG_HDRLEN || size > 65536)
		return 0;
	nlh = malloc(NLMSG_ALIGN(size));
	if (!nlh)
		return 0;
	memcpy(nlh, data, size);
	nlh->nlmsg_len = (uint32_t)size;
	status = availcast_snapshot_parse(nlh, &snap, &error);
	if (status && status != EINVAL)
		abort();
	if (!status) {
		for (i = 0; i < snap.n_resources; i++)
			if (strnlen(snap.resources[i].name, AVAILCAST_NAME_SIZE) == AVAILCAST_NAME_SIZE)
				abort();
		if (strnlen(snap.node_id, AVAILCAST_NODE_ID_SIZE) == AVAILCAST_NODE_ID_SIZE)
			abort();
		availcast_snapshot_free(&snap);
	}
	free(nlh);
	return 0;
}
