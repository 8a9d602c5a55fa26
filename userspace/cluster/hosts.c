// SPDX-License-Identifier: GPL-2.0
/* The manager's host table: availability by announced deadlines. */

#include <stdio.h>
#include <string.h>

#include "availcast.h"
#include "hosts.h"

void hosts_init(struct host_table *t, const struct conf *conf)
{
	unsigned int i;

	memset(t, 0, sizeof(*t));
	t->n = conf->n_hosts;
	t->grace_ms = conf->host_grace_ms;
	for (i = 0; i < t->n; i++)
		snprintf(t->hosts[i].name, sizeof(t->hosts[i].name), "%s",
			 conf->hosts[i].name);
}

static struct host_entry *find(const struct host_table *t, const char *name)
{
	unsigned int i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->hosts[i].name, name))
			return (struct host_entry *)&t->hosts[i];
	return NULL;
}

void hosts_report(struct host_table *t, const char *name, uint64_t now_ms,
		  const struct wire_report *report)
{
	struct host_entry *h = find(t, name);

	if (!h)
		return;
	h->heard = true;
	h->level = report->level;
	h->reason = report->reason;
	h->kernel_seq = report->kernel_seq;
	h->reports++;
	h->heard_ms = now_ms;
	h->n_resources = report->n_resources;
	memcpy(h->resources, report->resources,
	       report->n_resources * sizeof(report->resources[0]));
	h->due_ms = now_ms + report->time_left_ms;
	/* A host that says it is going away is gone now. */
	h->until_ms = report->reason == AVAILCAST_REASON_SHUTDOWN ? now_ms :
		      h->due_ms + t->grace_ms;
}

bool hosts_available(const struct host_table *t, const char *name, uint64_t now_ms)
{
	const struct host_entry *h = find(t, name);

	return h && h->heard && now_ms < h->until_ms;
}

bool hosts_pick(const struct host_table *t, const char *exclude, uint64_t now_ms,
		char name[WIRE_NAME_SIZE])
{
	const struct host_entry *best = NULL;
	unsigned int i;

	for (i = 0; i < t->n; i++) {
		const struct host_entry *h = &t->hosts[i];

		if (!strcmp(h->name, exclude) || !hosts_available(t, h->name, now_ms))
			continue;
		if (!best || h->level > best->level)
			best = h;
	}
	if (best)
		snprintf(name, WIRE_NAME_SIZE, "%s", best->name);
	return best != NULL;
}
