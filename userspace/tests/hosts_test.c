// SPDX-License-Identifier: GPL-2.0
/*
 * A cluster of ten thousand hosts: the configuration takes them all and
 * finds each by name, refuses a name given twice however far apart, and
 * the manager's host table applies each host's reports to that host and
 * keeps what it heard across a reload that changes the list.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "availcast.h"
#include "conf.h"
#include "hosts.h"
#include "kselftest_harness.h"

#define HOSTS 10000

/* A valid configuration with @hosts hosts h0..h<hosts-1>, then @extra. */
static char *config(unsigned int hosts, const char *extra, size_t *len)
{
	size_t size = 512 + (size_t)hosts * 48 + strlen(extra);
	char *text = malloc(size);
	size_t used;
	unsigned int i;

	if (!text)
		return NULL;
	used = (size_t)snprintf(text, size,
				"cluster = big\nnode = m1\nkey-file = /k\nstate-dir = /s\n"
				"manager = m1 10.0.0.1\nmanager = m2 10.0.0.2\n");
	for (i = 0; i < hosts; i++)
		used += (size_t)snprintf(text + used, size - used, "host = h%u 10.1.%u.%u:%u\n",
					 i, i / 250, i % 250 + 1, 7450 + i % 7);
	used += (size_t)snprintf(text + used, size - used, "%s", extra);
	*len = used;
	return text;
}

static struct wire_report report(uint16_t level, uint16_t n_resources)
{
	struct wire_report r = { .level = level, .reason = AVAILCAST_REASON_PERIODIC,
				 .time_left_ms = 100, .n_resources = n_resources };
	uint16_t i;

	for (i = 0; i < n_resources; i++) {
		snprintf(r.resources[i].name, sizeof(r.resources[i].name), "r%u", i);
		r.resources[i].level = level;
		r.resources[i].capacity = 1000;
	}
	return r;
}

TEST(ten_thousand_hosts_are_configured_and_each_is_found_by_name)
{
	struct conf conf;
	char error[256], name[WIRE_NAME_SIZE];
	size_t len;
	char *text = config(HOSTS, "", &len);
	unsigned int i;

	ASSERT_NE(NULL, text);
	ASSERT_EQ(0, conf_parse(text, len, &conf, error, sizeof(error))) {
		TH_LOG("%s", error);
	}
	ASSERT_EQ(HOSTS, conf.n_hosts);
	for (i = 0; i < HOSTS; i++) {
		snprintf(name, sizeof(name), "h%u", i);
		ASSERT_EQ(2 + i, conf_index(&conf, name));
		ASSERT_EQ(&conf.hosts[i], conf_find(&conf, name));
	}
	EXPECT_EQ(0, conf_index(&conf, "m1"));
	EXPECT_EQ(1, conf_index(&conf, "m2"));
	EXPECT_EQ(-1, conf_index(&conf, "h10000"));
	EXPECT_EQ(-1, conf_index(&conf, ""));
	EXPECT_EQ(NULL, conf_find(&conf, "nobody"));
	conf_free(&conf);
	free(text);
}

TEST(a_name_given_twice_far_apart_is_refused_and_nothing_is_kept)
{
	struct conf conf;
	char error[256];
	size_t len;
	char *text = config(HOSTS, "host = h3 10.9.9.9\n", &len);

	ASSERT_NE(NULL, text);
	ASSERT_EQ(-1, conf_parse(text, len, &conf, error, sizeof(error)));
	EXPECT_STREQ("line 10007: node h3 is listed twice (first on line 10)", error);
	EXPECT_EQ(NULL, conf.hosts);
	EXPECT_EQ(NULL, conf.by_name);
	free(text);
}

/* A filter for hosts_pick(): none of the names in @arg, a list ending in "". */
static bool not_excluded(void *arg, const char *name, unsigned int index)
{
	const char (*exclude)[WIRE_NAME_SIZE] = arg;

	(void)index;
	for (; exclude[0][0]; exclude++)
		if (!strcmp(name, exclude[0]))
			return false;
	return true;
}

TEST(each_report_lands_on_its_own_host_among_ten_thousand)
{
	struct host_table table;
	struct wire_report r;
	struct conf conf;
	char error[256], name[WIRE_NAME_SIZE];
	const char exclude[3][WIRE_NAME_SIZE] = { "h999", "h1999", "" };
	unsigned int index;
	size_t len;
	char *text = config(HOSTS, "", &len);
	unsigned int i;

	ASSERT_NE(NULL, text);
	ASSERT_EQ(0, conf_parse(text, len, &conf, error, sizeof(error)));
	ASSERT_EQ(0, hosts_init(&table, &conf, NULL));
	ASSERT_EQ(HOSTS, table.n);
	for (i = 0; i < HOSTS; i += 3) {
		snprintf(name, sizeof(name), "h%u", i);
		r = report((uint16_t)(i % 1000), (uint16_t)(i % 4));
		ASSERT_EQ(0, hosts_report(&table, conf_index(&conf, name), name, 1000, &r));
	}
	/* Not a host of the table: ignored. */
	r = report(1000, 1);
	EXPECT_EQ(0, hosts_report(&table, conf_index(&conf, "m2"), "m2", 1000, &r));
	EXPECT_EQ(0, hosts_report(&table, conf_index(&conf, "h10000"), "h10000", 1000, &r));
	for (i = 0; i < HOSTS; i++) {
		snprintf(name, sizeof(name), "h%u", i);
		EXPECT_EQ(i % 3 == 0, hosts_available(&table, name, 1100));
		/* Due at 1100, and host-grace-ms (100 by default) after that. */
		EXPECT_FALSE(hosts_available(&table, name, 1200));
	}
	for (i = 0; i < table.n; i++) {
		const struct host_entry *h = &table.hosts[i];
		unsigned int number = (unsigned int)atoi(h->name + 1);

		if (number % 3)
			continue;
		ASSERT_EQ(number % 1000, h->level);
		ASSERT_EQ(number % 4, h->n_resources);
		ASSERT_EQ(1, h->reports);
	}
	ASSERT_TRUE(hosts_pick(&table, not_excluded, (void *)exclude, 1100, name, &index));
	/*
	 * The highest level, 999, is h999's, h3999's, h6999's and h9999's:
	 * not h999, excluded; of the others, the first by name.
	 */
	EXPECT_STREQ("h3999", name);
	EXPECT_STREQ(name, table.hosts[index].name);
	EXPECT_EQ(999, table.hosts[index].level);
	hosts_free(&table);
	conf_free(&conf);
	free(text);
}

/*
 * A reload's two configurations: @before with hosts h0 to h2, @after with
 * h2 gone and h3 in its place (the same conf number). 0, or -1.
 */
static int reload_confs(struct conf *before, struct conf *after)
{
	char error[256];
	size_t len;
	char *text = config(3, "", &len);
	int status;

	if (!text)
		return -1;
	status = conf_parse(text, len, before, error, sizeof(error));
	free(text);
	if (status)
		return -1;
	text = config(2, "host = h3 10.2.0.3\n", &len);
	status = text ? conf_parse(text, len, after, error, sizeof(error)) : -1;
	free(text);
	if (status)
		conf_free(before);
	return status ? -1 : 0;
}

/*
 * A report numbered by a conf other than the table's (a reload whose new
 * table could not be made keeps the old one, while the node numbers its
 * senders by the new conf) reaches its own host, or none: never the host
 * the old conf gave that number.
 */
TEST(a_report_numbered_by_another_conf_reaches_its_own_host)
{
	struct wire_report r = report(700, 2);
	struct conf before, after;
	struct host_table table;

	ASSERT_EQ(0, reload_confs(&before, &after));
	ASSERT_EQ(conf_index(&before, "h2"), conf_index(&after, "h3"));
	ASSERT_EQ(0, hosts_init(&table, &before, NULL));

	EXPECT_EQ(0, hosts_report(&table, conf_index(&after, "h3"), "h3", 1000, &r));
	EXPECT_FALSE(hosts_available(&table, "h2", 1100));
	/* h1 keeps its number: found there. A name out of place: searched. */
	EXPECT_EQ(0, hosts_report(&table, conf_index(&after, "h1"), "h1", 1000, &r));
	EXPECT_TRUE(hosts_available(&table, "h1", 1100));
	EXPECT_EQ(0, hosts_report(&table, conf_index(&before, "h0"), "h2", 1000, &r));
	EXPECT_TRUE(hosts_available(&table, "h2", 1100));
	EXPECT_FALSE(hosts_available(&table, "h0", 1100));
	hosts_free(&table);
	conf_free(&before);
	conf_free(&after);
}

TEST(a_reload_keeps_what_was_heard_from_the_hosts_that_stay)
{
	struct host_table table, next;
	struct wire_report r = report(700, 2);
	struct conf before, after;

	ASSERT_EQ(0, reload_confs(&before, &after));
	ASSERT_EQ(0, hosts_init(&table, &before, NULL));
	ASSERT_EQ(0, hosts_report(&table, conf_index(&before, "h0"), "h0", 1000, &r));
	ASSERT_EQ(0, hosts_report(&table, conf_index(&before, "h2"), "h2", 1000, &r));
	EXPECT_TRUE(hosts_named_by(&table, &before));

	/* h2 leaves, h3 joins: as many hosts, not the same. */
	EXPECT_FALSE(hosts_named_by(&table, &after));
	ASSERT_EQ(0, hosts_init(&next, &after, &table));
	EXPECT_EQ(0, table.n);	/* the old table was taken over */
	EXPECT_EQ(3, next.n);
	EXPECT_TRUE(hosts_available(&next, "h0", 1100));
	EXPECT_FALSE(hosts_available(&next, "h1", 1100));
	EXPECT_FALSE(hosts_available(&next, "h2", 1100));
	EXPECT_FALSE(hosts_available(&next, "h3", 1100));
	EXPECT_EQ(2, next.hosts[0].n_resources);
	EXPECT_STREQ("r1", next.hosts[0].resources[1].name);
	EXPECT_TRUE(hosts_named_by(&next, &after));
	EXPECT_FALSE(hosts_named_by(&next, &before));
	hosts_free(&next);
	conf_free(&before);
	conf_free(&after);
}

TEST_HARNESS_MAIN
