// SPDX-License-Identifier: GPL-2.0
/* The manager's host table: availability by announced deadlines. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "availcast.h"
#include "hosts.h"

static int compare_hosts(const void *a, const void *b)
{
	return strcmp(((const struct host_entry *)a)->name,
		      ((const struct host_entry *)b)->name);
}

static int compare_name_to_host(const void *name, const void *host)
{
	return strcmp(name, ((const struct host_entry *)host)->name);
}

static struct host_entry *find(const struct host_table *t, const char *name)
{
	if (!t->n)
		return NULL;
	return bsearch(name, t->hosts, t->n, sizeof(t->hosts[0]), compare_name_to_host);
}

int hosts_init(struct host_table *t, const struct conf *conf, struct host_table *old)
{
	struct host_entry *kept;
	unsigned int i;

	memset(t, 0, sizeof(*t));
	t->grace_ms = conf->host_grace_ms;
	t->hosts = calloc(conf->n_hosts ? conf->n_hosts : 1, sizeof(t->hosts[0]));
	t->by_conf = calloc(conf->n_hosts ? conf->n_hosts : 1, sizeof(t->by_conf[0]));
	if (!t->hosts || !t->by_conf) {
		hosts_free(t);
		return -1;
	}
	for (i = 0; i < conf->n_hosts; i++)
		snprintf(t->hosts[i].name, sizeof(t->hosts[i].name), "%s",
			 conf->hosts[i].name);
	t->n = conf->n_hosts;
	qsort(t->hosts, t->n, sizeof(t->hosts[0]), compare_hosts);
	for (i = 0; i < conf->n_hosts; i++)
		t->by_conf[i] = (unsigned int)(find(t, conf->hosts[i].name) - t->hosts);
	if (!old)
		return 0;
	for (i = 0; i < t->n; i++) {
		kept = find(old, t->hosts[i].name);
		if (kept) {
			t->hosts[i] = *kept;
			kept->resources = NULL;	/* moved */
		}
	}
	hosts_free(old);
	return 0;
}

bool hosts_named_by(const struct host_table *t, const struct conf *conf)
{
	unsigned int i;

	if (t->n != conf->n_hosts)
		return false;
	/* The names of a conf are distinct (conf.c): as many, all found, the same. */
	for (i = 0; i < conf->n_hosts; i++)
		if (!find(t, conf->hosts[i].name))
			return false;
	return true;
}

void hosts_free(struct host_table *t)
{
	unsigned int i;

	for (i = 0; t->hosts && i < t->n; i++)
		free(t->hosts[i].resources);
	free(t->hosts);
	free(t->by_conf);
	memset(t, 0, sizeof(*t));
}

/* Room for @n resources in @h; a host's count rarely changes. */
static int reserve(struct host_entry *h, uint16_t n)
{
	struct wire_resource *bigger;

	if (n <= h->resources_size)
		return 0;
	bigger = realloc(h->resources, n * sizeof(*bigger));
	if (!bigger)
		return -1;
	h->resources = bigger;
	h->resources_size = n;
	return 0;
}

int hosts_report(struct host_table *t, int index, const char *name, uint64_t now_ms,
		 const struct wire_report *report)
{
	struct host_entry *h = NULL;
	int status = 0;

	/* conf_index(): the two managers first, then the hosts. */
	if (index >= 2 && (unsigned int)index - 2 < t->n)
		h = &t->hosts[t->by_conf[index - 2]];
	if (!h || strcmp(h->name, name))
		h = find(t, name);
	if (!h)
		return 0;
	h->heard = true;
	h->level = report->level;
	h->reason = report->reason;
	h->kernel_seq = report->kernel_seq;
	h->reports++;
	h->heard_ms = now_ms;
	h->n_resources = 0;
	if (reserve(h, report->n_resources)) {
		status = -1;
	} else {
		h->n_resources = report->n_resources;
		if (h->n_resources)
			memcpy(h->resources, report->resources,
			       h->n_resources * sizeof(h->resources[0]));
	}
	h->due_ms = now_ms + report->time_left_ms;
	/* A host that says it is going away is gone now. */
	h->until_ms = report->reason == AVAILCAST_REASON_SHUTDOWN ? now_ms :
		      h->due_ms + t->grace_ms;
	return status;
}

bool host_entry_available(const struct host_entry *h, uint64_t now_ms)
{
	return h->heard && now_ms < h->until_ms;
}

bool hosts_available(const struct host_table *t, const char *name, uint64_t now_ms)
{
	const struct host_entry *h = find(t, name);

	return h && host_entry_available(h, now_ms);
}

/* The table is sorted by name: of equal levels, the first met is the first by name. */
bool hosts_pick(const struct host_table *t, hosts_filter *eligible, void *arg, uint64_t now_ms,
		char name[WIRE_NAME_SIZE], unsigned int *index)
{
	const struct host_entry *best = NULL;
	unsigned int i;

	for (i = 0; i < t->n; i++) {
		const struct host_entry *h = &t->hosts[i];

		if (!host_entry_available(h, now_ms) || (best && h->level <= best->level) ||
		    !eligible(arg, h->name, i))
			continue;
		best = h;
	}
	if (best) {
		snprintf(name, WIRE_NAME_SIZE, "%s", best->name);
		*index = (unsigned int)(best - t->hosts);
	}
	return best != NULL;
}
