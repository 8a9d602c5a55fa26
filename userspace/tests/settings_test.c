// SPDX-License-Identifier: GPL-2.0
/*
 * availctl's settings without a kernel: names, values and the messages for
 * values it refuses, which must say what was wrong and what is accepted.
 */

#include <string.h>

#include "settings.h"
#include "kselftest_harness.h"

TEST(numbers_are_whole_and_within_bounds)
{
	char why[128];
	uint64_t value;

	EXPECT_EQ(0, parse_number("10", 10, 20, &value, why, sizeof(why)));
	EXPECT_EQ(10, value);
	EXPECT_EQ(0, parse_number("20", 10, 20, &value, why, sizeof(why)));
	EXPECT_EQ(-1, parse_number("9", 10, 20, &value, why, sizeof(why)));
	EXPECT_STREQ("9 is out of range (10 to 20)", why);
	EXPECT_EQ(-1, parse_number("21", 10, 20, &value, why, sizeof(why)));
	EXPECT_EQ(-1, parse_number("", 10, 20, &value, why, sizeof(why)));
	EXPECT_STREQ("'' is not a whole number (10 to 20)", why);
	EXPECT_EQ(-1, parse_number("-1", 0, 20, &value, why, sizeof(why)));
	EXPECT_EQ(-1, parse_number("+1", 0, 20, &value, why, sizeof(why)));
	EXPECT_EQ(-1, parse_number(" 1", 0, 20, &value, why, sizeof(why)));
	EXPECT_EQ(-1, parse_number("1 ", 0, 20, &value, why, sizeof(why)));
	EXPECT_EQ(-1, parse_number("0x10", 0, 20, &value, why, sizeof(why)));
	EXPECT_EQ(-1, parse_number("1.5", 0, 20, &value, why, sizeof(why)));
	EXPECT_EQ(-1, parse_number("18446744073709551616", 0, UINT64_MAX,
				   &value, why, sizeof(why)))
		TH_LOG("2^64 overflows");
	EXPECT_EQ(0, parse_number("18446744073709551615", 0, UINT64_MAX,
				  &value, why, sizeof(why)));
	EXPECT_EQ(UINT64_MAX, value);
}

TEST(settings_are_found_by_sysfs_name_with_dashes_or_underscores)
{
	ASSERT_NE(NULL, setting_find("interval_min_ms"));
	EXPECT_EQ(setting_find("interval_min_ms"), setting_find("interval-min-ms"));
	EXPECT_STREQ("all_netns", setting_find("all-netns")->name);
	EXPECT_EQ(NULL, setting_find("interval"));
	EXPECT_EQ(NULL, setting_find(""));
	EXPECT_EQ(NULL, setting_find("INTERVAL_MIN_MS"));
}

TEST(each_kind_of_setting_parses_and_refuses)
{
	struct availcast_config config = { 0 };
	char why[160];

	EXPECT_EQ(0, setting_parse(setting_find("delta"), "250", &config,
				   why, sizeof(why)));
	EXPECT_EQ(250, config.delta);
	EXPECT_EQ(-1, setting_parse(setting_find("delta"), "1001", &config,
				    why, sizeof(why)));
	EXPECT_STREQ("1001 is out of range (1 to 1000)", why);
	EXPECT_EQ(250, config.delta) TH_LOG("a refused value changes nothing");

	/* Found by fuzz_settings: a list refused halfway kept its first levels. */
	EXPECT_EQ(0, setting_parse(setting_find("thresholds"), "200", &config, why, sizeof(why)));
	EXPECT_EQ(-1, setting_parse(setting_find("thresholds"), "100,=00,900", &config,
				    why, sizeof(why)));
	EXPECT_EQ(1, config.n_thresholds);
	EXPECT_EQ(200, config.thresholds[0]);
	/* And a refused aggregation wrote 0 before saying no. */
	EXPECT_EQ(0, setting_parse(setting_find("aggregation"), "mean", &config, why, sizeof(why)));
	EXPECT_EQ(-1, setting_parse(setting_find("aggregation"), "median", &config, why, sizeof(why)));
	EXPECT_EQ(AVAILCAST_AGGREGATION_MEAN, config.aggregation);

	EXPECT_EQ(-1, setting_parse(setting_find("interval_min_ms"), "9", &config,
				    why, sizeof(why)));
	EXPECT_STREQ("9 is out of range (10 to 600000)", why);

	EXPECT_EQ(0, setting_parse(setting_find("thresholds"), "100,250, 500",
				   &config, why, sizeof(why)));
	ASSERT_EQ(3, config.n_thresholds);
	EXPECT_EQ(100, config.thresholds[0]);
	EXPECT_EQ(500, config.thresholds[2]);
	EXPECT_EQ(0, setting_parse(setting_find("thresholds"), "none", &config,
				   why, sizeof(why)));
	EXPECT_EQ(0, config.n_thresholds);
	EXPECT_EQ(-1, setting_parse(setting_find("thresholds"), "0", &config,
				    why, sizeof(why)));
	EXPECT_STREQ("0 is out of range (1 to 999)", why);
	EXPECT_EQ(-1, setting_parse(setting_find("thresholds"), "1,2,3,4,5,6,7,8,9",
				    &config, why, sizeof(why)));
	EXPECT_STREQ("at most 8 levels", why);
	EXPECT_EQ(-1, setting_parse(setting_find("thresholds"), ",", &config,
				    why, sizeof(why)));

	EXPECT_EQ(0, setting_parse(setting_find("aggregation"), "mean", &config,
				   why, sizeof(why)));
	EXPECT_EQ(AVAILCAST_AGGREGATION_MEAN, config.aggregation);
	EXPECT_EQ(-1, setting_parse(setting_find("aggregation"), "max", &config,
				    why, sizeof(why)));
	EXPECT_STREQ("'max' is neither min nor mean", why);

	EXPECT_EQ(0, setting_parse(setting_find("all_netns"), "on", &config,
				   why, sizeof(why)));
	EXPECT_EQ(1, config.all_netns);
	EXPECT_EQ(0, setting_parse(setting_find("all_netns"), "0", &config,
				   why, sizeof(why)));
	EXPECT_EQ(0, config.all_netns);
	EXPECT_EQ(-1, setting_parse(setting_find("all_netns"), "yes", &config,
				    why, sizeof(why)));

	EXPECT_EQ(0, setting_parse(setting_find("node_id"), "rack7-node3", &config,
				   why, sizeof(why)));
	EXPECT_STREQ("rack7-node3", config.node_id);
	EXPECT_EQ(-1, setting_parse(setting_find("node_id"), "", &config,
				    why, sizeof(why)));
	/* The module's rule, said before the module is asked. */
	EXPECT_EQ(0, setting_parse(setting_find("node_id"), "rack:7", &config,
				   why, sizeof(why)));
	EXPECT_EQ(-1, setting_parse(setting_find("node_id"), "two words", &config,
				    why, sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "A-Z a-z 0-9 and -._:"));
	EXPECT_EQ(-1, setting_parse(setting_find("node_id"), "caf\xc3\xa9", &config,
				    why, sizeof(why)));
	EXPECT_STREQ("rack:7", config.node_id);
}

TEST(settings_format_as_set_takes_them)
{
	struct availcast_config config = {
		.interval_min_ms = 100, .thresholds = { 100, 250 },
		.n_thresholds = 2, .aggregation = AVAILCAST_AGGREGATION_MIN,
		.all_netns = 1,
	};
	char text[64];

	setting_format(setting_find("interval_min_ms"), &config, text, sizeof(text));
	EXPECT_STREQ("100", text);
	setting_format(setting_find("thresholds"), &config, text, sizeof(text));
	EXPECT_STREQ("100,250", text);
	config.n_thresholds = 0;
	setting_format(setting_find("thresholds"), &config, text, sizeof(text));
	EXPECT_STREQ("none", text);
	setting_format(setting_find("aggregation"), &config, text, sizeof(text));
	EXPECT_STREQ("min", text);
	setting_format(setting_find("all_netns"), &config, text, sizeof(text));
	EXPECT_STREQ("1", text);
}

TEST_HARNESS_MAIN
