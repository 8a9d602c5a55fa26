// SPDX-License-Identifier: GPL-2.0
/* Datagram numbers that grow across restarts: reserved in blocks on disk. */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sequence.h"

#define SEQUENCE_TEXT_MAX 40

static int format(uint64_t value, char *text)
{
	return snprintf(text, SEQUENCE_TEXT_MAX, "sequence %" PRIu64 "\n", value);
}

/* What one copy holds, or 0 when there is none; notes an unusable one. */
static uint64_t load(struct sequence *s, bool copy)
{
	char text[SEQUENCE_TEXT_MAX], end;
	uint64_t value;

	if (copy && !s->file.copy_path[0])
		return 0;
	if (durable_file_read(&s->file, copy, text, sizeof(text)) < 0) {
		if (errno != ENOENT)
			snprintf(s->ignored, sizeof(s->ignored), "%s: %s",
				 copy ? s->file.copy_path : s->file.path, strerror(errno));
		return 0;
	}
	if (sscanf(text, "sequence %" SCNu64 "%c", &value, &end) != 2 || end != '\n' ||
	    !value) {
		snprintf(s->ignored, sizeof(s->ignored), "%s: not a sequence file",
			 copy ? s->file.copy_path : s->file.path);
		return 0;
	}
	return value;
}

int sequence_start(struct sequence *s, const char *state_dir, const char *runtime_dir,
		   const char *cluster, const char *node, uint64_t clock_ns)
{
	char name[128], copy_name[192];
	uint64_t copy;

	memset(s, 0, sizeof(*s));
	snprintf(name, sizeof(name), "%s.sequence", cluster);
	snprintf(copy_name, sizeof(copy_name), "%s.%s.sequence", cluster, node);
	if (durable_file_init(&s->file, state_dir, name, runtime_dir, copy_name, 0600))
		return -1;
	s->on_disk = load(s, false);
	copy = load(s, true);
	s->reserved = s->on_disk > copy ? s->on_disk : copy;
	s->next = s->reserved > clock_ns ? s->reserved : clock_ns;
	if (!s->next)
		s->next = 1;
	return 0;
}

/* Writes down @value; returns 0 or an errno value. */
static int reserve(struct sequence *s, uint64_t value)
{
	char text[SEQUENCE_TEXT_MAX], old[SEQUENCE_TEXT_MAX];
	int len = format(value, text), old_len = 0;
	bool unsure = false;

	if (s->on_disk)
		old_len = format(s->on_disk, old);
	if (durable_file_replace(&s->file, text, (size_t)len, old_len ? old : NULL,
				 (size_t)old_len, &unsure))
		return errno ? errno : EIO;
	s->on_disk = value;
	return 0;
}

uint64_t sequence_take(struct sequence *s, bool *failed)
{
	uint64_t value = s->next++;

	*failed = false;
	if (value < s->reserved || (s->save_errno && value < s->retry_at))
		return value;
	s->save_errno = reserve(s, value + SEQUENCE_BLOCK);
	if (s->save_errno) {
		s->retry_at = value + SEQUENCE_RETRY;
		*failed = true;
	} else {
		s->reserved = value + SEQUENCE_BLOCK;
	}
	return value;
}
