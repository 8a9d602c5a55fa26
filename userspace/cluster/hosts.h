/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A manager's table of hosts, fed by the relays' reports. Each report
 * carries the time left until the host's next broadcast is due; the host
 * is available until then plus host-grace-ms, by our clock. Silence past
 * that is loss: no fixed count of missed messages is needed.
 */
#ifndef AVAILCTL_HOSTS_H
#define AVAILCTL_HOSTS_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "wire.h"

struct host_entry {
	char name[WIRE_NAME_SIZE];
	bool heard;
	uint16_t level;
	uint8_t reason;
	uint64_t kernel_seq;	/* the module's sequence number */
	uint64_t reports;
	uint64_t heard_ms;	/* by our NODE_CLOCK */
	uint64_t due_ms;	/* the announced next broadcast, by our clock */
	uint64_t until_ms;	/* available until: due_ms + host-grace-ms */
	uint16_t n_resources;
	uint16_t resources_size;	/* room in @resources */
	struct wire_resource *resources;
};

/*
 * The hosts, sorted by name so that a report finds its host in log2(n)
 * steps: ten thousand hosts cost 14 comparisons, not ten thousand.
 */
struct host_table {
	struct host_entry *hosts;
	unsigned int n;
	uint32_t grace_ms;
	/*
	 * For the i-th host of the conf (conf_index() i + 2), its entry's
	 * index: a report, whose sender's conf_index() is known once its
	 * key is found, finds its host with no search.
	 */
	unsigned int *by_conf;
};

/*
 * The table for @conf's hosts, all unavailable. When @old is not NULL,
 * hosts that were in it keep what was heard from them, and it is left
 * empty. Returns 0, or -1 when out of memory (@t is then empty).
 */
int hosts_init(struct host_table *t, const struct conf *conf, struct host_table *old);
void hosts_free(struct host_table *t);
/*
 * Whether @t holds @conf's hosts and no others: then a table made anew
 * from @conf gives each the index it has in @t.
 */
bool hosts_named_by(const struct host_table *t, const struct conf *conf);
/*
 * A report received at @now_ms from host @name, which the conf numbers
 * @index (conf_index(), a wire_message's sender_index): the entry at that
 * number when it is @name's, with no search; else (a conf other than the
 * table's, as after a reload whose new table could not be made) found by
 * name. Ignored when @name is not a host of the table. Returns 0, or -1
 * when out of memory for its resources (the host is then marked heard
 * without them).
 */
int hosts_report(struct host_table *t, int index, const char *name, uint64_t now_ms,
		 const struct wire_report *report);
bool hosts_available(const struct host_table *t, const char *name, uint64_t now_ms);
/* The same for an entry already in hand: no search. */
bool host_entry_available(const struct host_entry *h, uint64_t now_ms);
/*
 * Whether the host @name, the @index-th of the table (by name), may be
 * picked: hosts_pick()'s caller's.
 */
typedef bool hosts_filter(void *arg, const char *name, unsigned int index);
/*
 * The available host @eligible lets through with the highest level, of
 * equal levels the first by name. Its name and index in the table in
 * @name and @index (the same until the table is made anew); false if none.
 */
bool hosts_pick(const struct host_table *t, hosts_filter *eligible, void *arg, uint64_t now_ms,
		char name[WIRE_NAME_SIZE], unsigned int *index);

#endif /* AVAILCTL_HOSTS_H */
