// SPDX-License-Identifier: GPL-2.0
/* Datagram numbers that grow across restarts: reserved in blocks on disk. */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "sequence.h"

#define SEQUENCE_TEXT_MAX 40

static int format(uint64_t value, char *text)
{
	return snprintf(text, SEQUENCE_TEXT_MAX, "sequence %" PRIu64 "\n", value);
}

/* "sequence N\n", N decimal digits only, 0 < N <= SEQUENCE_MAX; or 0. */
static uint64_t parse(const char *text)
{
	const char *digits = text + strlen("sequence ");
	unsigned long long value;
	char *end;

	if (strncmp(text, "sequence ", strlen("sequence ")) || *digits < '0' || *digits > '9')
		return 0;
	errno = 0;
	value = strtoull(digits, &end, 10);
	if (errno || strcmp(end, "\n") || value > SEQUENCE_MAX)
		return 0;
	return value;
}

static void note_ignored(struct sequence *s, const char *path, const char *why)
{
	size_t len = strlen(s->ignored);

	snprintf(s->ignored + len, sizeof(s->ignored) - len, "%s%s: %s", len ? "; " : "",
		 path, why);
}

/* What @f holds, or 0 when nothing usable; notes an unusable one. */
static uint64_t load(struct sequence *s, const struct durable_file *f)
{
	char text[SEQUENCE_TEXT_MAX];
	uint64_t value;

	if (durable_file_read(f, false, text, sizeof(text)) < 0) {
		if (errno != ENOENT)
			note_ignored(s, f->path, strerror(errno));
		return 0;
	}
	value = parse(text);
	if (!value)
		note_ignored(s, f->path, "not a sequence file");
	return value;
}

/*
 * What the file earlier versions named CLUSTER.NODE.sequence in @dir
 * holds (layout.h): only read, as a number to start above. The name may
 * be another node's of another cluster (a.b's c and a's b.c), whose
 * number is as safe to start above.
 */
static uint64_t load_legacy(struct sequence *s, const char *dir, const char *cluster,
			    const char *node)
{
	struct durable_file legacy;
	char name[NAME_MAX + 1];

	if (!dir || layout_legacy_node_file(name, sizeof(name), cluster, node, "sequence") ||
	    durable_file_init(&legacy, dir, name, NULL, NULL, 0600))
		return 0;
	return load(s, &legacy);
}

int sequence_start(struct sequence *s, const char *state_dir, const char *runtime_dir,
		   const char *cluster, const char *node, uint64_t clock_ns)
{
	uint64_t legacy[2];
	char name[NAME_MAX + 1];
	int i;

	memset(s, 0, sizeof(*s));
	/* The node's name in it: a relay and an arbiter may share a directory. */
	if (layout_node_file(name, sizeof(name), cluster, node, "sequence") ||
	    durable_file_init(&s->file, state_dir, name, NULL, NULL, 0600))
		return -1;
	s->has_copy = runtime_dir != NULL;
	if (s->has_copy && durable_file_init(&s->copy, runtime_dir, name, NULL, NULL, 0600))
		return -1;
	s->on_disk[0] = load(s, &s->file);
	if (s->has_copy)
		s->on_disk[1] = load(s, &s->copy);
	legacy[0] = load_legacy(s, state_dir, cluster, node);
	legacy[1] = load_legacy(s, runtime_dir, cluster, node);
	s->reserved = s->on_disk[0] > s->on_disk[1] ? s->on_disk[0] : s->on_disk[1];
	for (i = 0; i < 2; i++)
		if (legacy[i] > s->reserved)
			s->reserved = legacy[i];
	s->next = s->reserved > clock_ns ? s->reserved : clock_ns;
	if (!s->next)
		s->next = 1;
	return 0;
}

/* Writes @value down in @f, which held *@on_disk; returns 0 or an errno value. */
static int write_down(const struct durable_file *f, uint64_t *on_disk, uint64_t value)
{
	char text[SEQUENCE_TEXT_MAX], old[SEQUENCE_TEXT_MAX];
	int len = format(value, text), old_len = 0;
	bool unsure = false;

	if (*on_disk)
		old_len = format(*on_disk, old);
	/* On failure the file holds the old number or this one: both will do. */
	if (durable_file_replace(f, text, (size_t)len, old_len ? old : NULL, (size_t)old_len,
				 &unsure))
		return errno ? errno : EIO;
	*on_disk = value;
	return 0;
}

uint64_t sequence_take(struct sequence *s, bool *failed)
{
	uint64_t value = s->next++;
	bool copied;

	*failed = false;
	if (s->save_errno ? value < s->retry_at : value < s->reserved)
		return value;
	/* The copy first: it is on a tmpfs, and still there when the disk is full. */
	copied = s->has_copy && !write_down(&s->copy, &s->on_disk[1], value + SEQUENCE_BLOCK);
	s->save_errno = write_down(&s->file, &s->on_disk[0], value + SEQUENCE_BLOCK);
	if (s->save_errno) {
		s->retry_at = value + SEQUENCE_RETRY;
		*failed = true;
	}
	if (!s->save_errno || copied)
		s->reserved = value + SEQUENCE_BLOCK;
	return value;
}
